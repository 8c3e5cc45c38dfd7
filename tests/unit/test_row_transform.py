"""Row-transform (blended LATERAL) functions served in-process: catalog, binding, streams, HTTP turns.

The functions are in ``fake_packs/row_transforms.py``; the conformance suite
compares the reference's own row-transform fixtures through the reference
client.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, cast

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch, RpcServer, StreamSession
from vgi_rpc.http import http_connect
from vgi_rpc.http._testing import make_sync_client
from vgi_rpc.rpc import RpcError

from tests.unit.test_host_service import bind_request, functions, open_stream, registry_of, served
from tests.unit.test_stateless_streams import KEY, RoundRobin
from vgi_host import Arg, BindParams, BindResponse, RowTransformFunction, TableInOutGenerator, TableInput
from vgi_host.errors import FunctionDefinitionError
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.enums import FunctionType, SchemaObjectType, TableInOutFunctionInitPhase
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.sdk.table_in_out_reference import PARENT_ROW_KEY
from vgi_host.state.sqlite import SqliteStateStore

INPUT = pa.schema([("n", pa.int64())])


@pytest.fixture
def host(tmp_path) -> Iterator[VgiProtocol]:
    service = HostService(registry_of("row_transforms"), SqliteStateStore(tmp_path / "state.sqlite3"))
    with served(service) as proxy:
        yield proxy


def _exchange(stream: StreamSession, values: list[int | None], **metadata: str) -> AnnotatedBatch:
    batch = pa.record_batch({"n": pa.array(values, pa.int64())})
    custom = pa.KeyValueMetadata({k.encode(): v.encode() for k, v in metadata.items()}) if metadata else None
    return stream.exchange(AnnotatedBatch(batch, custom_metadata=custom))


def _parent_rows(reply: AnnotatedBatch) -> list[int]:
    assert reply.custom_metadata is not None
    raw = base64.b64decode(reply.custom_metadata[PARENT_ROW_KEY.encode()])
    return list(struct.unpack(f"<{len(raw) // 4}i", raw))


def test_catalog_entry_lists_input_columns_as_arguments_and_the_blended_flags(host):
    info = functions(host, "row_transforms", SchemaObjectType.TABLE_FUNCTION)["explode"]
    assert info.input_from_args is True
    assert info.input_rows_per_call == 4
    assert info.has_finalize is False
    arguments = info.arguments
    assert [(f.name, f.type) for f in arguments] == [("n", pa.int64()), ("page", pa.int64())]
    assert (arguments.field("n").metadata or {}).get(b"vgi_type") is None  # a real column, no TABLE
    assert arguments.field("page").metadata[b"vgi_arg"] == b"named"


def test_variadic_any_argument_is_marked_in_the_catalog(host):
    info = functions(host, "row_transforms", SchemaObjectType.TABLE_FUNCTION)["echo_all"]
    arguments = info.arguments
    metadata = arguments.field("values").metadata
    assert metadata[b"vgi_varargs"] == b"true"
    assert metadata[b"vgi_type"] == b"any"


def test_pages_of_one_input_batch_come_back_as_one_batch_with_provenance(host):
    request = bind_request("explode", FunctionType.TABLE, schema=INPUT)
    stream = open_stream(host, request, phase=TableInOutFunctionInitPhase.INPUT)
    with contextlib.closing(stream):
        first = _exchange(stream, [3, 0, 2])
        second = _exchange(stream, [1], **{"vgi.cache.if_none_match": "v7"})
    assert first.batch.column("i").to_pylist() == [0, 1, 2, 0, 1]
    assert _parent_rows(first) == [0, 0, 0, 2, 2]
    assert first.custom_metadata[b"pack.note"] == b"paged"
    assert first.batch.column("etag").to_pylist() == [None] * 5
    assert second.batch.column("batch").to_pylist() == [2]  # state kept across batches
    assert second.batch.column("etag").to_pylist() == ["v7"]
    assert _parent_rows(second) == [0]


def test_overloads_are_chosen_by_input_column_count(host):
    for schema, expected in (
        (pa.schema([("a", pa.int64())]), "one"),
        (pa.schema([("a", pa.int64()), ("b", pa.int64())]), "two"),
    ):
        stream = open_stream(host, bind_request("pick", FunctionType.TABLE, schema=schema))
        with contextlib.closing(stream):
            batch = pa.record_batch([pa.array([1, 2], pa.int64())] * len(schema), schema=schema)
            assert stream.exchange(AnnotatedBatch(batch)).batch.column(0).to_pylist() == [expected] * 2


def test_variadic_any_columns_keep_their_types(host):
    schema = pa.schema([("x", pa.int32()), ("y", pa.string()), ("z", pa.list_(pa.int64()))])
    bound = host.bind(request=bind_request("echo_all", FunctionType.TABLE, schema=schema))
    assert [(f.name, f.type) for f in bound.output_schema] == [
        ("col0", pa.int32()),
        ("col1", pa.string()),
        ("col2", pa.list_(pa.int64())),
    ]


def test_wrong_input_column_count_is_a_bind_error_naming_the_columns(host):
    schema = pa.schema([("n", pa.int64()), ("m", pa.int64())])
    with pytest.raises(RpcError, match=r"explode.*expects 1 input column\(s\) \(n BIGINT\); got 2"):
        host.bind(request=bind_request("explode", FunctionType.TABLE, schema=schema))


def test_positional_constants_are_refused(host):
    with pytest.raises(RpcError, match=r"positional arguments as input columns"):
        host.bind(request=bind_request("explode", FunctionType.TABLE, schema=INPUT, args=[3]))


def test_named_argument_binds_as_a_constant(host):
    request = bind_request("explode", FunctionType.TABLE, schema=INPUT)
    request = dataclasses.replace(request, arguments=Arguments(named={"page": pa.scalar(1)}))
    stream = open_stream(host, request)
    with contextlib.closing(stream):
        assert _exchange(stream, [2]).batch.column("i").to_pylist() == [0, 1]


def test_state_survives_stateless_turns_on_alternating_replicas(tmp_path):
    store = tmp_path / "state.sqlite3"
    clients = [
        make_sync_client(
            RpcServer(VgiProtocol, HostService(registry_of("row_transforms"), SqliteStateStore(store))),
            token_key=KEY,
        )
        for _ in range(2)
    ]
    balancer = RoundRobin(clients)
    with http_connect(VgiProtocol, client=cast(Any, balancer)) as proxy:
        stream = open_stream(proxy, bind_request("explode", FunctionType.TABLE, schema=INPUT))
        with contextlib.closing(stream):
            replies = [_exchange(stream, [n]) for n in (1, 3, 2)]
    assert [r.batch.column("batch").to_pylist() for r in replies] == [[1], [2, 2, 2], [3, 3]]
    assert [_parent_rows(r) for r in replies] == [[0], [0, 0, 0], [0, 0]]
    assert min(balancer.served) >= 2


@dataclass(frozen=True)
class _Column:
    x: Annotated[int, Arg(0, doc="x")]


def test_a_row_transform_with_finish_is_refused():
    class Accumulates(RowTransformFunction[_Column]):
        @classmethod
        def finish(cls, params: Any, states: list[Any]) -> list[pa.RecordBatch]:
            return []

    with pytest.raises(FunctionDefinitionError, match=r"cannot define finish\(\)/finalize\(\)"):
        Accumulates.definition()


def test_a_row_transform_needs_a_positional_argument():
    @dataclass(frozen=True)
    class OnlyNamed:
        k: Annotated[int, Arg("k", doc="k", default=1)] = 1

    class NoColumns(RowTransformFunction[OnlyNamed]):
        @classmethod
        def on_bind(cls, params: BindParams[OnlyNamed]) -> BindResponse:
            return BindResponse(output_schema=pa.schema([("k", pa.int64())]))

    with pytest.raises(FunctionDefinitionError, match=r"needs at least one positional Arg"):
        NoColumns.definition()


def test_input_rows_per_call_belongs_to_row_transforms_only():
    @dataclass(frozen=True)
    class Table:
        data: Annotated[TableInput, Arg(0, doc="rows")]

    class Classic(TableInOutGenerator[Table]):
        class Meta:
            input_rows_per_call = 3

    with pytest.raises(
        FunctionDefinitionError, match=r"input_rows_per_call applies only to a RowTransformFunction"
    ):
        Classic.definition()
