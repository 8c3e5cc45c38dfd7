"""The table-buffering kind in-process: the wire sequence over a pipe pair, two services, HTTP replicas.

Every test drives the sequence the reference client and DuckDB's extension
send - bind, sink init, ``table_buffering_process`` per batch,
``table_buffering_combine``, one FINALIZE init per finalize id, the
destructor - against real ``HostService`` objects over vgi-rpc (pipes, or
its stateless HTTP transport with a round-robin client), so each sink call,
the combine and each output stream may land on a different service.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, cast

import pyarrow as pa
import pytest
from vgi_rpc import RpcServer, StreamSession
from vgi_rpc.http import http_connect
from vgi_rpc.http._testing import make_sync_client
from vgi_rpc.rpc import RpcError

from tests.unit.test_host_service import drain, functions, registry_of, served
from tests.unit.test_stateless_streams import KEY, RoundRobin
from vgi_host.protocol.aggregate import (
    TableBufferingCombineRequest,
    TableBufferingDestructorRequest,
    TableBufferingProcessRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.enums import (
    CatalogFunctionType,
    FunctionType,
    SchemaObjectType,
    TableInOutFunctionInitPhase,
)
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.call_storage import StorageScopes
from vgi_host.state.config import signer_for
from vgi_host.state.sqlite import SqliteStateStore

PACK = "buffering"


def _bind_request(name: str, schema: pa.Schema, args: Sequence[Any] = ()) -> BindRequest:
    return BindRequest(
        function_name=name,
        arguments=Arguments(positional=tuple(pa.scalar(a) for a in args), named={}),
        function_type=FunctionType.TABLE_BUFFERING,
        input_schema=schema,
        schema_path=[PACK],
        attach_opaque_data=b"",
    )


def run_buffering(
    proxies: Sequence[VgiProtocol], name: str, batches: list[pa.RecordBatch], args: Sequence[Any] = ()
) -> tuple[pa.Schema, list[pa.RecordBatch], bytes]:
    """The whole wire sequence; call number ``i`` goes to ``proxies[i % len(proxies)]``."""
    turn = iter(range(1_000_000))

    def proxy() -> VgiProtocol:
        return proxies[next(turn) % len(proxies)]

    request = _bind_request(name, batches[0].schema, args)
    bound = proxy().bind(request=request)
    init = InitRequest(
        bind_call=request,
        output_schema=bound.output_schema,
        phase=TableInOutFunctionInitPhase.TABLE_BUFFERING,
    )
    sink = cast(StreamSession, proxy().init(request=init))
    execution_id = sink.typed_header(GlobalInitResponse).execution_id
    sink.close()
    common = {"function_name": name, "execution_id": execution_id, "attach_opaque_data": b""}
    state_ids = [
        proxy()
        .table_buffering_process(
            request=TableBufferingProcessRequest(input_batch=batch, batch_index=index, **common)
        )
        .state_id
        for index, batch in enumerate(batches)
    ]
    finalize_ids = (
        proxy()
        .table_buffering_combine(request=TableBufferingCombineRequest(state_ids=state_ids, **common))
        .finalize_state_ids
    )
    output: list[pa.RecordBatch] = []
    for fid in finalize_ids:
        source = InitRequest(
            bind_call=request,
            output_schema=bound.output_schema,
            phase=TableInOutFunctionInitPhase.TABLE_BUFFERING_FINALIZE,
            execution_id=execution_id,
            finalize_state_id=fid,
        )
        output += [b for b in drain(cast(StreamSession, proxy().init(request=source))) if b.num_rows]
    proxy().table_buffering_destructor(request=TableBufferingDestructorRequest(**common))
    return bound.output_schema, output, execution_id


def values(n: int, start: int = 0) -> pa.RecordBatch:
    return pa.record_batch({"v": pa.array([(start + i * 7919) % 1009 for i in range(n)], pa.int64())})


INPUT = [values(5), values(3, 11), values(4, 500)]
EXPECTED = sorted(v for b in INPUT for v in b.column("v").to_pylist())


@pytest.fixture
def host(tmp_path) -> Iterator[VgiProtocol]:
    with served(HostService(registry_of(PACK), SqliteStateStore(tmp_path / "state.sqlite3"))) as proxy:
        yield proxy


def test_catalog_entry_is_table_buffering_with_its_flags(host):
    listed = functions(host, PACK, SchemaObjectType.TABLE_FUNCTION)
    assert set(listed) == {"sorted_values", "partition_counts", "fails_in_combine"}
    entry = listed["sorted_values"]
    assert entry.function_type is CatalogFunctionType.TABLE_BUFFERING
    assert entry.has_finalize
    assert entry.requires_input_batch_index
    assert not entry.sink_order_dependent
    assert not entry.source_order_dependent
    assert len(entry.output_schema) == 0  # decided at bind


def test_sinks_combine_and_source_produce_every_row_sorted(host):
    schema, output, _ = run_buffering([host], "sorted_values", INPUT, args=[4])
    assert schema.field("v").metadata == {b"comment": b"the input's v, ascending"}
    assert [b.num_rows for b in output] == [4, 4, 4]
    assert [v for b in output for v in b.column("v").to_pylist()] == EXPECTED


def test_instance_method_spelling_and_several_output_streams(host):
    batches = [pa.record_batch({"k": ["a", "b", "a"]}), pa.record_batch({"k": ["c", "a"]})]
    _, output, _ = run_buffering([host], "partition_counts", batches)
    assert pa.Table.from_batches(output).to_pylist() == [
        {"k": "a", "rows": 3},
        {"k": "b", "rows": 1},
        {"k": "c", "rows": 1},
    ]


def test_a_combine_error_keeps_the_functions_message_and_names_it(host):
    with pytest.raises(RpcError) as caught:
        run_buffering([host], "fails_in_combine", INPUT[:2], args=[4])
    assert "cannot combine 2 sinks" in str(caught.value)
    assert "buffering.fails_in_combine" in str(caught.value)


def test_the_destructor_drops_the_calls_storage(host):
    _, _, execution_id = run_buffering([host], "sorted_values", INPUT[:1], args=[4])
    with pytest.raises(RpcError, match="unknown table-buffering execution"):
        host.table_buffering_process(
            request=TableBufferingProcessRequest(
                function_name="sorted_values",
                execution_id=execution_id,
                input_batch=INPUT[0],
                attach_opaque_data=b"",
            )
        )


def test_a_cancelled_output_stream_calls_on_cancel_with_its_state(tmp_path):
    path = tmp_path / "state.sqlite3"
    with served(HostService(registry_of(PACK), SqliteStateStore(path))) as proxy:
        request = _bind_request("sorted_values", INPUT[0].schema, [2])
        bound = proxy.bind(request=request)
        sink = cast(
            StreamSession,
            proxy.init(
                request=InitRequest(
                    bind_call=request,
                    output_schema=bound.output_schema,
                    phase=TableInOutFunctionInitPhase.TABLE_BUFFERING,
                )
            ),
        )
        execution_id = sink.typed_header(GlobalInitResponse).execution_id
        sink.close()
        common = {"function_name": "sorted_values", "execution_id": execution_id, "attach_opaque_data": b""}
        proxy.table_buffering_process(request=TableBufferingProcessRequest(input_batch=INPUT[0], **common))
        source = cast(
            StreamSession,
            proxy.init(
                request=InitRequest(
                    bind_call=request,
                    output_schema=bound.output_schema,
                    phase=TableInOutFunctionInitPhase.TABLE_BUFFERING_FINALIZE,
                    execution_id=execution_id,
                    finalize_state_id=b"all",
                )
            ),
        )
        assert source.tick().batch.num_rows == 2
        source.cancel()
        store = SqliteStateStore(path)
        storage = StorageScopes(store, signer_for(store)).bound(execution_id)
        assert storage.state_get(b"meta", b"cancelled_at") == b"2"


def test_calling_a_buffering_function_as_a_table_in_out_is_refused_by_kind(host):
    request = BindRequest(
        function_name="sorted_values",
        arguments=Arguments(positional=(pa.scalar(2),), named={}),
        function_type=FunctionType.TABLE,
        input_schema=INPUT[0].schema,
        schema_path=[PACK],
        attach_opaque_data=b"",
    )
    with pytest.raises(RpcError, match="table-buffering function; it cannot be called as a table-in-out"):
        host.bind(request=request)


def test_two_services_sharing_one_store_serve_one_execution_between_them(tmp_path):
    store = tmp_path / "state.sqlite3"
    with contextlib.ExitStack() as stack:
        proxies = [
            stack.enter_context(served(HostService(registry_of(PACK), SqliteStateStore(store))))
            for _ in range(2)
        ]
        _, output, _ = run_buffering(proxies, "sorted_values", INPUT * 3, args=[5])
    assert [v for b in output for v in b.column("v").to_pylist()] == sorted(EXPECTED * 3)


def test_stateless_http_replicas_alternate_on_every_call_and_turn(tmp_path):
    store = tmp_path / "state.sqlite3"
    clients = [
        make_sync_client(
            RpcServer(VgiProtocol, HostService(registry_of(PACK), SqliteStateStore(store))), token_key=KEY
        )
        for _ in range(2)
    ]
    balancer = RoundRobin(clients)
    with http_connect(VgiProtocol, client=cast(Any, balancer)) as proxy:
        _, output, _ = run_buffering([cast(VgiProtocol, proxy)], "sorted_values", INPUT, args=[2])
    assert [v for b in output for v in b.column("v").to_pylist()] == EXPECTED
    assert len(output) == 6  # six source turns, each rebuilt from its token on the next replica
    assert min(balancer.served) >= 6
