"""The contract every aggregate state store keeps, whatever holds the bytes.

DuckDB sends the calls of one aggregate execution to any pooled process (and,
over HTTP, to any replica), so the states of an execution live in a store all
of them reach.  The store only ever sees opaque, signed blobs; what is inside
them is :mod:`vgi_host.state.codec`'s business.

One execution is a small versioned record:

* ``bind``: the serialised bind request, so any process can rebuild the call;
* ``version``: bumped by every successful :meth:`StateStore.commit`;
* ``base``: a blob with every group's state as of ``base_version`` (absent
  while ``base_version`` is 0);
* ``segments``: one blob per commit after ``base_version``, each holding only
  the groups that commit touched.

Writers never hold a lock while pack code runs.  A writer reads what changed
since the version it knows (:meth:`StateStore.read`), runs the pack's
``update``/``combine`` on its own copy, then :meth:`StateStore.commit` s with
the version it started from.  The commit is atomic and succeeds only if
nobody committed in between; otherwise the writer reads again and recomputes
(optimistic concurrency).  No update is ever lost and the only time any lock
is held is the few hundred microseconds of the commit itself.

Idle executions expire after a TTL (a crashed query never sends its
destructor) and :meth:`StateStore.drop` deletes one at once, so nothing grows
without bound.
"""

from __future__ import annotations

from dataclasses import field
from typing import Final, Protocol

from vgi_host.protocol.wire import frozen_record

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "Snapshot",
    "StateStore",
    "StateStoreError",
    "UnknownExecutionError",
]

#: Executions idle for longer than this are garbage (their query died without
#: a destructor) and are removed: by the server's own expiry (Redis) or by an
#: incremental purge (SQLite, PostgreSQL).
DEFAULT_TTL_SECONDS: Final = 24 * 60 * 60.0


class StateStoreError(Exception):
    """The store could not be reached or refused an operation; the message names the store."""


class UnknownExecutionError(StateStoreError):
    """The execution was never bound here, was destroyed, or expired."""


@frozen_record
class Snapshot:
    """What changed in one execution after the version a reader already knows.

    Apply ``base`` (when present: it replaces everything the reader had), then
    ``segments`` in order; the result is the execution at ``version``.
    """

    version: int
    base: bytes | None
    segments: tuple[bytes, ...] = field(default=())
    bind: bytes | None = None
    """The stored bind request, when it was asked for."""

    @property
    def replaces(self) -> bool:
        """Whether the reader must discard what it had before applying this."""
        return self.base is not None


class StateStore(Protocol):
    """Versioned per-execution aggregate state shared by every host process.

    All methods are safe to call from several threads and processes at once.
    Backends: :class:`vgi_host.state.sqlite.SqliteStateStore` (one machine),
    :class:`vgi_host.state.redis.RedisStateStore` and
    :class:`vgi_host.state.postgres.PostgresStateStore`.
    """

    @property
    def location(self) -> str:
        """Where the states live, for messages (never includes a password)."""
        ...

    @property
    def networked(self) -> bool:
        """Whether other machines may write this store (then every blob must be signed)."""
        ...

    def create(self, execution_id: bytes, bind: bytes) -> None:
        """Record a new execution at version 0 with its bind request."""
        ...

    def read(self, execution_id: bytes, since: int, *, with_bind: bool = False) -> Snapshot:
        """The changes after version *since* (everything when *since* is 0 or unknown).

        Raises :class:`UnknownExecutionError` when the execution does not exist.
        Redis and PostgreSQL refresh the execution's idle time on reads too;
        SQLite only on commits (a read never takes its write lock).
        """
        ...

    def commit(self, execution_id: bytes, expected_version: int, blob: bytes, *, replace: bool) -> bool:
        """Atomically write version ``expected_version + 1``; ``False`` if someone else did first.

        ``replace=False`` appends *blob* as a segment; ``replace=True`` makes it
        the new base and deletes every segment (the writer had all states).
        Raises :class:`UnknownExecutionError` when the execution does not exist.
        """
        ...

    def drop(self, execution_id: bytes) -> None:
        """Delete the execution; never raises (a leftover expires with the TTL)."""
        ...

    def purge_idle(self, seconds: float, *, limit: int = 500) -> int:
        """Delete up to *limit* executions idle for more than *seconds*; return how many."""
        ...

    def close(self) -> None:
        """Release this process's connections; the stored states stay."""
        ...
