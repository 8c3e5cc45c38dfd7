"""Per-call function storage (``params.storage``) on the shared state store.

A buffering function's sink calls, its combine and its source streams may
each run in a different host process or HTTP replica, and so may the workers
of a partitioned table function.  What they share is written here: a small
key/value space, append-only logs, a work queue and counters, all scoped to
one execution id - the reference SDK's ``BoundStorage`` surface, backed by the
same :class:`~vgi_host.state.store.StateStore` (SQLite, Redis, PostgreSQL) as
aggregate states.

How it maps onto the store: one storage scope is one store execution (key
``b"S" + execution_id``, so it never collides with an aggregate or a
table-in-out snapshot of the same id).  Every write is one *operation* (append,
put, delete, push, pop...) committed as one signed segment with the optimistic
version check; the scope's contents are the replay of its operations in
version order.  So:

* an append's log id is the version its commit produced: ids grow in commit
  order across every process, which is what ``state_log_scan(after_id=...)``
  pages by;
* a queue pop is atomic: the popped item is the head as of the version the
  commit was checked against, and a concurrent pop makes the commit fail and
  retry on the new head;
* ``execution_clear`` commits a reset as the new base, dropping the log.

Each process keeps a replay of the scopes it touched as a cache and reads only
the segments committed since (one store round trip per operation).  Nothing
user-visible lives only in one process's memory.  Scopes are dropped by the
buffering destructor, and otherwise expire with the store's idle TTL.
"""

from __future__ import annotations

import contextlib
import struct
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import pyarrow as pa

from vgi_host.state.signing import Signer
from vgi_host.state.store import Snapshot, StateStore, StateStoreError, UnknownExecutionError

__all__ = ["CallStorage", "CallStorageError", "StorageScopes", "scope_key"]

PURPOSE: Final = b"call_storage"
"""What every storage segment's signature is bound to (besides the scope key)."""
RECORD_PURPOSE: Final = b"call_record"
"""What a scope's record (a buffering call's init request) is signed for."""
_DEADLINE_SECONDS: Final = 120.0
_CACHE: Final = 64

_APPEND, _PUT, _DELETE, _PUSH, _POP, _QCLEAR, _COUNTER, _RESET = b"APDQOCKX"


class CallStorageError(StateStoreError):
    """A storage operation could not be completed (store down, refused blob, contention deadline)."""


def scope_key(execution_id: bytes) -> bytes:
    """The store key of one execution's storage scope."""
    return b"S" + bytes(execution_id)


# -- operation encoding: one op code byte, then length-prefixed fields ---------------------------


def _pack(code: int, *fields: bytes) -> bytes:
    parts = [bytes([code])]
    for value in fields:
        parts.append(struct.pack(">I", len(value)))
        parts.append(bytes(value))
    return b"".join(parts)


def _unpack(blob: bytes) -> tuple[int, list[bytes]]:
    view = memoryview(blob)
    code, offset, fields = view[0], 1, []
    while offset < len(view):
        (size,) = struct.unpack_from(">I", view, offset)
        offset += 4
        fields.append(bytes(view[offset : offset + size]))
        offset += size
    return code, fields


def _pairs(items: Iterable[tuple[bytes, bytes]]) -> list[bytes]:
    flat: list[bytes] = []
    for key, value in items:
        flat += [bytes(key), bytes(value)]
    return flat


def _int(value: int) -> bytes:
    return struct.pack(">q", value)


