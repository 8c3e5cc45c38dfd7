"""State store on PostgreSQL (``postgresql://``): psycopg 3 with a connection pool.

Two tables in the store's schema (default ``vgi_host``): ``executions`` (bind
request, version, base blob, last touched) and ``segments`` (one row per
commit since the base).  A commit is one transaction whose first statement,
``UPDATE executions ... WHERE version = expected``, takes the execution's row
lock: a concurrent commit of the same execution waits for it, then finds the
version moved and reports a conflict (the caller re-reads and retries), so no
update is lost.  A read is one statement, hence one consistent snapshot.

Idle executions (``touched`` older than the TTL, by the *server's* clock, so
host clocks do not matter) are purged incrementally, a bounded batch at a
time, at most once per interval per process (monotonic clock).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from vgi_host.state.store import DEFAULT_TTL_SECONDS, Snapshot, StateStoreError, UnknownExecutionError

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

__all__ = ["DEFAULT_SCHEMA", "PostgresStateStore"]

logger = logging.getLogger(__name__)

DEFAULT_SCHEMA: Final = "vgi_host"
_PURGE_INTERVAL_SECONDS: Final = 10 * 60.0
_SCHEMA_LOCK: Final = 0x76676973  # advisory lock key serialising CREATE TABLE across hosts


class PostgresStateStore:
    """A :class:`~vgi_host.state.store.StateStore` in PostgreSQL tables."""

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        pool_size: int = 4,
    ) -> None:
        self._url = url
        self._schema = schema or DEFAULT_SCHEMA
        if not self._schema.isidentifier():
            raise StateStoreError(f"state store schema {self._schema!r} must be a plain SQL identifier")
        self._ttl = ttl_seconds
        self._pool_size = pool_size
        self._lock = threading.Lock()
        self._pool: ConnectionPool[Any] | None = None
        self._next_purge = 0.0
        s = self._schema
        self._sql_read = (
            f"SELECT e.version, "
            f"CASE WHEN e.base_version > %(since)s THEN e.base END, "
            f"ARRAY(SELECT s.blob FROM {s}.segments s WHERE s.execution_id = e.execution_id "
            f"AND s.version > GREATEST(%(since)s, e.base_version) ORDER BY s.version), "
            f"CASE WHEN %(bind)s THEN e.bind END "
            f"FROM {s}.executions e WHERE e.execution_id = %(id)s"
        )

    @property
    def location(self) -> str:
        """Where the states live, for messages (no password)."""
        from urllib.parse import urlsplit

        parts = urlsplit(self._url)
        return f"postgresql://{parts.hostname}:{parts.port or 5432}{parts.path} (schema {self._schema})"

    @property
    def networked(self) -> bool:
        """Whether other machines may write this store."""
        return True

    def create(self, execution_id: bytes, bind: bytes) -> None:
        """Record a new execution at version 0 with its sealed bind request."""
        self._execute(
            f"INSERT INTO {self._schema}.executions (execution_id, bind) VALUES (%s, %s)",
            (bytes(execution_id), bind),
        )
        self._maybe_purge()

    def read(self, execution_id: bytes, since: int, *, with_bind: bool = False) -> Snapshot:
        """What changed after version *since* (see StateStore.read)."""
        key = bytes(execution_id)
        pool = self._connect()
        try:
            with pool.connection() as conn:
                row = conn.execute(self._sql_read, {"since": since, "bind": with_bind, "id": key}).fetchone()
                if row is not None and since > row[0]:  # a reader ahead of the store: start over
                    row = conn.execute(self._sql_read, {"since": 0, "bind": with_bind, "id": key}).fetchone()
                if row is not None:
                    conn.execute(
                        f"UPDATE {self._schema}.executions SET touched = now() WHERE execution_id = %s "
                        "AND touched < now() - interval '1 minute'",
                        (key,),
                    )
        except Exception as exc:
            raise self._error(exc) from exc
        if row is None:
            raise UnknownExecutionError(self._unknown(key))
        version, base, segments, bind = row
        return Snapshot(version, base, tuple(segments), bind)

    def commit(self, execution_id: bytes, expected_version: int, blob: bytes, *, replace: bool) -> bool:
        """Write version ``expected_version + 1`` if nobody else did first (see StateStore.commit)."""
        key = bytes(execution_id)
        s = self._schema
        pool = self._connect()
        try:
            with pool.connection() as conn, conn.transaction():
                if replace:
                    row = conn.execute(
                        f"UPDATE {s}.executions SET version = version + 1, base = %s, "
                        "base_version = version + 1, touched = now() "
                        "WHERE execution_id = %s AND version = %s RETURNING version",
                        (blob, key, expected_version),
                    ).fetchone()
                else:
                    row = conn.execute(
                        f"UPDATE {s}.executions SET version = version + 1, touched = now() "
                        "WHERE execution_id = %s AND version = %s RETURNING version",
                        (key, expected_version),
                    ).fetchone()
                if row is None:
                    exists = conn.execute(
                        f"SELECT 1 FROM {s}.executions WHERE execution_id = %s", (key,)
                    ).fetchone()
                    if exists is None:
                        raise UnknownExecutionError(self._unknown(key))
                    return False
                if replace:
                    conn.execute(f"DELETE FROM {s}.segments WHERE execution_id = %s", (key,))
                else:
                    conn.execute(
                        f"INSERT INTO {s}.segments (execution_id, version, blob) VALUES (%s, %s, %s)",
                        (key, row[0], blob),
                    )
                return True
        except UnknownExecutionError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc

    def drop(self, execution_id: bytes) -> None:
        """Delete the execution; log and swallow failures (the TTL removes leftovers)."""
        try:
            self._execute(
                f"DELETE FROM {self._schema}.executions WHERE execution_id = %s", (bytes(execution_id),)
            )
        except Exception:
            logger.warning(
                "could not drop aggregate execution %s from %s; the idle purge will remove it",
                bytes(execution_id).hex(),
                self.location,
                exc_info=True,
            )

    def purge_idle(self, seconds: float, *, limit: int = 500) -> int:
        """Delete up to *limit* executions idle for more than *seconds*; return how many."""
        s = self._schema
        pool = self._connect()
        try:
            with pool.connection() as conn:
                cursor = conn.execute(
                    f"DELETE FROM {s}.executions WHERE execution_id IN (SELECT execution_id FROM "
                    f"{s}.executions WHERE touched < now() - make_interval(secs => %s) LIMIT %s "
                    "FOR UPDATE SKIP LOCKED)",
                    (seconds, limit),
                )
                return int(cursor.rowcount)
        except Exception as exc:
            raise self._error(exc) from exc

    def close(self) -> None:
        """Release this process's connections; the stored states stay."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            atexit.unregister(self.close)
            pool.close()

    def drop_schema(self) -> None:
        """Remove the store's schema and everything in it (tests)."""
        self._execute(f"DROP SCHEMA IF EXISTS {self._schema} CASCADE", ())

    # -- internals -------------------------------------------------------------------------

    def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        pool = self._connect()
        try:
            with pool.connection() as conn:
                conn.execute(sql, params)
        except Exception as exc:
            raise self._error(exc) from exc

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + _PURGE_INTERVAL_SECONDS
        try:
            removed = self.purge_idle(self._ttl)
        except Exception:
            logger.warning("could not purge idle aggregate states from %s", self.location, exc_info=True)
            return
        if removed:
            logger.info("purged %d idle aggregate execution(s) from %s", removed, self.location)

    def _connect(self) -> ConnectionPool[Any]:
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                pool: ConnectionPool[Any] = ConnectionPool(
                    self._url,
                    min_size=1,
                    max_size=self._pool_size,
                    kwargs={"autocommit": True},
                    open=False,
                    name="vgi-host-state",
                )
                try:
                    pool.open(wait=True, timeout=30)
                    with pool.connection() as conn:
                        self._ensure_schema(conn)
                except Exception as exc:
                    pool.close()
                    raise self._error(exc) from exc
                self._pool = pool
                # Left to the garbage collector at interpreter exit, the pool waits 5 s per
                # worker thread for a stop that never comes: close it while threads still run.
                atexit.register(self.close)
            return self._pool

    def _ensure_schema(self, conn: Any) -> None:
        s = self._schema
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {s}.executions ("
                "execution_id bytea PRIMARY KEY, bind bytea NOT NULL, "
                "version bigint NOT NULL DEFAULT 0, base bytea, base_version bigint NOT NULL DEFAULT 0, "
                "touched timestamptz NOT NULL DEFAULT now())"
            )
            conn.execute(f"CREATE INDEX IF NOT EXISTS executions_touched ON {s}.executions (touched)")
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {s}.segments ("
                f"execution_id bytea NOT NULL REFERENCES {s}.executions ON DELETE CASCADE, "
                "version bigint NOT NULL, blob bytea NOT NULL, PRIMARY KEY (execution_id, version))"
            )

    def _error(self, exc: Exception) -> StateStoreError:
        return StateStoreError(f"aggregate state store {self.location}: {exc}")

    def _unknown(self, key: bytes) -> str:
        return (
            f"unknown aggregate execution {key.hex()} in {self.location} "
            "(never bound, already destroyed, or idle for longer than the TTL)"
        )
