"""One function of each kind, for the in-process service tests.

``PlusOne`` keeps a class attribute named ``KIND`` of its own (a real worker
uses one for a sequence alphabet): the host must not mistake it for a kind.
"""

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import (
    AggregateFunction,
    Arg,
    OutputCollector,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    TableFunctionGenerator,
    TableInOutFunction,
    hookimpl,
)


class PlusOne(ScalarFunction):
    """Add one."""

    KIND = "ACGT"

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="n")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(x, 1)


class CountTo(TableFunctionGenerator):
    """The numbers 1..n, two per batch."""

    n: Annotated[int, Arg(0, doc="last number")]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([pa.field("i", pa.int64())])

    @classmethod
    def initial_state(cls, params: ProcessParams) -> dict[str, int]:
        return {"next": 1}

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        last = params.args.n
        if state["next"] > last:
            out.finish()
            return
        values = list(range(state["next"], min(state["next"] + 2, last + 1)))
        state["next"] += 2
        out.emit(pa.record_batch({"i": pa.array(values, pa.int64())}))


class RunningTotal(TableInOutFunction):
    """Pass rows through; after the last one, one row with the total of column ``v``."""

    def __init__(self) -> None:
        self.total = 0

    @property
    def output_schema(self) -> pa.Schema:
        return pa.schema([pa.field("v", pa.int64())])

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        self.total += pc.sum(batch.column("v")).as_py() or 0
        return pa.record_batch({"v": batch.column("v")})

    def finish(self) -> pa.RecordBatch:
        return pa.record_batch({"v": pa.array([self.total], pa.int64())})


@dataclass
class Acc:
    value: int = 0


class SumInts(AggregateFunction[Acc]):
    """Sum of integers per group."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Acc:
        return Acc()

    @classmethod
    def update(cls, states, group_ids, value: Annotated[pa.Int64Array, Param(doc="v")]) -> None:
        for gid, v in zip(group_ids.to_pylist(), value.to_pylist(), strict=True):
            states[gid].value += v

    @classmethod
    def combine(cls, source: Acc, target: Acc, params: ProcessParams) -> Acc:
        return Acc(source.value + target.value)

    @classmethod
    def finalize(cls, group_ids, states, params) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        values = [states[g].value if states[g] is not None else None for g in group_ids.to_pylist()]
        return pa.record_batch({"result": pa.array(values, pa.int64())})


@hookimpl
def register_functions(register):
    for function in (PlusOne, CountTo, RunningTotal, SumInts):
        register(function)
