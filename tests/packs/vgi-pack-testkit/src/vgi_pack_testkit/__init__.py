"""Functions that exercise the host's argument handling and failure paths."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Annotated, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import (
    AggregateFunction,
    Arg,
    BindParams,
    ConstParam,
    FunctionExample,
    OutputCollector,
    PackTable,
    PackView,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    TableBufferingFunction,
    TableBufferingParams,
    TableFunctionGenerator,
    TableInOutFunction,
    TableInput,
    hookimpl,
)


class AddK(ScalarFunction):
    """Add a constant to an integer column."""

    class Meta:
        examples = [FunctionExample(sql="SELECT testkit.add_k(x, 10) FROM t", description="x + 10")]

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="Values", type_bound=pa.types.is_integer)],
        k: Annotated[int, ConstParam(doc="Amount to add", ge=0, le=1000)],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(x, k)


class AlwaysFails(ScalarFunction):
    """Raise on every batch, to prove a failing function does not take the host down."""

    @classmethod
    def compute(
        cls, x: Annotated[pa.Int64Array, Param(doc="Ignored")]
    ) -> Annotated[pa.Int64Array, Returns()]:
        raise ValueError("this function always fails")


class Quits(ScalarFunction):
    """Call sys.exit(code), or raise KeyboardInterrupt when code is negative: the host must survive."""

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="Ignored")],
        code: Annotated[int, ConstParam(doc="Exit status; negative raises KeyboardInterrupt")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        if code < 0:
            raise KeyboardInterrupt
        sys.exit(code)


class WrongLength(ScalarFunction):
    """Return one row too many, to prove the host checks result shapes."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="Values")]) -> Annotated[pa.Int64Array, Returns()]:
        return pa.concat_arrays([x, pa.array([0], pa.int64())])