@dataclass(slots=True)
class _Replay:
    """One scope's contents as of ``version`` (the replay of its operations)."""

    version: int = 0
    values: dict[bytes, dict[bytes, bytes]] = field(default_factory=dict)
    logs: dict[tuple[bytes, bytes], list[tuple[int, bytes]]] = field(default_factory=dict)
    queue: deque[bytes] = field(default_factory=deque)
    counters: dict[tuple[bytes, bytes], int] = field(default_factory=dict)

    def reset(self) -> None:
        self.values.clear()
        self.logs.clear()
        self.queue.clear()
        self.counters.clear()

    def apply(self, version: int, blob: bytes) -> None:
        """Apply one operation, committed as ``version``."""
        code, f = _unpack(blob)
        if code == _APPEND:
            self.logs.setdefault((f[0], f[1]), []).append((version, f[2]))
        elif code == _PUT:
            space = self.values.setdefault(f[0], {})
            for i in range(1, len(f), 2):
                space[f[i]] = f[i + 1]
        elif code == _DELETE:
            self._delete(f)
        elif code == _PUSH:
            self.queue.extend(f)
        elif code == _POP:
            if self.queue:
                self.queue.popleft()
        elif code == _QCLEAR:
            self.queue.clear()
        elif code == _COUNTER:
            key = (f[0], f[1])
            if len(f) == 3:
                self.counters[key] = struct.unpack(">q", f[2])[0]
            else:
                self.counters.pop(key, None)
        elif code == _RESET:
            self.reset()
        self.version = version

    def _delete(self, f: list[bytes]) -> None:
        ns, mode, rest = f[0], f[1], f[2:]
        space = self.values.get(ns, {})
        if mode == b"all":
            self.values.pop(ns, None)
            for log_key in [k for k in self.logs if k[0] == ns]:
                del self.logs[log_key]
        elif mode == b"keys":
            for key in rest:
                space.pop(key, None)
        else:  # range: [start, end), either side open when empty-flagged
            start = rest[0] if rest[0] else None
            end = rest[2] if rest[1] else None
            for doomed in [k for k in space if _in_range(k, start, end)]:
                del space[doomed]

    def deleted_count(self, f: list[bytes]) -> int:
        """How many keys a delete operation would remove (its answer)."""
        ns, mode, rest = f[0], f[1], f[2:]
        space = self.values.get(ns, {})
        if mode == b"all":
            return len(space) + sum(len(v) for k, v in self.logs.items() if k[0] == ns)
        if mode == b"keys":
            return sum(1 for key in set(rest) if key in space)
        start = rest[0] if rest[0] else None
        end = rest[2] if rest[1] else None
        return sum(1 for k in space if _in_range(k, start, end))


def _in_range(key: bytes, start: bytes | None, end: bytes | None) -> bool:
    return (start is None or key >= start) and (end is None or key < end)


class StorageScopes:
    """Every storage scope this process touched: the store, the signer and the replay cache."""

    def __init__(self, store: StateStore, signer: Signer) -> None:
        self.store = store
        self.signer = signer
        self._lock = threading.Lock()
        self._replays: OrderedDict[bytes, _Replay] = OrderedDict()

    # -- scope lifecycle -------------------------------------------------------------------

    def open_scope(self, execution_id: bytes, record: bytes) -> None:
        """Create the scope of ``execution_id`` holding ``record`` (kept if it already exists)."""
        key = scope_key(execution_id)
        sealed = self.signer.seal(key, RECORD_PURPOSE, record)
        try:
            self.store.create(key, sealed)
        except StateStoreError:
            self.store.read(key, 0)  # it exists (a secondary init); anything else raises here

    def record(self, execution_id: bytes) -> bytes:
        """The record the scope was opened with; :class:`UnknownExecutionError` when there is none."""
        key = scope_key(execution_id)
        sealed = self.store.read(key, 0, with_bind=True).bind
        if not sealed:
            raise UnknownExecutionError(f"execution {bytes(execution_id).hex()} has no call record")
        return self.signer.open(key, RECORD_PURPOSE, sealed)

    def drop(self, execution_id: bytes) -> None:
        """Delete the scope everywhere (best effort: a leftover expires with the TTL)."""
        key = scope_key(execution_id)
        with self._lock:
            self._replays.pop(key, None)
        self.store.drop(key)

    def bound(self, execution_id: bytes) -> CallStorage:
        """The ``params.storage`` object of one execution."""
        return CallStorage(self, bytes(execution_id))

    # -- reading and committing ----------------------------------------------------------------

    def current(self, key: bytes) -> _Replay:
        """The scope as of the newest committed version (created empty when unknown)."""
        with self._lock:
            replay = self._replays.pop(key, None) or _Replay()
            self._replays[key] = replay
            while len(self._replays) > _CACHE:
                self._replays.popitem(last=False)
            self._refresh(key, replay)
            return replay

    def _refresh(self, key: bytes, replay: _Replay) -> None:
        try:
            snapshot = self.store.read(key, replay.version)
        except UnknownExecutionError:
            with contextlib.suppress(StateStoreError):  # another process created it first
                self.store.create(key, b"")
            snapshot = self.store.read(key, 0)
        self._apply(key, replay, snapshot)

    def _apply(self, key: bytes, replay: _Replay, snapshot: Snapshot) -> None:
        first = snapshot.version - len(snapshot.segments)
        if snapshot.base is not None:
            replay.reset()
            replay.apply(first, self.signer.open(key, PURPOSE, snapshot.base))
        elif snapshot.version < replay.version or (first != replay.version and snapshot.segments):
            replay.reset()  # the scope was recreated: start from what the store holds
        for offset, blob in enumerate(snapshot.segments, start=1):
            replay.apply(first + offset, self.signer.open(key, PURPOSE, blob))
        replay.version = snapshot.version

    def commit(
        self, key: bytes, make: Callable[[_Replay], bytes | None], *, replace: bool = False
    ) -> _Replay:
        """Commit the operation ``make`` builds from the current contents; retry while others commit.

        ``make`` runs again on every retry (it sees the contents its commit is
        checked against) and may return ``None`` for "nothing to write".
        Returns the replay as of the commit, with the operation applied.
        """
        deadline = time.monotonic() + _DEADLINE_SECONDS
        while True:
            with self._lock:
                replay = self._replays.pop(key, None) or _Replay()
                self._replays[key] = replay
                self._refresh(key, replay)
                payload = make(replay)
                if payload is None:
                    return replay
                blob = self.signer.seal(key, PURPOSE, payload)
                if self.store.commit(key, replay.version, blob, replace=replace):
                    if replace:
                        replay.reset()
                    replay.apply(replay.version + 1, payload)
                    return replay
            if time.monotonic() > deadline:
                raise CallStorageError(f"storage of execution {key[1:].hex()}: gave up under contention")


