"""Three HTTP replicas behind a real nginx, sharing each state store: aggregates stay exact.

For SQLite (one machine), Redis and PostgreSQL: three ``vgi-host serve --http``
processes with the same ``--state-store`` and signing key behind nginx's
round-robin; one protocol client talks to nginx only, so every
``aggregate_update`` lands on whichever replica nginx picks (the access log
proves all three served some).  A 1,000-group ``testkit.sum_int`` over 24
updates is exact, also when one replica is SIGKILLed after update 8 (nginx
routes around the refused connection).  Redis and PostgreSQL are skipped,
naming the missing server, only when they are not reachable.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from vgi_rpc.http import http_connect

from tests.interop.test_state_replicas import GROUPS, batches
from tests.replicas import round_robin_aggregate
from tests.state_backends import BACKENDS, TEST_KEY, Backend, backend
from tests.transports.servers import Served, serve
from tests.transports.test_nginx_replicas import Nginx, nginx_in_front_of
from vgi_host.protocol.service import VgiProtocol

REPLICAS = 3


@dataclass
class HttpReplica:
    """One replica process; every call goes through nginx, whichever replica serves it."""

    served: Served
    proxy: VgiProtocol

    @property
    def alive(self) -> bool:
        return self.served.process.poll() is None

    def kill(self) -> None:
        os.kill(self.served.process.pid, signal.SIGKILL)
        self.served.process.wait(20)


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with backend(request.param, tmp_path, monkeypatch) as b:
        yield b


@pytest.fixture
def cluster(store_backend: Backend, tmp_path: Path) -> Iterator[tuple[Nginx, list[HttpReplica]]]:
    env = {"VGI_SIGNING_KEY": TEST_KEY, "VGI_HOST_PACKS": "testkit"}
    args = ("--http", "--port", "0", "--state-store", store_backend.url)
    with contextlib.ExitStack() as stack:
        served = [stack.enter_context(serve(*args, env=env)) for _ in range(REPLICAS)]
        nginx = stack.enter_context(nginx_in_front_of([s.port for s in served], tmp_path / "nginx"))
        proxy = cast(VgiProtocol, stack.enter_context(http_connect(VgiProtocol, nginx.url)))
        yield nginx, [HttpReplica(s, proxy) for s in served]


def _update_replicas(nginx: Nginx, mark: int) -> set[str]:
    return {replica for uri, replica in nginx.turns_since(mark) if "aggregate_update" in uri}


def test_a_thousand_group_aggregate_across_three_replicas_is_exact(cluster: Any) -> None:
    nginx, replicas = cluster
    data, expected = batches(seed=22)
    mark = nginx.log_mark()
    run = round_robin_aggregate(replicas, schema="testkit", function="sum_int", batches=data, groups=GROUPS)
    assert len(data) >= 20
    assert run.results == expected
    served_by = _update_replicas(nginx, mark)
    print(f"\naggregate_update served by {sorted(served_by)}")
    assert served_by == {f"127.0.0.1:{r.served.port}" for r in replicas}


def test_killing_one_replica_mid_aggregate_the_survivors_finish_exactly(cluster: Any) -> None:
    _, replicas = cluster
    data, expected = batches(seed=24)
    run = round_robin_aggregate(
        replicas, schema="testkit", function="sum_int", batches=data, groups=GROUPS, kill=(8, 1)
    )
    assert run.killed == 1
    assert replicas[1].served.process.returncode == -signal.SIGKILL
    assert run.results == expected