class Noisy(ScalarFunction):
    """Print to stdout while computing: the host must keep the protocol stream clean."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="Values")]) -> Annotated[pa.Int64Array, Returns()]:
        print("noise on stdout from a pack")
        return x


class WorkerPid(ScalarFunction):
    """The serving process's pid on every row: lets tests prove which process answered."""

    @classmethod
    def compute(
        cls, x: Annotated[pa.Int64Array, Param(doc="Any column")]
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pa.array([os.getpid()] * len(x), pa.int64())


@dataclass
class Cursor:
    """Where count_to is."""

    next_value: int = 0


class CountTo(TableFunctionGenerator):
    """Rows 0..n-1 with a label, in batches of `batch` rows."""

    n: Annotated[int, Arg(0, doc="How many rows", ge=0)]
    label: Annotated[str, Arg("label", default="x", doc="Label of every row")]
    batch: Annotated[int, Arg("batch", default=1000, doc="Rows per batch", ge=1)]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema(
        [("i", pa.int64()), ("label", pa.string()), ("square", pa.int64())]
    )

    class Meta:
        projection_pushdown = True

    @classmethod
    def cardinality(cls, params: BindParams) -> int | None:
        return int(params.args.n)

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Cursor:
        return Cursor()

    @classmethod
    def process(cls, params: ProcessParams, state: Cursor, out: OutputCollector) -> None:
        n, size = params.args.n, params.args.batch
        if state.next_value >= n:
            out.finish()
            return
        values = pa.array(range(state.next_value, min(n, state.next_value + size)), pa.int64())
        state.next_value += len(values)
        columns = {
            "i": values,
            "label": pa.array([params.args.label] * len(values)),
            "square": pc.multiply(values, values),
        }
        # Produce only what was asked for: the projection is the schema to produce.
        out.emit(pa.RecordBatch.from_pydict({name: columns[name] for name in params.output_schema.names}))


class Echo(TableInOutFunction):
    """Return the input unchanged."""

    class Meta:
        max_workers = 4

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        return batch


class RunningTotal(TableInOutFunction):
    """Running sum of a column, then one final row with the grand total."""

    column: Annotated[str, Arg(0, doc="Column to sum")]
    data: Annotated[TableInput, Arg(1, doc="Input rows")]

    @property
    def output_schema(self) -> pa.Schema:
        return pa.schema([("total", pa.int64())])

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        values = batch.column(self.args.column).fill_null(0)
        running = pc.add(pc.cumulative_sum(values), getattr(self, "total", 0))
        self.total = running[-1].as_py() if len(running) else getattr(self, "total", 0)
        return pa.RecordBatch.from_pydict({"total": running.cast(pa.int64())})

    def finish(self) -> pa.RecordBatch:
        return pa.RecordBatch.from_pydict({"total": pa.array([getattr(self, "total", 0)], pa.int64())})


class SortRank(TableBufferingFunction):
    """Every input row sorted by one column, with its rank: needs the whole input first (buffering).

    Each sink call stores its batch in the call's storage (shared by every
    host process serving the call); the output is produced in batches of
    ``chunk`` rows, so the source phase takes several turns.
    """

    column: Annotated[str, Arg(0, doc="Column to sort by")]
    data: Annotated[TableInput, Arg(1, doc="Input rows")]
    chunk: Annotated[int, Arg("chunk", default=1000, doc="Rows per output batch", ge=1)]

    @classmethod
    def on_bind(cls, params: BindParams) -> pa.Schema:
        assert params.input_schema is not None
        rank = pa.field("rank", pa.int64(), metadata={"comment": "1 for the smallest value"})
        return pa.schema([*params.input_schema, rank])

    @classmethod
    def process(cls, batch: pa.RecordBatch, params: TableBufferingParams) -> bytes:
        params.storage.state_append(b"rows", b"", params.storage.serialize_record_batch(batch))
        return params.execution_id

    @classmethod
    def combine(cls, state_ids: list[bytes], params: TableBufferingParams) -> list[bytes]:
        return [params.execution_id]

    @classmethod
    def initial_finalize_state(cls, finalize_state_id: bytes, params: TableBufferingParams) -> dict[str, int]:
        return {"offset": 0}

    @classmethod
    def finalize(
        cls,
        params: TableBufferingParams,
        finalize_state_id: bytes,
        state: dict[str, int],
        out: OutputCollector,
    ) -> None:
        batches = [
            params.storage.deserialize_record_batch(blob)
            for _id, blob in params.storage.state_log_scan(b"rows", b"")
        ]
        if not batches:
            out.finish()
            return
        table = pa.Table.from_batches(batches).sort_by(params.args.column)
        start = state["offset"]
        if start >= table.num_rows:
            out.finish()
            return
        part = table.slice(start, params.args.chunk)
        ranks = pa.array(range(start + 1, start + part.num_rows + 1), pa.int64())
        state["offset"] = start + part.num_rows
        out.emit(
            pa.Table.from_arrays([*part.columns, ranks], schema=params.output_schema)
            .combine_chunks()
            .to_batches()[0]
        )


@dataclass
class Total:
    """Sum and count of one group."""

    total: int = 0
    count: int = 0


class SumInt(AggregateFunction[Total]):
    """Sum of integers; NULL for a group without values. Mutates states in place."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Total:
        return Total()

    @classmethod
    def update(
        cls,
        states: dict[int, Total],
        group_ids: pa.Int64Array,
        value: Annotated[pa.Int64Array, Param(doc="Values")],
    ) -> None:
        table = pa.table({"g": group_ids, "v": value}).group_by("g").aggregate([("v", "sum"), ("v", "count")])
        for gid, total, count in zip(
            *(table.column(c).to_pylist() for c in ("g", "v_sum", "v_count")), strict=True
        ):
            states[gid].total += total or 0
            states[gid].count += count

    @classmethod
    def combine(cls, source: Total, target: Total, params: ProcessParams) -> Total:
        return Total(source.total + target.total, source.count + target.count)

    @classmethod
    def finalize(
        cls, group_ids: pa.Int64Array, states: dict[int, Total | None], params: ProcessParams
    ) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        values = [
            (s.total if s is not None and s.count else None)
            for s in (states[g] for g in group_ids.to_pylist())
        ]
        return pa.record_batch({"result": pa.array(values, pa.int64())})


class ScaledMean(AggregateFunction[Total]):
    """Mean times a constant factor; assigns new states instead of mutating."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Total:
        return Total()

    @classmethod
    def update(
        cls,
        states: dict[int, Total],
        group_ids: pa.Int64Array,
        value: Annotated[pa.Int64Array, Param(doc="Values")],
        factor: Annotated[int, ConstParam(doc="Multiplier", ge=1)] = 1,
    ) -> None:
        table = pa.table({"g": group_ids, "v": value}).group_by("g").aggregate([("v", "sum"), ("v", "count")])
        for gid, total, count in zip(
            *(table.column(c).to_pylist() for c in ("g", "v_sum", "v_count")), strict=True
        ):
            states[gid] = Total(states[gid].total + (total or 0), states[gid].count + count)

    @classmethod
    def combine(cls, source: Total, target: Total, params: ProcessParams) -> Total:
        return Total(source.total + target.total, source.count + target.count)

    @classmethod
    def finalize(
        cls, group_ids: pa.Int64Array, states: dict[int, Total | None], params: ProcessParams
    ) -> Annotated[pa.RecordBatch, Returns(pa.float64())]:
        factor = params.args.factor
        values = [
            (s.total / s.count * factor if s is not None and s.count else None)
            for s in (states[g] for g in group_ids.to_pylist())
        ]
        return pa.record_batch({"result": pa.array(values, pa.float64())})


class Levenshtein(ScalarFunction):
    """Same SQL name as text.levenshtein on purpose: a name two packs define gets no alias in main."""

    @classmethod
    def compute(
        cls,
        a: Annotated[pa.StringArray, Param(doc="First")],
        b: Annotated[pa.StringArray, Param(doc="Second")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pa.array([0] * len(a), pa.int64())


@hookimpl
def register_functions(register):  # type: ignore[no-untyped-def]
    for function in (
        AddK,
        AlwaysFails,
        Quits,
        WrongLength,
        Noisy,
        WorkerPid,
        CountTo,
        Echo,
        RunningTotal,
        SortRank,
        SumInt,
        ScaledMean,
        Levenshtein,
    ):
        register(function)


@hookimpl
def register_tables(register):  # type: ignore[no-untyped-def]
    register(PackTable("first_squares", CountTo, arguments=(5,), description="count_to(5) as a table"))


@hookimpl
def register_views(register):  # type: ignore[no-untyped-def]
    register(
        PackView(
            "even_squares",
            "SELECT i, square FROM testkit.first_squares WHERE i % 2 = 0",
            description="the even rows of testkit.first_squares",
        )
    )


print("noise on stdout while importing a pack")
