"""The streams that run table and table-in-out functions.

* :class:`TableProducerState`: a producer stream; each client tick calls the
  pack's ``process`` once, until it calls ``out.finish()``.
* :class:`TableInOutExchangeState`: an exchange stream; one ``transform`` per
  input batch, exactly one (possibly empty) output batch back.
* :class:`FinalizeProducerState`: the FINALIZE phase of a table-in-out call; it
  drains what ``finish()`` returned, one non-empty batch per tick (DuckDB stops
  reading at the first empty batch).

A table-in-out instance that has ``finish()`` is parked in
:data:`PENDING_FINALIZE` under its execution id when its input stream opens,
and taken out by the FINALIZE init: both clients finalize on the connection
(hence the process) that received the input, as long as ``max_workers`` is 1,
which the SDK enforces for functions with ``finish()``.

These states run in-process on pipe transports and are not rebuilt from
tokens: vgi-host serves pipes today.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import pyarrow as pa
from vgi_rpc import AnnotatedBatch, CallContext, ExchangeState, OutputCollector, ProducerState, Transient

from vgi_host.runtime.errors import FunctionError
from vgi_host.sdk.context import OutputCollector as PackOutput
from vgi_host.sdk.context import ProcessParams
from vgi_host.sdk.failures import PACK_FAILURES
from vgi_host.sdk.table import TableFunctionGenerator
from vgi_host.sdk.table_in_out import TableInOutFunction


class PendingFinalizes:
    """Table-in-out instances waiting for their FINALIZE call, bounded so abandoned ones age out."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._instances: OrderedDict[bytes, TableInOutFunction] = OrderedDict()

    def park(self, execution_id: bytes, instance: TableInOutFunction) -> None:
        """Keep ``instance`` until its FINALIZE arrives (oldest dropped beyond capacity)."""
        self._instances[execution_id] = instance
        while len(self._instances) > self._capacity:
            self._instances.popitem(last=False)

    def take(self, execution_id: bytes) -> TableInOutFunction | None:
        """Remove and return the instance for ``execution_id``, if this process has it."""
        return self._instances.pop(execution_id, None)


PENDING_FINALIZE = PendingFinalizes()


@dataclass
class TableProducerState(ProducerState):
    """Runs ``process`` once per tick."""

    qualified_name: str
    function: Annotated[type[TableFunctionGenerator] | None, Transient()] = field(default=None)
    params: Annotated[ProcessParams | None, Transient()] = field(default=None)
    user_state: Annotated[Any, Transient()] = field(default=None)

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Let the pack emit one batch or finish."""
        assert self.function is not None
        assert self.params is not None
        try:
            self.function.process(self.params, self.user_state, PackOutput(out))
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc


@dataclass
class EmptyProducerState(ProducerState):
    """Finishes at once: a secondary worker of a call that does not split its work."""

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Produce nothing, so every row is produced exactly once (by the primary)."""
        out.finish()


@dataclass
class TableInOutExchangeState(ExchangeState):
    """Runs ``transform`` once per input batch."""

    qualified_name: str
    instance: Annotated[TableInOutFunction | None, Transient()] = field(default=None)

    def exchange(self, input: AnnotatedBatch, out: OutputCollector, ctx: CallContext) -> None:
        """Transform one batch; ``None`` from the pack means no rows."""
        assert self.instance is not None
        try:
            result = self.instance.transform(input.batch)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc
        out.emit(result if result is not None else pa.RecordBatch.from_pylist([], schema=out.output_schema))


def _finish_batches(result: Any) -> list[pa.RecordBatch]:
    if result is None:
        return []
    if isinstance(result, pa.RecordBatch):
        return [result]
    if isinstance(result, pa.Table):
        return result.to_batches()
    return list(result)


@dataclass
class FinalizeProducerState(ProducerState):
    """Drains ``finish()``'s batches, one non-empty batch per tick."""

    qualified_name: str
    pending: Annotated[Iterator[pa.RecordBatch] | None, Transient()] = field(default=None)

    @classmethod
    def of(cls, qualified_name: str, instance: TableInOutFunction) -> FinalizeProducerState:
        """Call ``finish()`` now, so its errors surface on the FINALIZE init itself."""
        try:
            batches = [b for b in _finish_batches(instance.finish()) if b.num_rows > 0]
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(qualified_name, exc) from exc
        return cls(qualified_name=qualified_name, pending=iter(batches))

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Emit the next batch, or finish when none is left."""
        assert self.pending is not None
        batch = next(self.pending, None)
        if batch is None:
            out.finish()
        else:
            out.emit(batch)
