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

import inspect
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from vgi_host.errors import FunctionDefinitionError
from vgi_host.sdk.context import BindParams, OutputCollector
from vgi_host.sdk.table_answers import schema_of_bind_answer
from vgi_host.sdk.table_in_out import FinishResult, TableInOutFunction


class TableInOutGenerator[ArgsT = Any, StateT = Any](TableInOutFunction):
    """The reference's streaming table-in-out base: ``process(params, state, batch, out)``."""

    @classmethod
    def process(cls, params: Any, state: Any, batch: pa.RecordBatch, out: OutputCollector) -> None:
        """Emit rows for one input batch with ``out.emit``; by default the batch itself (a passthrough)."""
        out.emit(batch)


class RowTransformFunction[ArgsT = Any, StateT = Any](TableInOutGenerator[ArgsT, StateT]):
    """The reference's blended (LATERAL, columns-as-arguments) table-in-out base: not served yet."""

    @staticmethod
    def input_columns(batch: pa.RecordBatch) -> list[pa.Array[Any]]:
        """The row batch's input columns, by position."""
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


class _Batches:
    """A sink collecting what a generator's ``process`` emits during one call."""

    def __init__(self, schema: pa.Schema) -> None:
        self._schema = schema
        self.batches: list[pa.RecordBatch] = []

    @property
    def output_schema(self) -> pa.Schema:
        return self._schema

    def emit(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def finish(self) -> None:
        """Nothing to do: a table-in-out call ends when its input ends."""


class _PagingCollector(OutputCollector):
    """Remembers whether the last emitted batch said ``more=True`` (the reference's paging)."""

    __slots__ = ("more",)

    def __init__(self, sink: _Batches) -> None:
        super().__init__(sink)
        self.more = False

    def emit(self, batch: pa.RecordBatch, **hints: Any) -> None:
        self.more = bool(hints.get("more", False))
        super().emit(batch)


def _one_batch(batches: Sequence[pa.RecordBatch] | pa.RecordBatch | None) -> pa.RecordBatch | None:
    if batches is None or isinstance(batches, pa.RecordBatch):
        return batches
    kept = [b for b in batches if b is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return pa.Table.from_batches(kept).combine_chunks().to_batches()[0]


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
        answer = schema_of_bind_answer(on_bind(BindParams(args=self.args, input_schema=self.input_schema)))
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
            return _one_batch(sink.batches)
        return _one_batch(self.reference.transform(batch, self.params, self.state()))  # type: ignore[attr-defined]


def _finish(self: _ReferenceInstance) -> FinishResult:
    answer = self.reference.finish(self.params, [self.state()])  # type: ignore[attr-defined]
    if answer is None or isinstance(answer, pa.RecordBatch):
        return answer
    return [b for b in answer if b is not None]


def instance_adapter(cls: type) -> type[TableInOutFunction]:
    """A seed-shaped subclass running ``cls``'s classmethods (``finish`` only if ``cls`` has one)."""
    if issubclass(cls, RowTransformFunction):
        raise FunctionDefinitionError(
            f"{cls.__name__}: row-transform (blended LATERAL) table-in-out functions "
            f"are not served by vgi-host yet"
        )
    namespace: dict[str, Any] = {"reference": cls, "__module__": cls.__module__, "__doc__": cls.__doc__}
    if _own_classmethod(cls, "finish") and len(inspect.signature(cls.finish).parameters) == 2:  # type: ignore[attr-defined]
        namespace["finish"] = _finish
    return type(cls.__name__, (_ReferenceInstance,), namespace)
