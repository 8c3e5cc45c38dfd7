"""The default state store: one SQLite file shared by every host process of the user.

Correct on one machine only (the file cannot be shared between machines);
use Redis or PostgreSQL for replicas on several machines.

Layout: one ``executions`` row per aggregate execution (bind request,
version, base blob) and one ``segments`` row per commit since the base.
Every write is one short ``BEGIN IMMEDIATE`` transaction that checks the
version and writes one row (pack code never runs inside it); reads are one
deferred transaction, a consistent WAL snapshot that never waits for writers.

Housekeeping (issue 14, item 10):

* idle executions are purged **incrementally**, at most ``limit`` per
  transaction and at most once per ``purge_interval`` per process (measured
  with the monotonic clock), in their own transactions, never inside a
  commit or a bind;
* ``auto_vacuum = INCREMENTAL`` plus ``incremental_vacuum`` after a purge
  hands freed pages back to the file system, and ``journal_size_limit``
  bounds the WAL file after checkpoints;
* an execution's ``touched`` time is wall-clock seconds because it must mean
  the same in every process and across restarts; a clock stepped backwards
  only delays a purge, and the 24 h TTL dwarfs ordinary clock corrections.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from vgi_host.state.private_files import PrivateDatabase, UnsafeStateFileError, open_private_database
from vgi_host.state.store import (
    DEFAULT_TTL_SECONDS,
    Snapshot,
    StateStoreError,
    UnknownExecutionError,
)

__all__ = ["STATE_DB_ENV", "SqliteStateStore", "default_state_path"]

logger = logging.getLogger(__name__)

#: Environment variable that overrides where the SQLite state database lives.
STATE_DB_ENV: Final = "VGI_HOST_STATE_DB"

DEFAULT_PURGE_INTERVAL_SECONDS: Final = 10 * 60.0
DEFAULT_BUSY_TIMEOUT_SECONDS: Final = 30.0
_WAL_LIMIT_BYTES: Final = 64 << 20
_VACUUM_PAGES: Final = 2048

_SCHEMA_VERSION: Final = 2
_SCHEMA: Final = (
    """CREATE TABLE executions (
        execution_id BLOB PRIMARY KEY,
        bind BLOB NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        base BLOB,
        base_version INTEGER NOT NULL DEFAULT 0,
        touched REAL NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX executions_touched ON executions (touched)",
    """CREATE TABLE segments (
        execution_id BLOB NOT NULL,
        version INTEGER NOT NULL,
        blob BLOB NOT NULL,
        PRIMARY KEY (execution_id, version)
    ) WITHOUT ROWID""",
)
_OLD_TABLES: Final = ("states", "meta", "executions", "segments")


