"""HostService in-process: an RpcServer on one end of a pipe pair, our protocol on the other.

Fast tests of the whole service - catalog, routing, aliases, every kind, the
refusals - without a subprocess; the interop suite proves the same against
the reference client over a real `vgi-host serve`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any, cast

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch, RpcServer, StreamSession
from vgi_rpc.rpc import RpcConnection, RpcError, make_pipe_pair

from tests.unit.test_pack_loading import candidate
from vgi_host.host.registry import PackRegistry
from vgi_host.packs.discovery import Discovery
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateCombineRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.attach import CatalogAttachRequest
from vgi_host.protocol.catalog import SchemaInfo, TableInfo
from vgi_host.protocol.enums import FunctionType, SchemaObjectType, TableInOutFunctionInitPhase
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.store import SqliteStateStore


def registry_of(*modules: str) -> PackRegistry:
    return PackRegistry.load(Discovery(tuple(candidate(m) for m in modules), ()), use_cache=False)


@contextlib.contextmanager
def served(service: HostService) -> Iterator[VgiProtocol]:
    client_transport, server_transport = make_pipe_pair()
    server = RpcServer(VgiProtocol, service)
    thread = threading.Thread(target=server.serve, args=(server_transport,), daemon=True)
    thread.start()
    with RpcConnection(VgiProtocol, client_transport) as proxy:
        yield cast(VgiProtocol, proxy)
    thread.join(timeout=10)


@pytest.fixture
def host(tmp_path) -> Iterator[VgiProtocol]:
    service = HostService(
        registry_of("every_kind", "good", "clash"), SqliteStateStore(tmp_path / "state.sqlite3")
    )
    with served(service) as proxy:
        yield proxy


def bind_request(function: str, kind: FunctionType, *, schema: pa.Schema | None = None, args=(), path=None):
    return BindRequest(
        function_name=function,
        arguments=Arguments(positional=tuple(pa.scalar(a) for a in args), named={}),
        function_type=kind,
        input_schema=schema,
        schema_path=path,
        attach_opaque_data=b"",
    )


def open_stream(proxy: VgiProtocol, request: BindRequest, **init: Any) -> StreamSession:
    bound = proxy.bind(request=request)
    return cast(
        StreamSession,
        proxy.init(request=InitRequest(bind_call=request, output_schema=bound.output_schema, **init)),
    )


def drain(stream: StreamSession) -> list[pa.RecordBatch]:
    batches = []
    with contextlib.closing(stream):
        while True:
            try:
                batches.append(stream.tick().batch)
            except StopIteration:
                return batches


def column(batches: list[pa.RecordBatch], name: str) -> list[Any]:
    return [v for b in batches for v in b.column(name).to_pylist()]


# ------------------------------------------------------------------ catalog ----


def test_catalog_lists_main_first_then_each_loaded_pack(host):
    attached = host.catalog_attach(request=CatalogAttachRequest(name="anything"))
    assert attached.default_schema == "main"
    schemas = host.catalog_schemas(attach_opaque_data=attached.attach_opaque_data).decode_items(SchemaInfo)
    assert [s.path for s in schemas] == [["main"], ["clash"], ["every_kind"], ["good"]]
    counts = {s.path[0]: s.estimated_object_count for s in schemas}
    assert counts["every_kind"]["scalar_function"] == 1
    assert counts["every_kind"]["table_function"] == 2  # table and table-in-out
    assert counts["every_kind"]["aggregate_function"] == 1


def functions(host, schema: str, kind: SchemaObjectType) -> dict[str, FunctionInfo]:
    response = host.catalog_schema_contents_functions(attach_opaque_data=b"", path=[schema], type=kind)
    return {f.name: f for f in response.decode_items(FunctionInfo)}


def test_each_kind_is_listed_under_its_catalog_type(host):
    assert set(functions(host, "every_kind", SchemaObjectType.SCALAR_FUNCTION)) == {"plus_one"}
    assert set(functions(host, "every_kind", SchemaObjectType.TABLE_FUNCTION)) == {
        "count_to",
        "running_total",
    }
    assert set(functions(host, "every_kind", SchemaObjectType.AGGREGATE_FUNCTION)) == {"sum_ints"}
    assert functions(host, "every_kind", SchemaObjectType.TABLE_FUNCTION)["running_total"].has_finalize


def test_main_aliases_unique_names_only(host):
    aliases = functions(host, "main", SchemaObjectType.SCALAR_FUNCTION)
    assert "plus_one" in aliases
    assert aliases["plus_one"].tags["vgi_host.alias_of"] == "every_kind.plus_one"
    assert "double" not in aliases  # defined by clash and good


def test_main_tables_describe_this_registry(host):
    tables = host.catalog_schema_contents_tables(attach_opaque_data=b"", path=["main"]).decode_items(
        TableInfo
    )
    assert sorted(t.name for t in tables) == ["vgi_functions", "vgi_packs"]
    rows = drain(open_stream(host, bind_request("vgi_packs", FunctionType.TABLE, path=["main"])))
    assert column(rows, "name") == ["clash", "every_kind", "good"]
    assert column(rows, "conflicts") == [["double"], [], ["double"]]


def test_two_registries_in_one_process_each_list_their_own_packs(tmp_path):
    first = HostService(registry_of("good"), SqliteStateStore(tmp_path / "a.sqlite3"))
    second = HostService(registry_of("every_kind"), SqliteStateStore(tmp_path / "b.sqlite3"))
    for service, expected in ((second, ["every_kind"]), (first, ["good"])):
        with served(service) as proxy:
            rows = drain(open_stream(proxy, bind_request("vgi_packs", FunctionType.TABLE, path=["main"])))
            assert column(rows, "name") == expected


# ------------------------------------------------------------------ routing ----


def test_a_user_attribute_named_kind_does_not_confuse_binding(host):
    request = bind_request("plus_one", FunctionType.SCALAR, schema=pa.schema([("x", pa.int64())]))
    stream = open_stream(host, request)
    with contextlib.closing(stream):
        out = stream.exchange(AnnotatedBatch(pa.record_batch({"x": pa.array([1, 41], pa.int64())})))
    assert out.batch.column(0).to_pylist() == [2, 42]


def test_alias_routes_to_the_owner_and_a_conflict_says_how_to_qualify(host):
    schema = pa.schema([("x", pa.int64())])
    via_alias = host.bind(request=bind_request("plus_one", FunctionType.SCALAR, schema=schema, path=["main"]))
    assert via_alias.output_schema.field(0).type == pa.int64()
    with pytest.raises(RpcError, match=r"qualify it: clash\.double, good\.double"):
        host.bind(request=bind_request("double", FunctionType.SCALAR, schema=schema, path=["main"]))


def test_unknown_pack_and_function_errors_say_what_exists(host):
    schema = pa.schema([("x", pa.int64())])
    with pytest.raises(
        RpcError, match=r"no pack named 'nope' \(packs served: clash, every_kind, good\)"
    ) as e:
        host.bind(request=bind_request("f", FunctionType.SCALAR, schema=schema, path=["nope"]))
    assert e.value.error_code == "NOT_FOUND"
    with pytest.raises(RpcError, match=r"has no function 'triple' \(it has: double, shout\)"):
        host.bind(request=bind_request("triple", FunctionType.SCALAR, schema=schema, path=["good"]))


def test_calling_a_function_as_the_wrong_kind_names_both_kinds(host):
    with pytest.raises(
        RpcError, match=r"every_kind\.count_to is a table function; it cannot be called as a scalar"
    ):
        host.bind(
            request=bind_request("count_to", FunctionType.SCALAR, schema=pa.schema([("x", pa.int64())]))
        )


# -------------------------------------------------------------------- kinds ----


def test_table_function_produces_every_batch(host):
    batches = drain(open_stream(host, bind_request("count_to", FunctionType.TABLE, args=[9])))
    assert len(batches) == 5
    assert column(batches, "i") == list(range(1, 10))


def test_table_in_out_with_finish_emits_the_total_at_finalize(host):
    schema = pa.schema([("v", pa.int64())])
    request = bind_request("running_total", FunctionType.TABLE, schema=schema)
    stream = open_stream(host, request, phase=TableInOutFunctionInitPhase.INPUT)
    header = stream.typed_header(GlobalInitResponse)
    passed = []
    with contextlib.closing(stream):
        for values in ([1, 2], [3], [4, 5]):
            out = stream.exchange(AnnotatedBatch(pa.record_batch({"v": pa.array(values, pa.int64())})))
            passed.extend(out.batch.column(0).to_pylist())
    assert passed == [1, 2, 3, 4, 5]
    final = drain(
        open_stream(
            host,
            request,
            phase=TableInOutFunctionInitPhase.FINALIZE,
            execution_id=header.execution_id,
        )
    )
    assert column(final, "v") == [15]


def test_aggregate_update_combine_finalize(host):
    batch = pa.record_batch({"value": pa.array([1, 2, 3, 4], pa.int64())})
    bound = host.aggregate_bind(
        request=AggregateBindRequest(
            function_name="sum_ints",
            arguments=Arguments(positional=(), named={}),
            input_schema=batch.schema,
            schema_path=["every_kind"],
            attach_opaque_data=b"",
        )
    )
    common = {"function_name": "sum_ints", "execution_id": bound.execution_id, "schema_path": ["every_kind"]}
    update = pa.record_batch({"group_id": pa.array([0, 1, 2, 2], pa.int64()), "value": batch.column(0)})
    host.aggregate_update(
        request=AggregateUpdateRequest(input_batch=update, attach_opaque_data=b"", **common)
    )
    merge = pa.record_batch(
        {"source_group_id": pa.array([2], pa.int64()), "target_group_id": pa.array([0], pa.int64())}
    )
    host.aggregate_combine(
        request=AggregateCombineRequest(merge_batch=merge, attach_opaque_data=b"", **common)
    )
    result = host.aggregate_finalize(
        request=AggregateFinalizeRequest(
            group_ids_batch=pa.record_batch({"group_id": pa.array([0, 1], pa.int64())}),
            output_schema=bound.output_schema,
            attach_opaque_data=b"",
            **common,
        )
    )
    assert result.result_batch.column(0).to_pylist() == [1 + 3 + 4, 2]


def test_unserved_methods_are_refused_with_the_fallback_phrase(host):
    with pytest.raises(RpcError, match="not implemented") as caught:
        host.catalog_table_scan_branches_get(attach_opaque_data=b"", schema_path=["good"], name="t")
    assert caught.value.error_kind == "method_not_implemented"
    with pytest.raises(RpcError, match="read-only catalog") as refused:
        host.catalog_view_drop(attach_opaque_data=b"", schema_path=["good"], name="v")
    assert refused.value.error_code == "FAILED_PRECONDITION"


def test_a_pack_error_is_one_warning_line_with_the_traceback_at_debug(caplog):
    from vgi_host.errors import FunctionError
    from vgi_host.runtime.error_logging import PackErrorsAsWarnings

    try:
        try:
            raise ValueError("bad row 3")
        except ValueError as exc:
            raise FunctionError.wrapping("geo.f", exc) from exc
    except FunctionError as error:
        record = logging.LogRecord(
            "vgi_rpc.rpc", logging.ERROR, __file__, 1, "Error in init: %s", (error,), None
        )
        record.exc_info = (type(error), error, error.__traceback__)
    with caplog.at_level(logging.DEBUG, logger="vgi_host.pack_errors"):
        assert PackErrorsAsWarnings().filter(record)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "geo.f: ValueError: bad row 3" in record.getMessage()
    assert any("Traceback" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)