class CallStorage:
    """One execution's storage: the reference SDK's ``BoundStorage`` operations (see module doc)."""

    __slots__ = ("_key", "_scopes", "execution_id")

    def __init__(self, scopes: StorageScopes, execution_id: bytes) -> None:
        self._scopes = scopes
        self.execution_id = execution_id
        self._key = scope_key(execution_id)

    def _read(self) -> _Replay:
        return self._scopes.current(self._key)

    def _write(self, payload: bytes) -> _Replay:
        return self._scopes.commit(self._key, lambda _replay: payload)

    # -- key/value --------------------------------------------------------------------------------

    def state_get(self, ns: bytes, key: bytes) -> bytes | None:
        """One key's value, or None."""
        return self._read().values.get(bytes(ns), {}).get(bytes(key))

    def state_get_many(self, ns: bytes, keys: list[bytes]) -> list[bytes | None]:
        """Values for ``keys``, in order (None where absent)."""
        space = self._read().values.get(bytes(ns), {})
        return [space.get(bytes(k)) for k in keys]

    def state_put(self, ns: bytes, key: bytes, value: bytes) -> None:
        """Insert or replace one value."""
        self.state_put_many(ns, [(key, value)])

    def state_put_many(self, ns: bytes, items: list[tuple[bytes, bytes]]) -> None:
        """Insert or replace several values at once."""
        if items:
            self._write(_pack(_PUT, bytes(ns), *_pairs(items)))

    def state_scan(
        self,
        ns: bytes,
        *,
        start: bytes | None = None,
        end: bytes | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[tuple[bytes, bytes]]:
        """``(key, value)`` pairs of one namespace in key order, within ``[start, end)``."""
        space = self._read().values.get(bytes(ns), {})
        found = sorted(((k, v) for k, v in space.items() if _in_range(k, start, end)), reverse=reverse)
        return found if limit is None else found[:limit]

    def state_drain(self, ns: bytes) -> list[tuple[bytes, bytes]]:
        """Every ``(key, value)`` of one namespace, removed atomically."""
        taken: list[tuple[bytes, bytes]] = []

        def make(replay: _Replay) -> bytes | None:
            taken[:] = sorted(replay.values.get(bytes(ns), {}).items())
            return _pack(_DELETE, bytes(ns), b"keys", *(k for k, _ in taken)) if taken else None

        self._scopes.commit(self._key, make)
        return taken

    def state_delete(
        self,
        ns: bytes,
        keys: list[bytes] | None = None,
        *,
        start: bytes | None = None,
        end: bytes | None = None,
    ) -> int:
        """Delete ``keys``, or the range ``[start, end)``, or (neither given) the whole namespace."""
        if keys is not None and (start is not None or end is not None):
            raise ValueError("state_delete: give keys or a range, not both")
        if keys is not None:
            fields = [bytes(ns), b"keys", *(bytes(k) for k in keys)]
        elif start is not None or end is not None:
            fields = [bytes(ns), b"range", start or b"", b"1" if end is not None else b"", end or b""]
        else:
            fields = [bytes(ns), b"all"]
        count = 0

        def make(replay: _Replay) -> bytes:
            nonlocal count
            count = replay.deleted_count(fields)
            return _pack(_DELETE, *fields)

        self._scopes.commit(self._key, make)
        return count

    def execution_clear(self) -> int:
        """Remove everything this execution stored (every namespace, log, queue and counter)."""
        count = 0

        def make(replay: _Replay) -> bytes:
            nonlocal count
            count = (
                sum(len(v) for v in replay.values.values())
                + sum(len(v) for v in replay.logs.values())
                + len(replay.queue)
                + len(replay.counters)
            )
            return _pack(_RESET)

        self._scopes.commit(self._key, make, replace=True)
        return count

    # -- append-only logs -------------------------------------------------------------------------

    def state_append(self, ns: bytes, key: bytes, item: bytes) -> int:
        """Append ``item`` to the ``(ns, key)`` log; return its id (ids grow in commit order)."""
        return self._write(_pack(_APPEND, bytes(ns), bytes(key), bytes(item))).version

    def state_log_scan(
        self, ns: bytes, key: bytes, *, after_id: int = -1, limit: int | None = None
    ) -> list[tuple[int, bytes]]:
        """``(id, item)`` entries of the ``(ns, key)`` log with id above ``after_id``, oldest first."""
        entries = self._read().logs.get((bytes(ns), bytes(key)), [])
        found = [entry for entry in entries if entry[0] > after_id]
        return found if limit is None else found[:limit]

    # -- work queue -------------------------------------------------------------------------------

    def queue_push(self, items: list[bytes]) -> int:
        """Add work items; returns how many were added."""
        if items:
            self._write(_pack(_PUSH, *(bytes(i) for i in items)))
        return len(items)

    def queue_push_batches(self, batches: list[pa.RecordBatch]) -> int:
        """Add record batches as work items."""
        return self.queue_push([self.serialize_record_batch(b) for b in batches])

    def queue_pop(self) -> bytes | None:
        """Claim one work item (each item goes to exactly one caller), or None when empty."""
        claimed: list[bytes] = []

        def make(replay: _Replay) -> bytes | None:
            claimed[:] = [replay.queue[0]] if replay.queue else []
            return _pack(_POP) if claimed else None

        self._scopes.commit(self._key, make)
        return claimed[0] if claimed else None

    def queue_pop_batch(self) -> pa.RecordBatch | None:
        """Claim one work item pushed as a record batch."""
        data = self.queue_pop()
        return None if data is None else self.deserialize_record_batch(data)

    def queue_clear(self) -> int:
        """Drop every remaining work item; returns how many there were."""
        count = 0

        def make(replay: _Replay) -> bytes | None:
            nonlocal count
            count = len(replay.queue)
            return _pack(_QCLEAR) if count else None

        self._scopes.commit(self._key, make)
        return count

    # -- counters ---------------------------------------------------------------------------------

    def counter_get(self, ns: bytes, key: bytes) -> int:
        """The counter's value (0 when never set)."""
        return self._read().counters.get((bytes(ns), bytes(key)), 0)

    def counter_add(self, ns: bytes, key: bytes, delta: int) -> int:
        """Add ``delta`` atomically; returns the new value."""
        result = 0

        def make(replay: _Replay) -> bytes:
            nonlocal result
            result = replay.counters.get((bytes(ns), bytes(key)), 0) + delta
            return _pack(_COUNTER, bytes(ns), bytes(key), _int(result))

        self._scopes.commit(self._key, make)
        return result

    def counter_set(self, ns: bytes, key: bytes, value: int) -> None:
        """Overwrite the counter."""
        self._write(_pack(_COUNTER, bytes(ns), bytes(key), _int(value)))

    def counter_delete(self, ns: bytes, key: bytes) -> None:
        """Remove the counter (reads 0 again)."""
        self._write(_pack(_COUNTER, bytes(ns), bytes(key)))

    # -- helpers the reference offers on the same object ------------------------------------------

    @staticmethod
    def pack_int_key(i: int) -> bytes:
        """An int as an 8-byte little-endian key (the reference's canonical int key)."""
        return i.to_bytes(8, "little", signed=True)

    @staticmethod
    def serialize_record_batch(batch: pa.RecordBatch) -> bytes:
        """One batch as Arrow IPC stream bytes."""
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return sink.getvalue().to_pybytes()

    @staticmethod
    def deserialize_record_batch(data: bytes) -> pa.RecordBatch:
        """The batch written by :meth:`serialize_record_batch`."""
        with pa.ipc.open_stream(data) as reader:
            return reader.read_next_batch()

    def __repr__(self) -> str:
        return f"CallStorage(execution_id={self.execution_id.hex()})"
