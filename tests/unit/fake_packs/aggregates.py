"""Aggregates for the cross-process store tests: one mutates in place, one fails half-way, and
some choose their result type at bind (on_bind) or keep a constant for finalize (ConstParam(phase=))."""

import threading
from dataclasses import dataclass
from typing import Annotated

import pyarrow as pa

from vgi_host import (
    AggregateBindParams,
    AggregateFunction,
    BindResponse,
    ConstParam,
    Param,
    ProcessParams,
    Returns,
    hookimpl,
)


@dataclass
class Sum:
    value: int = 0


class Total(AggregateFunction[Sum]):
    """Sum of integers."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Sum:
        return Sum()

    @classmethod
    def update(cls, states, group_ids, value: Annotated[pa.Int64Array, Param(doc="v")]) -> None:
        for gid, v in zip(group_ids.to_pylist(), value.to_pylist(), strict=True):
            states[gid].value += v

    @classmethod
    def combine(cls, source: Sum, target: Sum, params: ProcessParams) -> Sum:
        return Sum(source.value + target.value)

    @classmethod
    def finalize(cls, group_ids, states, params) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        values = [s.value if s is not None else None for s in (states[g] for g in group_ids.to_pylist())]
        return pa.record_batch({"result": pa.array(values, pa.int64())})


class Fragile(Total):
    """Adds values, then refuses negative ones: after it has already mutated the state."""

    @classmethod
    def update(cls, states, group_ids, value: Annotated[pa.Int64Array, Param(doc="v")]) -> None:
        for gid, v in zip(group_ids.to_pylist(), value.to_pylist(), strict=True):
            states[gid].value += v
        if any(v < 0 for v in value.to_pylist()):
            raise ValueError("negative values refused")


ENTERED = threading.Event()
RELEASE = threading.Event()
CALLS: list[int] = []


class Blocking(Total):
    """Adds values; the first call after ENTERED is cleared waits (in pack code) for RELEASE."""

    @classmethod
    def update(cls, states, group_ids, value: Annotated[pa.Int64Array, Param(doc="v")]) -> None:
        CALLS.append(len(group_ids))
        if not ENTERED.is_set():
            ENTERED.set()
            if not RELEASE.wait(60):
                raise TimeoutError("never released")
        super().update(states, group_ids, value)


class NullSkipping(Total):
    """The reference's shape: skips NULL inputs and assigns a new state for the others."""

    @classmethod
    def update(cls, states, group_ids, value: Annotated[pa.Int64Array, Param(doc="v")]) -> None:
        for gid, v in zip(group_ids.to_pylist(), value.to_pylist(), strict=True):
            if v is not None:
                states[gid] = Sum(states[gid].value + v)


BIND_CALLS: list[pa.Schema | None] = []
INITIAL_TYPES: list[pa.DataType] = []


class Typed(Total):
    """Sum typed at bind: float64 given a ``scale`` secret with ``double`` set, else the input's type."""

    @classmethod
    def on_bind(cls, params: AggregateBindParams) -> BindResponse:
        BIND_CALLS.append(params.input_schema)
        if params.input_schema is not None and pa.types.is_string(params.input_schema.field(0).type):
            raise ValueError("typed: strings cannot be summed")
        found = params.secrets.to_dict().of_type("scale")
        if found and found[0]["double"].as_py():
            return BindResponse(output_schema=pa.schema([("result", pa.float64())]))
        return BindResponse(output_schema=pa.schema([("result", params.input_schema.field(0).type)]))

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Sum:
        INITIAL_TYPES.append(params.output_schema.field(0).type)
        return Sum()

    @classmethod
    def finalize(cls, group_ids, states, params) -> Annotated[pa.RecordBatch, Returns()]:
        values = [s.value if s is not None else None for s in (states[g] for g in group_ids.to_pylist())]
        return pa.record_batch({"result": pa.array(values, params.output_schema.field(0).type)})


UPDATE_CONSTANTS: list[tuple[float, int]] = []


class Cut(Total):
    """Sum of values up to ``limit``, scaled in finalize by ``factor`` (a finalize-phase constant)."""

    @classmethod
    def update(
        cls,
        states,
        group_ids,
        value: Annotated[pa.Int64Array, Param(doc="v")],
        factor: Annotated[int, ConstParam("applied in finalize", phase="finalize")] = -1,
        limit: Annotated[int, ConstParam("largest value kept")] = 100,
    ) -> None:
        UPDATE_CONSTANTS.append((factor, limit))
        for gid, v in zip(group_ids.to_pylist(), value.to_pylist(), strict=True):
            if v <= limit:
                states[gid].value += v

    @classmethod
    def finalize(cls, group_ids, states, params) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        factor = params.args.positional[0].as_py()
        assert factor == params.args.factor
        values = [
            s.value * factor if s is not None else None for s in (states[g] for g in group_ids.to_pylist())
        ]
        return pa.record_batch({"result": pa.array(values, pa.int64())})


@hookimpl
def register_functions(register):
    register(Total)
    register(Fragile)
    register(Blocking)
    register(NullSkipping)
    register(Typed)
    register(Cut)
