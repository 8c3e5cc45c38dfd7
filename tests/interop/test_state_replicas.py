"""Several `vgi-host serve` processes sharing each state store serve one call round-robin.

For each backend (SQLite on this machine, Redis, PostgreSQL): three serve
processes, a 1,000-group ``testkit.sum_int`` over 24 update calls spread
round-robin, exact against a sum computed here; the same with one process
killed (SIGKILL) after update 8; and a blob altered in the store refused
with an error naming the execution.  A table-buffering call
(``testkit.sort_rank``) has its sink calls, combine and output streams
served by different processes, its storage in the same store.  Redis and PostgreSQL are skipped with
the reason when their servers are not reachable (tests/state_backends.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from vgi_rpc import RpcError

from tests.replicas import PipeReplica, pipe_replicas, round_robin_aggregate, round_robin_buffering
from tests.state_backends import BACKENDS, TEST_KEY, Backend, backend
from vgi_host.protocol.arguments import Arguments

GROUPS = 1_000
UPDATES = 24
ROWS = 2_048
REPLICAS = 3


@pytest.fixture(params=BACKENDS)
def store_backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    with backend(request.param, tmp_path, monkeypatch) as b:
        yield b


@pytest.fixture
def replicas(store_backend: Backend, serve_argv: list[str]) -> Iterator[list[PipeReplica]]:
    # The store through `serve --state-store` (the environment variable is covered by unit tests).
    env = {"VGI_SIGNING_KEY": TEST_KEY, "VGI_HOST_PACKS": "testkit"}
    with pipe_replicas([*serve_argv, "--state-store", store_backend.url], REPLICAS, env) as started:
        yield started


def batches(seed: int) -> tuple[list[pa.RecordBatch], list[int]]:
    """UPDATES batches of ROWS rows over GROUPS groups, and the exact per-group sums."""
    rng = random.Random(seed)
    expected = [0] * GROUPS
    out = []
    for _ in range(UPDATES):
        gids = [rng.randrange(GROUPS) for _ in range(ROWS)]
        values = [rng.randrange(-1_000, 1_000_000) for _ in range(ROWS)]
        for gid, value in zip(gids, values, strict=True):
            expected[gid] += value
        out.append(
            pa.RecordBatch.from_arrays(
                [pa.array(gids, pa.int64()), pa.array(values, pa.int64())], names=["__vgi_group_id", "value"]
            )
        )
    seen = {int(g) for batch in out for g in batch.column(0).to_pylist()}
    return out, [expected[g] if g in seen else None for g in range(GROUPS)]  # type: ignore[misc]


def test_round_robin_over_three_processes_is_exact(replicas: list[PipeReplica]) -> None:
    data, expected = batches(seed=12)
    run = round_robin_aggregate(replicas, schema="testkit", function="sum_int", batches=data, groups=GROUPS)
    assert run.results == expected
    assert run.calls_per_replica == [9, 9, 8]  # 24 updates, finalize, destructor, in turn
    assert len({r.pid for r in replicas}) == REPLICAS


def test_killing_one_process_mid_aggregate_the_rest_finish_exactly(replicas: list[PipeReplica]) -> None:
    data, expected = batches(seed=14)
    run = round_robin_aggregate(
        replicas, schema="testkit", function="sum_int", batches=data, groups=GROUPS, kill=(8, 1)
    )
    assert run.killed == 1
    assert not replicas[1].alive
    assert replicas[1].process.returncode == -9
    assert run.results == expected
    assert run.calls_per_replica[1] == 3  # updates 2, 5 and 8, then it was dead


def test_a_blob_altered_in_the_store_is_refused(replicas: list[PipeReplica], store_backend: Backend) -> None:
    data, _ = batches(seed=16)

    def tamper(execution_id: bytes) -> None:
        store = store_backend.open()
        try:
            snapshot = store.read(execution_id, 0)
            blob = snapshot.base if snapshot.base is not None else snapshot.segments[-1]
            forged = blob[:-1] + bytes([blob[-1] ^ 1])  # one bit of the payload
            assert forged != blob
            assert store.commit(execution_id, snapshot.version, forged, replace=True)
        finally:
            store.close()

    with pytest.raises(
        RpcError, match=r"testkit\.sum_int: refusing a states blob of aggregate execution [0-9a-f]{32}"
    ):
        round_robin_aggregate(
            replicas,
            schema="testkit",
            function="sum_int",
            batches=data[:3],
            groups=GROUPS,
            before_finalize=tamper,
        )
    assert all(r.alive for r in replicas)  # refused, not crashed


def test_buffering_sinks_combine_and_source_on_different_processes(replicas: list[PipeReplica]) -> None:
    rng = random.Random(18)
    data = [
        pa.record_batch({"v": pa.array([rng.randrange(-10_000, 10_000) for _ in range(500)], pa.int64())})
        for _ in range(7)
    ]
    run = round_robin_buffering(
        replicas,
        schema="testkit",
        function="sort_rank",
        batches=data,
        arguments=Arguments(positional=(pa.scalar("v"),), named={"chunk": pa.scalar(400)}),
    )
    values = sorted(v for batch in data for v in batch.column("v").to_pylist())
    out = [row for batch in run.batches for row in batch.to_pylist()]
    assert [r["v"] for r in out] == values
    assert [r["rank"] for r in out] == list(range(1, len(values) + 1))
    assert [b.num_rows for b in run.batches] == [400] * 8 + [300]
    # bind, sink init, 7 sinks, combine, one source stream (drained where it opened), destructor
    assert run.calls_per_replica == [4, 4, 4]
