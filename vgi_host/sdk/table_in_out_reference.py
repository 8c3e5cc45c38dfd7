"""Serving table-in-out classes written in vgi-python 0.47.0's classmethod shapes.

The seed's shape (instance methods ``transform(self, batch)``/``finish(self)``,
an ``output_schema`` property) is what the host runs.  0.47 code comes in two
other shapes, both classmethods with explicit state:

* ``TableInOutFunction``: ``transform(cls, batch, params, state) -> [batches]``
  and ``finish(cls, params, states) -> [batches]``;
* ``TableInOutGenerator``: ``process(cls, params, state, batch, out)``
  emitting into ``out``;

both with ``on_bind(cls, params) -> BindResponse`` and optional
``initial_state(cls, params)``.  :func:`instance_adapter` wraps such a class
in a seed-shaped subclass created once per definition, so the runtime sees a
single shape and nothing below the SDK changes.  One instance (so one state)
exists per execution, as the seed's shape already guarantees.
"""

from __future__ import annotations

import base64
import inspect
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from vgi_host.errors import FunctionDefinitionError
from vgi_host.sdk.context import BindParams, OutputCollector
from vgi_host.sdk.session import session_arguments, session_parameters
from vgi_host.sdk.table_answers import schema_of_bind_answer
from vgi_host.sdk.table_in_out import FinishResult, TableInOutFunction


class TableInOutGenerator[ArgsT = Any, StateT = Any](TableInOutFunction):
    """The reference's streaming table-in-out base: ``process(params, state, batch, out)``."""

    @classmethod
    def process(cls, params: Any, state: Any, batch: pa.RecordBatch, out: OutputCollector) -> None:
        """Emit rows for one input batch with ``out.emit``; by default the batch itself (a passthrough)."""
        out.emit(batch)


class RowTransformFunction[ArgsT = Any, StateT = Any](TableInOutGenerator[ArgsT, StateT]):
    """The reference's blended (LATERAL) table-in-out base: its positional arguments are input columns.

    ``f(52, 13)``, ``FROM t, f(t.x, t.y)`` and ``LATERAL f(t.x, t.y)`` all reach
    ``process`` as input batches whose columns are the positional arguments
    (named as declared; ``col0..`` for a variadic one).  Named arguments stay
    bind-time constants on ``params.args``.  There is no FINALIZE: DuckDB
    forbids one under a correlated LATERAL, which such a function must serve.
    """

    @staticmethod
    def input_columns(batch: pa.RecordBatch) -> list[pa.Array[Any]]:
        """The row batch's input columns, by position (how a variadic function reads them)."""
        return list(batch.columns)


def _own_classmethod(cls: type, name: str) -> bool:
    """Whether ``name`` is a classmethod defined below the SDK's base classes."""
    for klass in cls.__mro__:
        if klass in (TableInOutFunction, TableInOutGenerator, object):
            return False
        if name in vars(klass):
            return isinstance(vars(klass)[name], classmethod)
    return False


def is_reference_shaped(cls: type) -> bool:
    """A 0.47-style class: a generator, or a function whose ``transform`` is a classmethod."""
    return issubclass(cls, TableInOutGenerator) or _own_classmethod(cls, "transform")


PARENT_ROW_KEY = "vgi_rpc.parent_row#b64"
"""Batch metadata naming, per output row, the input row it came from (row transforms)."""


@dataclass(frozen=True, slots=True)
class _Emitted:
    """One batch a generator emitted, with the reference's per-batch annotations."""

    batch: pa.RecordBatch
    parent_rows: Sequence[int] | None
    metadata: Mapping[str, str] | None


class _Batches:
    """A sink collecting what a generator's ``process`` emits during one call."""

    def __init__(self, schema: pa.Schema) -> None:
        self._schema = schema
        self.emitted: list[_Emitted] = []

    @property
    def output_schema(self) -> pa.Schema:
        return self._schema

    def emit(self, batch: pa.RecordBatch) -> None:
        self.emitted.append(_Emitted(batch, None, None))

    def finish(self) -> None:
        """Nothing to do: a table-in-out call ends when its input ends."""


class _PagingCollector(OutputCollector):
    """Keeps ``more=True`` (the reference's paging), ``parent_rows`` and ``metadata`` of each emit."""

    __slots__ = ("_batches", "more")

    def __init__(self, sink: _Batches) -> None:
        super().__init__(sink)
        self._batches = sink
        self.more = False

    def emit(self, batch: pa.RecordBatch, **hints: Any) -> None:
        self.more = bool(hints.get("more", False))
        parent_rows = hints.get("parent_rows")
        if parent_rows is not None and len(parent_rows) != batch.num_rows:
            raise ValueError(
                f"out.emit(parent_rows=...) has {len(parent_rows)} entries for a batch of "
                f"{batch.num_rows} rows; it needs one input-row index per output row"
            )
        metadata = hints.get("metadata")
        self._batches.emitted.append(_Emitted(batch, parent_rows, dict(metadata) if metadata else None))


