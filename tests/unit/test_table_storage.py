"""Table functions with ``on_init``: the work queue in the call's storage, shared by every worker.

The first worker's ``on_init`` fills the queue and sets ``max_workers``;
further workers (``is_secondary``, same execution id) pop from the same queue,
whether they run in this service or in another replica sharing the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

import pytest
from vgi_rpc import RpcServer, StreamSession
from vgi_rpc.http import http_connect
from vgi_rpc.http._testing import make_sync_client
from vgi_rpc.rpc import RpcError

from tests.unit.test_host_service import bind_request, column, open_stream, registry_of, served
from tests.unit.test_stateless_streams import KEY, RoundRobin
from vgi_host.protocol.enums import FunctionType
from vgi_host.protocol.invocation import GlobalInitResponse
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.sqlite import SqliteStateStore


@pytest.fixture
def hosts(tmp_path) -> Iterator[list[VgiProtocol]]:
    """Four pipe connections to one service: a pipe carries one stream at a time, a worker each."""
    service = HostService(registry_of("work_queue"), SqliteStateStore(tmp_path / "state.sqlite3"))
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(served(service)) for _ in range(4)]


@pytest.fixture
def replicas(tmp_path) -> Iterator[tuple[VgiProtocol, RoundRobin]]:
    store = tmp_path / "state.sqlite3"
    clients = [
        make_sync_client(
            RpcServer(VgiProtocol, HostService(registry_of("work_queue"), SqliteStateStore(store))),
            token_key=KEY,
        )
        for _ in range(2)
    ]
    balancer = RoundRobin(clients)
    with http_connect(VgiProtocol, client=cast(Any, balancer)) as proxy:
        yield cast(VgiProtocol, proxy), balancer


def _workers(
    proxies: list[VgiProtocol], n: int, chunk: int, extra: int
) -> tuple[GlobalInitResponse, list[list[int]]]:
    """Open the primary and ``extra`` secondaries, then tick them in turn until every one finishes."""
    request = bind_request("queued_range", FunctionType.TABLE, args=[n, chunk])
    primary = open_stream(proxies[0], request)
    header = primary.typed_header(GlobalInitResponse)
    streams: list[StreamSession] = [primary] + [
        open_stream(proxies[(i + 1) % len(proxies)], request, execution_id=header.execution_id)
        for i in range(extra)
    ]
    produced: list[list[int]] = [[] for _ in streams]
    live = list(range(len(streams)))
    while live:
        for index in list(live):
            try:
                produced[index].extend(column([streams[index].tick().batch], "i"))
            except StopIteration:
                live.remove(index)
                streams[index].close()
    return header, produced


def test_on_init_sets_max_workers_and_workers_share_the_queue(hosts):
    header, produced = _workers(hosts, 10, 3, extra=2)
    assert header.max_workers == 4  # four chunks queued
    assert sorted(v for worker in produced for v in worker) == list(range(10))
    assert all(produced), "every worker popped at least one chunk"


def test_a_secondary_runs_no_on_init(hosts):
    # Had a secondary queued the chunks again, the numbers would come out twice.
    _, produced = _workers(hosts, 7, 2, extra=3)
    assert sorted(v for worker in produced for v in worker) == list(range(7))


def test_workers_on_alternating_replicas_share_the_queue(replicas):
    proxy, balancer = replicas
    _, produced = _workers([proxy], 12, 2, extra=1)
    assert sorted(v for worker in produced for v in worker) == list(range(12))
    assert min(balancer.served) >= 3


def test_on_init_failure_names_the_function_and_keeps_its_message(hosts):
    with pytest.raises(RpcError) as caught:
        open_stream(hosts[0], bind_request("failing_init", FunctionType.TABLE)).tick()
    assert "failing_init" in str(caught.value)
    assert "no work to split today" in str(caught.value)
