"""What only the SQLite store does: private files, no planted WAL, old layouts, vacuum, ageing.

The behaviour every backend shares is in test_state_contract.py.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from vgi_host.state.sqlite import STATE_DB_ENV, SqliteStateStore, default_state_path
from vgi_host.state.store import StateStoreError, UnknownExecutionError

EXEC = b"\x01" * 16
posix_only = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership and modes")


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


@posix_only
def test_created_files_and_directories_are_private(store: SqliteStateStore, db_path: Path) -> None:
    store.create(EXEC, b"b")
    assert store.commit(EXEC, 0, b"x", replace=False)
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    for path in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


@posix_only
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("mode", [0o644, 0o660, 0o606])
def test_a_database_or_companion_others_can_read_or_write_is_refused(
    db_path: Path, suffix: str, mode: int
) -> None:
    """Issue 14 item 1: a planted -wal would be replayed on open; refuse before SQLite sees it."""
    db_path.parent.mkdir(mode=0o700, parents=True)
    planted = db_path.with_name(db_path.name + suffix)
    planted.write_bytes(b"")
    planted.chmod(mode)
    store = SqliteStateStore(db_path)
    with pytest.raises(StateStoreError, match=rf"{planted.name}.*group or others.*mode {mode:o}"):
        store.create(EXEC, b"b")
    store.close()


@posix_only
def test_a_companion_owned_by_someone_else_is_refused(db_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to give a file to another uid")
    db_path.parent.mkdir(mode=0o700, parents=True)
    planted = db_path.with_name(db_path.name + "-wal")
    planted.write_bytes(b"forged frames")
    planted.chmod(0o600)
    os.chown(planted, 65534, 65534)
    store = SqliteStateStore(db_path)
    with pytest.raises(StateStoreError, match=r"-wal.*belongs to uid 65534"):
        store.create(EXEC, b"b")
    store.close()


@posix_only
@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770])
def test_a_directory_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    store = SqliteStateStore(shared / "state.sqlite3")
    with pytest.raises(StateStoreError, match=r"directory .*shared.*written by group or others"):
        store.create(EXEC, b"b")
    assert not (shared / "state.sqlite3").exists()  # refused before creating anything
    store.close()


@posix_only
def test_a_symlinked_database_is_refused(db_path: Path, tmp_path: Path) -> None:
    db_path.parent.mkdir(mode=0o700, parents=True)
    target = tmp_path / "elsewhere.sqlite3"
    target.write_bytes(b"")
    db_path.symlink_to(target)
    store = SqliteStateStore(db_path)
    with pytest.raises(StateStoreError, match="cannot open"):
        store.create(EXEC, b"b")
    store.close()


def test_an_old_layout_is_replaced_and_switched_to_incremental_vacuum(db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o700, parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE states (execution_no INTEGER, group_id INTEGER, state BLOB)")
    conn.execute("INSERT INTO states VALUES (1, 1, x'00')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    db_path.chmod(0o600)
    store = SqliteStateStore(db_path)
    store.create(EXEC, b"b")
    assert store.read(EXEC, 0, with_bind=True).bind == b"b"
    store.close()
    conn = sqlite3.connect(db_path)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"executions", "segments"}
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL
    conn.close()


def test_wal_mode_bounded_wal_and_incremental_vacuum(store: SqliteStateStore, db_path: Path) -> None:
    store.create(EXEC, b"b")
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    conn.close()


def test_purge_gives_space_back(db_path: Path) -> None:
    """Issue 14 item 10: the file shrinks again after abandoned executions are purged."""
    clock = Clock()
    store = SqliteStateStore(db_path, clock=clock)
    blob = os.urandom(200_000)
    for n in range(40):
        execution = n.to_bytes(16, "big")
        store.create(execution, b"b")
        assert store.commit(execution, 0, blob, replace=True)
    store.close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    full = db_path.stat().st_size
    assert full > 40 * 200_000
    clock.now += 100
    store = SqliteStateStore(db_path, clock=clock)
    removed = 0
    while batch := store.purge_idle(10, limit=15):
        removed += batch
    assert removed == 40
    store.close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert db_path.stat().st_size < full / 4


def test_every_commit_refreshes_the_age(db_path: Path) -> None:
    clock = Clock()
    store = SqliteStateStore(db_path, clock=clock)
    store.create(EXEC, b"b")
    clock.now += 50
    assert store.commit(EXEC, 0, b"x", replace=False)
    clock.now += 50
    assert store.purge_idle(60) == 0
    clock.now += 20
    assert store.purge_idle(60) == 1
    with pytest.raises(UnknownExecutionError):
        store.read(EXEC, 0)
    store.close()


def test_the_opportunistic_purge_runs_in_create_not_in_commits(db_path: Path) -> None:
    clock = Clock()
    old = SqliteStateStore(db_path, clock=clock)
    old.create(EXEC, b"b")
    old.close()
    clock.now += 10_000
    later = SqliteStateStore(db_path, ttl_seconds=100, clock=clock)
    later.create(b"\x02" * 16, b"b")  # first create of this process purges once
    with pytest.raises(UnknownExecutionError):
        later.read(EXEC, 0)
    later.close()


def test_default_path_and_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(STATE_DB_ENV, raising=False)
    default = default_state_path()
    assert default.name == "aggregate-state.sqlite3"
    assert "vgi-host" in default.parts
    monkeypatch.setenv(STATE_DB_ENV, str(tmp_path / "env.sqlite3"))
    assert default_state_path() == tmp_path / "env.sqlite3"
    assert SqliteStateStore().path == tmp_path / "env.sqlite3"
    assert not (tmp_path / "env.sqlite3").exists()  # nothing is opened before the first call


def _create(path: str, worker: int, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait(60)
    store = SqliteStateStore(path)
    try:
        store.create(bytes([worker]) * 16, b"w%d" % worker)
    finally:
        store.close()


def test_concurrent_first_creation(db_path: Path) -> None:
    """Several processes creating the file, switching it to WAL and creating tables at once."""
    workers = 6
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(workers)
    processes = [context.Process(target=_create, args=(str(db_path), w, start)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0] * workers
    store = SqliteStateStore(db_path)
    assert [store.read(bytes([w]) * 16, 0, with_bind=True).bind for w in range(workers)] == [
        b"w%d" % w for w in range(workers)
    ]
    store.close()