def _parent_row_metadata(emitted: Sequence[_Emitted]) -> dict[str, str]:
    """One batch's provenance from its pages' (a page without any is 1->1: its rows in order)."""
    rows: list[int] = []
    for item in emitted:
        rows.extend(item.parent_rows if item.parent_rows is not None else range(item.batch.num_rows))
    return {PARENT_ROW_KEY: base64.b64encode(struct.pack(f"<{len(rows)}i", *rows)).decode("ascii")}


def _one_batch(batches: Sequence[pa.RecordBatch] | pa.RecordBatch | None) -> pa.RecordBatch | None:
    if batches is None or isinstance(batches, pa.RecordBatch):
        return batches
    kept = [b for b in batches if b is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return pa.Table.from_batches(kept).combine_chunks().to_batches()[0]


BATCH_METADATA = "_vgi_host_batch_metadata"
"""Instance attribute holding the custom metadata of the batch ``transform`` just returned."""


class _ReferenceInstance(TableInOutFunction):
    """Seed-shaped base of every adapter; ``reference`` is the wrapped 0.47 class."""

    reference: type
    _state: Any
    _has_state: bool = False

    @property
    def output_schema(self) -> pa.Schema:
        on_bind = getattr(self.reference, "on_bind", None)
        if not callable(on_bind):
            return self.input_schema
        session = session_arguments(session_parameters(self.reference, "on_bind"))
        answer = schema_of_bind_answer(
            on_bind(BindParams(args=self.args, input_schema=self.input_schema), **session)
        )
        return answer if isinstance(answer, pa.Schema) else self.input_schema

    def state(self) -> Any:
        """The execution's state, created by ``initial_state`` on first use."""
        if not self._has_state:
            initial = getattr(self.reference, "initial_state", None)
            self._state = initial(self.params) if callable(initial) else None
            self._has_state = True
        return self._state

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        if issubclass(self.reference, TableInOutGenerator):
            sink = _Batches(self.params.output_schema)
            out = _PagingCollector(sink)
            self.reference.process(self.params, self.state(), batch, out)
            while out.more:  # the function pages its output for this batch: ask for the rest
                out.more = False
                self.reference.resume(self.params, self.state(), out)  # type: ignore[attr-defined]
            self._keep_metadata(sink.emitted)
            return _one_batch([item.batch for item in sink.emitted])
        return _one_batch(self.reference.transform(batch, self.params, self.state()))  # type: ignore[attr-defined]

    def _keep_metadata(self, emitted: Sequence[_Emitted]) -> None:
        """What the exchange sends with this batch's output: the function's metadata, then provenance."""
        metadata: dict[str, str] = {}
        for item in emitted:
            metadata.update(item.metadata or {})
        if any(item.parent_rows is not None for item in emitted):
            metadata.update(_parent_row_metadata(emitted))
        self.__dict__[BATCH_METADATA] = metadata or None


def _finish(self: _ReferenceInstance) -> FinishResult:
    answer = self.reference.finish(self.params, [self.state()])  # type: ignore[attr-defined]
    if answer is None or isinstance(answer, pa.RecordBatch):
        return answer
    return [b for b in answer if b is not None]


def instance_adapter(cls: type) -> type[TableInOutFunction]:
    """A seed-shaped subclass running ``cls``'s classmethods (``finish`` only if ``cls`` has one)."""
    if issubclass(cls, RowTransformFunction) and (
        _own_classmethod(cls, "finish") or _own_classmethod(cls, "finalize")
    ):
        raise FunctionDefinitionError(
            f"{cls.__name__}: a row-transform (blended) function cannot define finish()/finalize(): "
            f"DuckDB has no FINALIZE phase under a correlated LATERAL; use a TableInOutGenerator "
            f"with a TABLE argument for an accumulating function"
        )
    namespace: dict[str, Any] = {"reference": cls, "__module__": cls.__module__, "__doc__": cls.__doc__}
    if _own_classmethod(cls, "finish") and len(inspect.signature(cls.finish).parameters) == 2:  # type: ignore[attr-defined]
        namespace["finish"] = _finish
    return type(cls.__name__, (_ReferenceInstance,), namespace)
