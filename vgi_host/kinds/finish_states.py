"""Where a table-in-out instance waits between its last input batch and its FINALIZE call.

A function with ``finish()`` produces rows after all input.  DuckDB sends the
FINALIZE ``init`` separately, and on a stateless transport it may reach a
different replica than the input did.  So the instance waits in two places:

* in this process's memory (pipes and sockets: FINALIZE comes back on the
  same connection, and nothing is serialised), and
* as a snapshot of its attributes in the shared state store, written only
  when its stream state leaves the process (stateless transports), so that
  whichever replica receives FINALIZE can rebuild it.

Both are bounded: the memory keeps the newest ``capacity`` instances, and the
store's idle-execution purge removes abandoned snapshots.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vgi_host.sdk.table_in_out import TableInOutFunction
    from vgi_host.state.store import StateStore

SNAPSHOT_KEY = "table_in_out_finish"
"""The store metadata key holding a waiting instance's snapshot."""


class FinishStates:
    """Instances waiting for FINALIZE, in memory first and in the shared store second."""

    def __init__(self, store: Callable[[], StateStore] | None = None, capacity: int = 256) -> None:
        self._store = store
        self._capacity = capacity
        self._instances: OrderedDict[bytes, TableInOutFunction] = OrderedDict()
        self._published: set[bytes] = set()

    def park(self, execution_id: bytes, instance: TableInOutFunction) -> None:
        """Keep ``instance`` in memory until its FINALIZE arrives (oldest dropped beyond capacity)."""
        self._instances[execution_id] = instance
        while len(self._instances) > self._capacity:
            self._instances.popitem(last=False)

    def publish(self, execution_id: bytes, snapshot: bytes) -> None:
        """Make the instance's current snapshot available to every replica.

        From then on the snapshot is the truth (the stream's next turn may run
        anywhere), so this process's own copy, which would go stale, is dropped.
        """
        self._instances.pop(execution_id, None)
        if self._store is None:
            return
        with self._store().session(execution_id) as session:
            session.set_meta(SNAPSHOT_KEY, snapshot)
        self._published.add(execution_id)

    def take(
        self, execution_id: bytes, rebuild: Callable[[bytes], TableInOutFunction]
    ) -> TableInOutFunction | None:
        """The waiting instance: this process's own, else one rebuilt from the shared snapshot."""
        instance = self._instances.pop(execution_id, None)
        if instance is not None or self._store is None:
            if execution_id in self._published:
                self._forget(execution_id)
            return instance
        store = self._store()
        with store.session(execution_id, read_only=True) as session:
            snapshot = session.get_meta(SNAPSHOT_KEY)
        if snapshot is None:
            return None
        store.drop(execution_id)
        return rebuild(snapshot)

    def _forget(self, execution_id: bytes) -> None:
        """Drop a snapshot this process published but no longer needs (best effort)."""
        self._published.discard(execution_id)
        if self._store is not None:
            self._store().drop(execution_id)
