"""One contract, three backends: SQLite, Redis and PostgreSQL behave the same to the host.

Redis and PostgreSQL run on 127.0.0.1 on the project's machines and in CI;
without them these cases skip with the reason (see tests/state_backends.py).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from tests.state_backends import BACKENDS, TEST_KEY, Backend, backend
from vgi_host.state.store import StateStore, UnknownExecutionError

EXEC = b"\x01" * 16
OTHER = b"\x02" * 16


@pytest.fixture(params=BACKENDS)
def store_backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    with backend(request.param, tmp_path, monkeypatch) as b:
        yield b


@pytest.fixture
def store(store_backend: Backend) -> Iterator[StateStore]:
    s = store_backend.open()
    yield s
    s.close()


def test_a_new_execution_is_empty_at_version_zero(store: StateStore) -> None:
    store.create(EXEC, b"bind-request")
    snapshot = store.read(EXEC, 0, with_bind=True)
    assert (snapshot.version, snapshot.base, snapshot.segments, snapshot.bind) == (
        0,
        None,
        (),
        b"bind-request",
    )
    assert store.read(EXEC, 0).bind is None  # only when asked for


def test_unknown_executions_are_refused(store: StateStore) -> None:
    with pytest.raises(UnknownExecutionError, match=EXEC.hex()):
        store.read(EXEC, 0)
    with pytest.raises(UnknownExecutionError, match=EXEC.hex()):
        store.commit(EXEC, 0, b"x", replace=False)


def test_segments_come_back_in_order_and_only_after_the_version_asked(store: StateStore) -> None:
    store.create(EXEC, b"b")
    for version, blob in enumerate([b"one", b"two", b"three"]):
        assert store.commit(EXEC, version, blob, replace=False)
    assert store.read(EXEC, 0).segments == (b"one", b"two", b"three")
    assert store.read(EXEC, 2).segments == (b"three",)
    latest = store.read(EXEC, 3)
    assert (latest.version, latest.base, latest.segments) == (3, None, ())


def test_a_stale_version_is_a_conflict_and_writes_nothing(store: StateStore) -> None:
    store.create(EXEC, b"b")
    assert store.commit(EXEC, 0, b"first", replace=False)
    assert not store.commit(EXEC, 0, b"lost race", replace=False)
    assert not store.commit(EXEC, 5, b"from the future", replace=True)
    snapshot = store.read(EXEC, 0)
    assert (snapshot.version, snapshot.base, snapshot.segments) == (1, None, (b"first",))


def test_a_base_replaces_every_segment(store: StateStore) -> None:
    store.create(EXEC, b"b")
    assert store.commit(EXEC, 0, b"s1", replace=False)
    assert store.commit(EXEC, 1, b"s2", replace=False)
    assert store.commit(EXEC, 2, b"all", replace=True)
    assert store.commit(EXEC, 3, b"s4", replace=False)
    stale_reader = store.read(EXEC, 1)  # knew version 1: the base replaces what it had
    assert (stale_reader.version, stale_reader.base, stale_reader.segments) == (4, b"all", (b"s4",))
    assert store.read(EXEC, 3).base is None
    assert store.read(EXEC, 3).segments == (b"s4",)
    ahead = store.read(EXEC, 99)  # a reader "ahead" of the store starts over
    assert (ahead.base, ahead.segments) == (b"all", (b"s4",))


def test_binary_blobs_are_kept_exactly(store: StateStore) -> None:
    blob = bytes(range(256)) * 300
    store.create(EXEC, blob[:1000])
    assert store.commit(EXEC, 0, blob, replace=True)
    snapshot = store.read(EXEC, 0, with_bind=True)
    assert snapshot.base == blob
    assert snapshot.bind == blob[:1000]


def test_executions_are_isolated_and_drop_deletes_one(store: StateStore) -> None:
    store.create(EXEC, b"a")
    store.create(OTHER, b"b")
    assert store.commit(EXEC, 0, b"mine", replace=False)
    assert store.read(OTHER, 0).segments == ()
    store.drop(EXEC)
    with pytest.raises(UnknownExecutionError):
        store.read(EXEC, 0)
    assert store.read(OTHER, 0, with_bind=True).bind == b"b"
    store.drop(EXEC)  # dropping twice is fine


def test_another_connection_sees_commits(store_backend: Backend, store: StateStore) -> None:
    store.create(EXEC, b"b")
    other = store_backend.open()
    try:
        assert other.commit(EXEC, 0, b"from elsewhere", replace=False)
        assert store.read(EXEC, 0).segments == (b"from elsewhere",)
    finally:
        other.close()


def test_idle_executions_expire(store_backend: Backend) -> None:
    """SQLite and PostgreSQL purge (bounded per call); Redis expires keys by itself."""
    store = store_backend.open(ttl=0.3)
    try:
        store.create(EXEC, b"old")
        time.sleep(0.6)
        store.create(OTHER, b"new")
        removed = store.purge_idle(0.3)
        if store_backend.name == "redis":
            assert removed == 0  # nothing to purge: the server already expired the key
        else:
            assert removed == 1
        with pytest.raises(UnknownExecutionError):
            store.read(EXEC, 0)
        assert store.read(OTHER, 0, with_bind=True).bind == b"new"
    finally:
        store.close()


@pytest.mark.parametrize("name", ["sqlite", "postgresql"])  # Redis expires keys itself: no purge
def test_purge_is_bounded_per_call(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with backend(name, tmp_path, monkeypatch) as store_backend:
        _check_bounded_purge(store_backend)


def _check_bounded_purge(store_backend: Backend) -> None:
    store = store_backend.open()
    try:
        for n in range(5):
            store.create(bytes([n]) * 16, b"b")
        time.sleep(0.05)
        assert store.purge_idle(0.01, limit=2) == 2
        assert store.purge_idle(0.01, limit=2) == 2
        assert store.purge_idle(0.01, limit=2) == 1
        assert store.purge_idle(0.01, limit=2) == 0
    finally:
        store.close()


def test_location_never_shows_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vgi_host.state.config import check_state_store

    monkeypatch.setenv("VGI_SIGNING_KEY", TEST_KEY)
    for url in ("redis://user:s3cret@127.0.0.1:6379/0", "postgresql://me:s3cret@127.0.0.1:5432/test"):
        settings = check_state_store(url)
        assert "s3cret" not in settings.display
        assert "s3cret" not in Backend("x", url).open().location


# -- N processes x M commits on one execution ---------------------------------------------------


def _increment(
    url: str, key: str, execution_id: bytes, times: int, start: multiprocessing.synchronize.Event
) -> None:
    """Read-modify-write a counter *times* times through the real Aggregates, as a host process would."""
    import os

    os.environ["VGI_SIGNING_KEY"] = key
    from tests.state_backends import Backend
    from tests.unit.test_pack_loading import candidate
    from vgi_host.host.registry import PackRegistry
    from vgi_host.host.routing import Router
    from vgi_host.kinds.aggregate_calls import Aggregates
    from vgi_host.packs.discovery import Discovery
    from vgi_host.protocol.aggregate import AggregateUpdateRequest

    registry = PackRegistry.load(Discovery((candidate("aggregates", "agg"),), ()), use_cache=False)
    aggregates = Aggregates(Router(registry).resolve, Backend("x", url).open())
    batch = pa.RecordBatch.from_pydict(
        {"g": pa.array([0, 1, 2, 0], pa.int64()), "v": pa.array([1, 10, 100, 1000], pa.int64())}
    )
    start.wait(30)
    for _ in range(times):
        aggregates.update(
            AggregateUpdateRequest(
                function_name="total", execution_id=execution_id, input_batch=batch, schema_path=["agg"]
            )
        )
    aggregates.store.close()


def test_no_lost_update_with_processes_racing_on_one_execution(store_backend: Backend) -> None:
    from tests.unit.test_aggregates import bind_on, finalize_on

    processes, updates = 4, 25
    aggregates, execution_id = bind_on(store_backend.open())
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_increment, args=(store_backend.url, TEST_KEY, execution_id, updates, start))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0] * processes
    n = processes * updates
    assert finalize_on(aggregates, execution_id, [0, 1, 2, 3]) == [1001 * n, 10 * n, 100 * n, None]
    aggregates.store.close()
