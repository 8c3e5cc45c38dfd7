"""Every kind over vgi-rpc's stateless HTTP transport, each turn served by the next replica.

Two service instances (two "replicas": separate registries, one shared state
store) behind one round-robin client, in-process through vgi-rpc's WSGI test
client: a stream's state leaves one replica as a signed token and is rebuilt
(``rehydrate``) on the other at every turn.  The real-process version, behind
nginx, is in the transport tests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch, RpcServer, StreamSession
from vgi_rpc.http import http_connect
from vgi_rpc.http._testing import make_sync_client

from tests.unit.test_host_service import bind_request, column, drain, open_stream, registry_of
from vgi_host.protocol.aggregate import AggregateBindRequest, AggregateFinalizeRequest, AggregateUpdateRequest
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.enums import FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.invocation import GlobalInitResponse
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.store import SqliteStateStore

KEY = b"k" * 32


class RoundRobin:
    """An HTTP client that sends each request to the next replica, and counts who served what."""

    prefix = ""

    def __init__(self, replicas: list[Any]) -> None:
        self.replicas = replicas
        self.served = [0] * len(replicas)
        self._next = 0

    def _pick(self) -> Any:
        index = self._next % len(self.replicas)
        self._next += 1
        self.served[index] += 1
        return self.replicas[index]

    def post(self, url: str, **kwargs: Any) -> Any:
        return self._pick().post(url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._pick().get(url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Any:
        return self._pick().options(url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self._pick().delete(url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self._pick().put(url, **kwargs)

    def close(self) -> None:
        for replica in self.replicas:
            replica.close()


@pytest.fixture
def replicas(tmp_path) -> Iterator[tuple[VgiProtocol, RoundRobin]]:
    store = tmp_path / "state.sqlite3"
    clients = [
        make_sync_client(
            RpcServer(VgiProtocol, HostService(registry_of("every_kind"), SqliteStateStore(store))),
            token_key=KEY,
        )
        for _ in range(2)
    ]
    balancer = RoundRobin(clients)
    with http_connect(VgiProtocol, client=cast(Any, balancer)) as proxy:
        yield cast(VgiProtocol, proxy), balancer


def test_scalar_stream_alternates_replicas(replicas):
    proxy, balancer = replicas
    stream = open_stream(
        proxy, bind_request("plus_one", FunctionType.SCALAR, schema=pa.schema([("x", pa.int64())]))
    )
    out = []
    with contextlib.closing(stream):
        for values in ([1], [2, 3], [4]):
            reply = stream.exchange(AnnotatedBatch(pa.record_batch({"x": pa.array(values, pa.int64())})))
            out.extend(reply.batch.column(0).to_pylist())
    assert out == [2, 3, 4, 5]
    assert min(balancer.served) >= 2


def test_table_stream_keeps_the_pack_state_across_replicas(replicas):
    proxy, balancer = replicas
    batches = drain(open_stream(proxy, bind_request("count_to", FunctionType.TABLE, args=[9])))
    assert column(batches, "i") == list(range(1, 10))
    assert min(balancer.served) >= 3


def test_table_in_out_finish_on_another_replica_sees_every_batch(replicas):
    proxy, balancer = replicas
    request = bind_request("running_total", FunctionType.TABLE, schema=pa.schema([("v", pa.int64())]))
    stream = cast(StreamSession, open_stream(proxy, request, phase=TableInOutFunctionInitPhase.INPUT))
    header = stream.typed_header(GlobalInitResponse)
    with contextlib.closing(stream):
        for values in ([1, 2], [3], [4, 5], [6]):
            stream.exchange(AnnotatedBatch(pa.record_batch({"v": pa.array(values, pa.int64())})))
    final = drain(
        open_stream(
            proxy, request, phase=TableInOutFunctionInitPhase.FINALIZE, execution_id=header.execution_id
        )
    )
    assert column(final, "v") == [21]
    assert min(balancer.served) >= 3


def test_aggregate_calls_alternate_replicas(replicas):
    proxy, balancer = replicas
    bound = proxy.aggregate_bind(
        request=AggregateBindRequest(
            function_name="sum_ints",
            arguments=Arguments(positional=(), named={}),
            input_schema=pa.schema([("value", pa.int64())]),
            schema_path=["every_kind"],
            attach_opaque_data=b"",
        )
    )
    common = {
        "function_name": "sum_ints",
        "execution_id": bound.execution_id,
        "schema_path": ["every_kind"],
        "attach_opaque_data": b"",
    }
    for start in range(0, 40, 4):
        update = pa.record_batch(
            {
                "group_id": pa.array([0, 1, 0, 1], pa.int64()),
                "value": pa.array(range(start, start + 4), pa.int64()),
            }
        )
        proxy.aggregate_update(request=AggregateUpdateRequest(input_batch=update, **common))
    result = proxy.aggregate_finalize(
        request=AggregateFinalizeRequest(
            group_ids_batch=pa.record_batch({"group_id": pa.array([0, 1], pa.int64())}),
            output_schema=bound.output_schema,
            **common,
        )
    )
    evens = sum(v for v in range(40) if v % 4 in (0, 2))
    assert result.result_batch.column(0).to_pylist() == [evens, sum(range(40)) - evens]
    assert min(balancer.served) >= 5
