"""The shared aggregate state store: round trips, atomicity, ageing, and several processes."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.synchronize
import os
import sqlite3
import stat
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vgi_host.state import store as state_store
from vgi_host.state.store import (
    STATE_DB_ENV,
    SqliteStateStore,
    StateStore,
    StateStoreError,
    default_state_path,
    default_state_store,
)

EXEC = b"\x01" * 16
OTHER = b"\x02" * 16


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "aggregate-state.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStateStore]:
    s = SqliteStateStore(db_path)
    yield s
    s.close()


def test_sqlite_store_satisfies_the_protocol(store: SqliteStateStore) -> None:
    typed: StateStore = store
    assert typed is store


def test_round_trip_and_unknown_ids(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        assert session.execution_id == EXEC
        assert session.load([1, 2, 3]) == {}
        session.save({1: b"one", 2: b"two"})
        # Visible inside the same session already.
        assert session.load([2]) == {2: b"two"}
    with store.session(EXEC) as session:
        assert session.load([1, 2, 3]) == {1: b"one", 2: b"two"}
        assert session.load([]) == {}


@pytest.mark.parametrize("ids", [range(0, 50), range(0, 5000, 100), [7, -3, 10**12, 2**62]])
def test_load_dense_and_sparse_ids(store: SqliteStateStore, ids: range | list[int]) -> None:
    """Dense ids take the range scan, sparse ones json_each; both return exactly what was asked."""
    stored = {gid: struct.pack("<q", gid) for gid in ids}
    neighbours = {max(ids) + 1: b"x", min(ids) - 1: b"y"}
    with store.session(EXEC) as session:
        session.save(stored | neighbours)
    with store.session(EXEC) as session:
        assert session.load(ids) == stored
        assert session.load([*ids, 999_999_999]) == stored


def test_executions_are_isolated(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        session.save({1: b"mine"})
        session.set_meta("bind", b"call")
    with store.session(OTHER) as session:
        assert session.load([1]) == {}
        assert session.get_meta("bind") is None


def test_upsert_replaces(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        session.save({1: b"a", 2: b"b"})
    with store.session(EXEC) as session:
        session.save({2: b"B", 3: b"C"})
    with store.session(EXEC) as session:
        assert session.load(range(5)) == {1: b"a", 2: b"B", 3: b"C"}


def test_group_ids_must_be_integers(store: SqliteStateStore) -> None:
    numpy = pytest.importorskip("numpy")
    with store.session(EXEC) as session:
        session.save({numpy.int64(4): b"four"})  # type: ignore[dict-item]
        assert session.load(numpy.array([4, 5])) == {4: b"four"}
        with pytest.raises(TypeError):
            session.load([1.5])  # type: ignore[list-item]


def test_delete_groups(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        session.save({1: b"a", 2: b"b", 3: b"c"})
        session.delete_groups([2, 99])
        session.delete_groups([])
    with store.session(EXEC) as session:
        assert session.load([1, 2, 3]) == {1: b"a", 3: b"c"}


def test_meta(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        assert session.get_meta("bind") is None
        session.set_meta("bind", b"v1")
        session.set_meta("bind", b"v2")
        session.set_meta("other", b"")
    with store.session(EXEC) as session:
        assert session.get_meta("bind") == b"v2"
        assert session.get_meta("other") == b""


def test_exception_rolls_back_everything(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        session.save({1: b"before"})

    class BoomError(Exception):
        pass

    def fail_midway() -> None:
        with store.session(EXEC) as session:
            session.save({1: b"after", 2: b"new"})
            session.set_meta("bind", b"x")
            raise BoomError

    with pytest.raises(BoomError):
        fail_midway()
    with store.session(EXEC) as session:
        assert session.load([1, 2]) == {1: b"before"}
        assert session.get_meta("bind") is None


def test_session_cannot_be_used_after_its_block(store: SqliteStateStore) -> None:
    with store.session(EXEC) as session:
        pass
    with pytest.raises(StateStoreError, match="ended"):
        session.load([1])


def test_sessions_cannot_nest(store: SqliteStateStore) -> None:
    with store.session(EXEC), pytest.raises(StateStoreError, match="nested"), store.session(OTHER):
        pass
    with store.session(EXEC) as session:  # the store is still usable
        session.save({1: b"ok"})


def test_read_only_session(store: SqliteStateStore) -> None:
    with store.session(EXEC, read_only=True) as session:  # unknown execution: empty, no row created
        assert session.load([1]) == {}
        assert session.get_meta("bind") is None
    with store.session(EXEC) as session:
        session.save({1: b"a"})
        session.set_meta("bind", b"m")
    with store.session(EXEC, read_only=True) as session:
        assert session.load([1]) == {1: b"a"}
        assert session.get_meta("bind") == b"m"
        with pytest.raises(StateStoreError, match="read-only"):
            session.save({1: b"b"})
        with pytest.raises(StateStoreError, match="read-only"):
            session.set_meta("bind", b"x")


def test_drop(store: SqliteStateStore) -> None:
    for execution in (EXEC, OTHER):
        with store.session(execution) as session:
            session.save({1: b"a"})
            session.set_meta("bind", b"m")
    store.drop(EXEC)
    store.drop(EXEC)  # twice: a no-op
    store.drop(b"\x09" * 16)  # never existed
    with store.session(EXEC) as session:
        assert session.load([1]) == {}
        assert session.get_meta("bind") is None
    with store.session(OTHER) as session:
        assert session.load([1]) == {1: b"a"}


def test_drop_never_raises(
    store: SqliteStateStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_connection", broken)
    with caplog.at_level(logging.WARNING, logger=state_store.__name__):
        store.drop(EXEC)
    assert "could not drop aggregate execution" in caplog.text


def test_purge_older_than(db_path: Path) -> None:
    clock = Clock()
    store = SqliteStateStore(db_path, clock=clock, purge_interval_seconds=float("inf"))
    try:
        with store.session(EXEC) as session:
            session.save({1: b"old"})
            session.set_meta("bind", b"m")
        clock.now += 100
        with store.session(OTHER) as session:
            session.save({1: b"new"})
        clock.now += 20
        assert store.purge_older_than(50) == 1  # EXEC was last touched 120 s ago, OTHER 20 s ago
        assert store.purge_older_than(50) == 0
        with store.session(OTHER, read_only=True) as session:
            assert session.load([1]) == {1: b"new"}
        with store.session(EXEC, read_only=True) as session:
            assert session.load([1]) == {}
            assert session.get_meta("bind") is None
    finally:
        store.close()


def test_every_writing_session_refreshes_the_age(db_path: Path) -> None:
    clock = Clock()
    store = SqliteStateStore(db_path, clock=clock, purge_interval_seconds=float("inf"))
    try:
        with store.session(EXEC) as session:
            session.save({1: b"a"})
        clock.now += 100
        with store.session(EXEC) as session:  # a live query keeps its states
            session.load([1])
        clock.now += 10
        assert store.purge_older_than(50) == 0
    finally:
        store.close()


def test_opportunistic_purge_on_first_session(db_path: Path) -> None:
    clock = Clock()
    first = SqliteStateStore(db_path, clock=clock)
    with first.session(EXEC) as session:
        session.save({1: b"from a crashed query"})
    first.close()
    clock.now += 25 * 60 * 60  # past the default 24 h
    later = SqliteStateStore(db_path, clock=clock)  # another process, later
    try:
        with later.session(OTHER) as session:
            session.save({1: b"x"})
        with later.session(EXEC, read_only=True) as session:
            assert session.load([1]) == {}
    finally:
        later.close()


def test_files_are_private(db_path: Path) -> None:
    store = SqliteStateStore(db_path)
    try:
        with store.session(EXEC) as session:
            session.save({1: b"a"})
    finally:
        store.close()
    if sys.platform == "win32":
        return
    assert stat.S_IMODE(db_path.parent.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(db_path.stat().st_mode) & 0o077 == 0


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_refuses_a_database_others_can_write(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    db_path.chmod(0o666)
    store = SqliteStateStore(db_path)
    with pytest.raises(StateStoreError, match="writable by group or others"), store.session(EXEC):
        pass


def test_refuses_an_unknown_schema_version(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    store = SqliteStateStore(db_path)
    with pytest.raises(StateStoreError, match="schema version 99"), store.session(EXEC):
        pass


def test_wal_mode(store: SqliteStateStore, db_path: Path) -> None:
    with store.session(EXEC):
        pass
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_default_path_and_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(STATE_DB_ENV, raising=False)
    default = default_state_path()
    assert default.name == "aggregate-state.sqlite3"
    assert "vgi-host" in default.parts
    monkeypatch.setenv(STATE_DB_ENV, str(tmp_path / "env.sqlite3"))
    assert default_state_path() == tmp_path / "env.sqlite3"
    assert SqliteStateStore().path == tmp_path / "env.sqlite3"
    assert SqliteStateStore(tmp_path / "arg.sqlite3").path == tmp_path / "arg.sqlite3"


def test_default_state_store_is_a_lazy_singleton(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(STATE_DB_ENV, str(tmp_path / "singleton.sqlite3"))
    monkeypatch.setattr(state_store, "_default_store", None)
    store = default_state_store()
    assert store is default_state_store()
    assert isinstance(store, SqliteStateStore)
    assert store.path == tmp_path / "singleton.sqlite3"
    assert not store.path.exists()  # nothing is opened before the first session
    store.close()


# -- several processes -----------------------------------------------------------------------


def _increment(path: str, worker: int, rounds: int, start: multiprocessing.synchronize.Barrier) -> None:
    """Read-modify-write one shared counter *rounds* times, plus a per-worker counter."""
    store = SqliteStateStore(path)
    start.wait(60)
    try:
        for _ in range(rounds):
            with store.session(EXEC) as session:
                current = session.load([0, 100 + worker])
                shared = struct.unpack("<q", current[0])[0] if 0 in current else 0
                own = struct.unpack("<q", current[100 + worker])[0] if 100 + worker in current else 0
                session.save({0: struct.pack("<q", shared + 1), 100 + worker: struct.pack("<q", own + 1)})
    finally:
        store.close()


def _create_and_write(path: str, worker: int, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait(60)
    store = SqliteStateStore(path)
    try:
        with store.session(EXEC) as session:
            session.save({worker: b"w%d" % worker})
    finally:
        store.close()


def _run_all(target: Callable[..., None], args: list[tuple[object, ...]]) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(args))
    processes = [context.Process(target=target, args=(*a, start)) for a in args]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()
    assert [process.exitcode for process in processes] == [0] * len(processes)


def test_no_lost_updates_across_processes(db_path: Path) -> None:
    workers, rounds = 4, 50
    _run_all(_increment, [(str(db_path), worker, rounds) for worker in range(workers)])
    store = SqliteStateStore(db_path)
    try:
        with store.session(EXEC, read_only=True) as session:
            states = session.load([0, *(100 + w for w in range(workers))])
    finally:
        store.close()
    counts = {gid: struct.unpack("<q", blob)[0] for gid, blob in states.items()}
    assert counts == {0: workers * rounds} | {100 + w: rounds for w in range(workers)}


def test_concurrent_first_creation(db_path: Path) -> None:
    workers = 6
    _run_all(_create_and_write, [(str(db_path), worker) for worker in range(workers)])
    store = SqliteStateStore(db_path)
    try:
        with store.session(EXEC, read_only=True) as session:
            assert session.load(range(workers)) == {w: b"w%d" % w for w in range(workers)}
    finally:
        store.close()