def default_state_path() -> Path:
    """``$VGI_HOST_STATE_DB``, or ``aggregate-state.sqlite3`` in the user's state directory."""
    override = os.environ.get(STATE_DB_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_state_path("vgi-host") / "aggregate-state.sqlite3"


class SqliteStateStore:
    """A :class:`~vgi_host.state.store.StateStore` in one SQLite file (WAL mode).

    The connection is opened lazily once per process (reopened after a fork);
    threads share it through a lock.  ``clock`` (wall-clock seconds) is
    injectable so tests can age executions.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        purge_interval_seconds: float = DEFAULT_PURGE_INTERVAL_SECONDS,
        busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._path = Path(path).expanduser() if path is not None else default_state_path()
        self._ttl = ttl_seconds
        self._purge_interval = purge_interval_seconds
        self._busy_timeout = busy_timeout_seconds
        self._clock = clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._files: PrivateDatabase | None = None
        self._pid = 0
        self._next_purge = 0.0  # time.monotonic(); 0: purge soon after this process's first write

    @property
    def path(self) -> Path:
        """The database file (it may not exist before the first call)."""
        return self._path

    @property
    def location(self) -> str:
        """Where the states live, for messages (no password)."""
        return f"sqlite:///{self._path}"

    @property
    def networked(self) -> bool:
        """Whether other machines may write this store."""
        return False

    # -- the StateStore contract ------------------------------------------------------------

    def create(self, execution_id: bytes, bind: bytes) -> None:
        """Record a new execution at version 0 with its sealed bind request."""
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO executions (execution_id, bind, touched) VALUES (?, ?, ?)",
                (bytes(execution_id), bind, self._clock()),
            )
        )
        self._maybe_purge()

    def read(self, execution_id: bytes, since: int, *, with_bind: bool = False) -> Snapshot:
        """What changed after version *since* (see StateStore.read)."""
        key = bytes(execution_id)
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN")
                try:
                    row = conn.execute(
                        "SELECT version, base_version, bind FROM executions WHERE execution_id = ?", (key,)
                    ).fetchone()
                    if row is None:
                        raise UnknownExecutionError(self._unknown(key))
                    version, base_version, bind = row
                    if since > version:
                        since = 0
                    base: bytes | None = None
                    if base_version > since:
                        base = conn.execute(
                            "SELECT base FROM executions WHERE execution_id = ?", (key,)
                        ).fetchone()[0]
                        since = base_version
                    segments = tuple(
                        blob
                        for (blob,) in conn.execute(
                            "SELECT blob FROM segments WHERE execution_id = ? AND version > ? "
                            "ORDER BY version",
                            (key, since),
                        )
                    )
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return Snapshot(version, base, segments, bind if with_bind else None)

    def commit(self, execution_id: bytes, expected_version: int, blob: bytes, *, replace: bool) -> bool:
        """Write version ``expected_version + 1`` if nobody else did first (see StateStore.commit)."""
        key = bytes(execution_id)

        def work(conn: sqlite3.Connection) -> bool:
            new = expected_version + 1
            if replace:
                changed = conn.execute(
                    "UPDATE executions SET version = ?, base = ?, base_version = ?, touched = ? "
                    "WHERE execution_id = ? AND version = ?",
                    (new, blob, new, self._clock(), key, expected_version),
                ).rowcount
            else:
                changed = conn.execute(
                    "UPDATE executions SET version = ?, touched = ? WHERE execution_id = ? AND version = ?",
                    (new, self._clock(), key, expected_version),
                ).rowcount
            if not changed:
                if conn.execute("SELECT 1 FROM executions WHERE execution_id = ?", (key,)).fetchone() is None:
                    raise UnknownExecutionError(self._unknown(key))
                return False
            if replace:
                conn.execute("DELETE FROM segments WHERE execution_id = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO segments (execution_id, version, blob) VALUES (?, ?, ?)", (key, new, blob)
                )
            return True

        return self._write(work)

    def drop(self, execution_id: bytes) -> None:
        """Delete the execution; log and swallow failures (the TTL removes leftovers)."""
        key = bytes(execution_id)
        try:
            self._write(lambda conn: _delete(conn, [(key,)]))
        except Exception:
            logger.warning(
                "could not drop aggregate execution %s from %s; the idle purge will remove it",
                key.hex(),
                self._path,
                exc_info=True,
            )

    def purge_idle(self, seconds: float, *, limit: int = 500) -> int:
        """Delete up to *limit* executions idle for more than *seconds*; return how many."""
        cutoff = self._clock() - seconds

        def work(conn: sqlite3.Connection) -> int:
            stale = conn.execute(
                "SELECT execution_id FROM executions WHERE touched < ? LIMIT ?", (cutoff, limit)
            ).fetchall()
            _delete(conn, stale)
            return len(stale)

        removed = self._write(work)
        if removed:
            with self._lock:
                conn = self._connection()
                try:
                    conn.execute(f"PRAGMA incremental_vacuum({_VACUUM_PAGES})").fetchall()
                except sqlite3.Error:
                    logger.debug("incremental_vacuum failed on %s", self._path, exc_info=True)
        return removed

    def close(self) -> None:
        """Release this process's connections; the stored states stay."""
        with self._lock:
            if self._pid == os.getpid():
                if self._conn is not None:
                    self._conn.close()
                if self._files is not None:
                    self._files.close()
            self._conn = None
            self._files = None

    # -- internals -------------------------------------------------------------------------

    def _maybe_purge(self) -> None:
        """Purge a bounded slice of idle executions, at most once per interval; never fails the caller."""
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + self._purge_interval
        try:
            removed = self.purge_idle(self._ttl)
        except Exception:
            logger.warning("could not purge idle aggregate states from %s", self._path, exc_info=True)
            return
        if removed:
            logger.info("purged %d idle aggregate execution(s) from %s", removed, self._path)

    def _write[T](self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run *work* in its own short ``BEGIN IMMEDIATE`` transaction."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            return result

    def _connection(self) -> sqlite3.Connection:
        """The process's connection, opened (files checked, schema created) on first use."""
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        # A connection inherited through fork() must not be used (nor closed) by the child.
        self._conn = None
        self._files = None
        hint = f"Fix the permissions, or point {STATE_DB_ENV} / --state-store at a private directory."
        try:
            files = open_private_database(self._path, hint=hint)
        except UnsafeStateFileError as exc:
            raise StateStoreError(str(exc)) from exc
        except OSError as exc:
            raise StateStoreError(f"cannot open aggregate state store {self._path}: {exc}") from exc
        try:
            conn = sqlite3.connect(
                files.sqlite_path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            files.close()
            raise StateStoreError(f"cannot open aggregate state store {self._path}: {exc}") from exc
        try:
            _retry_while_locked(lambda: _configure(conn), self._busy_timeout)
            _retry_while_locked(lambda: _ensure_schema(conn), self._busy_timeout)
        except sqlite3.Error as exc:
            conn.close()
            files.close()
            raise self._error(exc) from exc
        except BaseException:
            conn.close()
            files.close()
            raise
        self._conn = conn
        self._files = files
        self._pid = os.getpid()
        return conn

    def _unknown(self, key: bytes) -> str:
        return (
            f"unknown aggregate execution {key.hex()} in {self._path} "
            "(never bound, already destroyed, or idle for longer than the TTL)"
        )

    def _error(self, exc: sqlite3.Error) -> StateStoreError:
        return StateStoreError(f"aggregate state store {self._path}: {exc}")


def _delete(conn: sqlite3.Connection, keys: list[tuple[bytes]] | list[tuple[object]]) -> None:
    if keys:
        conn.executemany("DELETE FROM segments WHERE execution_id = ?", keys)
        conn.executemany("DELETE FROM executions WHERE execution_id = ?", keys)


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (some errors already rolled it back)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            logger.warning("rollback of an aggregate state transaction failed", exc_info=True)


def _configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings; ``auto_vacuum`` only takes on a file without tables."""
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        logger.warning("aggregate state store runs in %s journal mode, not WAL", mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT_BYTES}")
    conn.execute("PRAGMA temp_store = MEMORY")


def _ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables once; replace an older layout (it holds only in-flight states)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == _SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        migrated = version not in (0, _SCHEMA_VERSION)
        if version != _SCHEMA_VERSION:
            for table in _OLD_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    if migrated and conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
        # An old file: switching auto_vacuum needs one VACUUM (outside any transaction).
        try:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("VACUUM")
        except sqlite3.Error:
            logger.info("could not switch the old state store to incremental auto_vacuum", exc_info=True)


def _retry_while_locked(work: Callable[[], None], timeout: float) -> None:
    """Retry *work* while a brand-new file is being set up by another process.

    The busy timeout covers ordinary transactions, but switching a new file to
    WAL can report ``SQLITE_BUSY`` at once when several processes create it.
    """
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            work()
        except sqlite3.OperationalError as exc:
            locked = (exc.sqlite_errorcode & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not locked or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        else:
            return
