"""``params.init_call``: table and table-in-out functions see the raw init request, on every turn.

Over a pipe and over vgi-rpc's stateless HTTP transport with two replicas
taking turns (the request travels inside the stream state's token).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch, RpcServer
from vgi_rpc.http import http_connect
from vgi_rpc.http._testing import make_sync_client

from tests.unit.test_host_service import bind_request, column, drain, open_stream, registry_of, served
from tests.unit.test_stateless_streams import KEY, RoundRobin
from vgi_host.protocol.enums import FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.sqlite import SqliteStateStore


@pytest.fixture
def pipe(tmp_path) -> Iterator[VgiProtocol]:
    service = HostService(registry_of("init_hints"), SqliteStateStore(tmp_path / "state.sqlite3"))
    with served(service) as proxy:
        yield proxy


@pytest.fixture
def replicas(tmp_path) -> Iterator[tuple[VgiProtocol, RoundRobin]]:
    store = tmp_path / "state.sqlite3"
    clients = [
        make_sync_client(
            RpcServer(VgiProtocol, HostService(registry_of("init_hints"), SqliteStateStore(store))),
            token_key=KEY,
        )
        for _ in range(2)
    ]
    balancer = RoundRobin(clients)
    with http_connect(VgiProtocol, client=cast(Any, balancer)) as proxy:
        yield cast(VgiProtocol, proxy), balancer


def _order_hints(proxy: VgiProtocol) -> list[pa.RecordBatch]:
    request = bind_request("order_hint", FunctionType.TABLE, args=[3])
    return drain(open_stream(proxy, request, order_by_column_name="n", tablesample_percentage=12.5))


def test_table_function_reads_the_init_request(pipe):
    batches = _order_hints(pipe)
    assert column(batches, "column") == ["n"] * 3
    assert column(batches, "sample") == [12.5] * 3


def test_table_function_reads_it_on_every_replica(replicas):
    proxy, balancer = replicas
    batches = _order_hints(proxy)
    assert column(batches, "column") == ["n"] * 3
    assert min(balancer.served) >= 2


def test_table_in_out_reads_it_on_every_replica(replicas):
    proxy, balancer = replicas
    request = bind_request("hint_echo", FunctionType.TABLE, schema=pa.schema([("v", pa.int64())]))
    stream = open_stream(proxy, request, phase=TableInOutFunctionInitPhase.INPUT, order_by_limit=7)
    with contextlib.closing(stream):
        replies = [
            stream.exchange(AnnotatedBatch(pa.record_batch({"v": pa.array(values, pa.int64())})))
            for values in ([1], [2, 3], [4])
        ]
    assert [r.batch.column("limit").to_pylist() for r in replies] == [[7], [7, 7], [7]]
    assert min(balancer.served) >= 2
