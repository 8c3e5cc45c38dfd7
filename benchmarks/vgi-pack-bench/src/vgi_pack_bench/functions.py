"""The five benchmark functions, one per case of the public vgi-benchmarks suite.

Each is written the way the pack-author guide says, and does the same work as
its reference twin in ``benchmarks/reference_bench_worker.py``:

* ``multiply(x BIGINT, factor BIGINT constant)`` — ``pc.multiply`` with the
  factor delivered as a typed Arrow scalar (bound once per call);
* ``upper_case(s VARCHAR)`` — ``pc.utf8_upper``;
* ``sequence(count, batch_size := 2048)`` — one int64 column ``n``, 0..count-1,
  in batches of ``batch_size`` rows;
* ``echo((SELECT ...))`` — every input batch back unchanged;
* ``sum_int(value BIGINT)`` — grouped sum; ``update`` is vectorised with numpy
  (``add.at`` over the dense group ids DuckDB sends, a sort otherwise) and
  takes one Python step per *group*, not per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import (
    AggregateFunction,
    Arg,
    BindParams,
    ConstParam,
    OutputCollector,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    TableFunctionGenerator,
    TableInOutFunction,
)


class Multiply(ScalarFunction):
    """Multiply an integer column by a constant factor."""

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="Values")],
        factor: Annotated[pa.Int64Scalar, ConstParam(doc="Multiplication factor")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(x, factor)


class UpperCase(ScalarFunction):
    """Upper-case a text column."""

    @classmethod
    def compute(cls, s: Annotated[pa.StringArray, Param(doc="Text")]) -> Annotated[pa.StringArray, Returns()]:
        return pc.utf8_upper(s)


@dataclass(slots=True)
class Cursor:
    """The next value ``sequence`` produces."""

    next_value: int = 0


class Sequence(TableFunctionGenerator):
    """Integers 0..count-1 in one int64 column ``n``, ``batch_size`` rows per batch."""

    count: Annotated[int, Arg(0, doc="Number of rows", ge=0)]
    batch_size: Annotated[int, Arg("batch_size", default=2048, doc="Rows per batch", ge=1)]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("n", pa.int64())])

    @classmethod
    def cardinality(cls, params: BindParams) -> int | None:
        return int(params.args.count)

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Cursor:
        return Cursor()

    @classmethod
    def process(cls, params: ProcessParams, state: Cursor, out: OutputCollector) -> None:
        start = state.next_value
        stop = min(params.args.count, start + params.args.batch_size)
        if start >= stop:
            out.finish()
            return
        state.next_value = stop
        out.emit(pa.RecordBatch.from_arrays([pa.array(np.arange(start, stop, dtype=np.int64))], ["n"]))


class Echo(TableInOutFunction):
    """Every input batch back unchanged."""

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        return batch


@dataclass(slots=True)
class Total:
    """Running sum of one group; ``seen`` tells an all-NULL group (result NULL) from a zero sum."""

    total: int = 0
    seen: bool = False


class SumInt(AggregateFunction[Total]):
    """Sum of a BIGINT column per group; NULL for a group without values."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Total:
        return Total()

    @classmethod
    def update(
        cls,
        states: dict[int, Total],
        group_ids: pa.Int64Array,
        value: Annotated[pa.Int64Array, Param(doc="Values to sum")],
    ) -> None:
        # numpy rather than Table.group_by: an Acero plan costs ~300 us per call whatever the batch size.
        gids = group_ids.to_numpy()
        if gids.size == 0:
            return
        values = value.fill_null(0).to_numpy() if value.null_count else value.to_numpy()
        valid = value.is_valid().to_numpy(zero_copy_only=False).astype(np.int64) if value.null_count else None
        low, high = int(gids.min()), int(gids.max())
        if low == high:  # one group (a global aggregate)
            keys, sums = gids[:1], values.sum(keepdims=True)
            counts = valid.sum(keepdims=True) if valid is not None else None
        elif low >= 0 and high < 4 * gids.size + 1024:  # dense ids, as DuckDB allocates them
            sums = np.zeros(high + 1, np.int64)
            np.add.at(sums, gids, values)
            present = np.bincount(gids, minlength=high + 1)
            keys = np.flatnonzero(present)
            sums = sums[keys]
            counts = np.bincount(gids, weights=valid, minlength=high + 1)[keys] if valid is not None else None
        else:
            order = np.argsort(gids)
            sorted_ids = gids[order]
            starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
            keys, sums = sorted_ids[starts], np.add.reduceat(values[order], starts)
            counts = np.add.reduceat(valid[order], starts) if valid is not None else None
        seen = counts.tolist() if counts is not None else [1] * len(keys)
        for gid, total, count in zip(keys.tolist(), sums.tolist(), seen, strict=True):
            if count:
                state = states[gid]
                state.total += total
                state.seen = True

    @classmethod
    def combine(cls, source: Total, target: Total, params: ProcessParams) -> Total:
        return Total(source.total + target.total, source.seen or target.seen)

    @classmethod
    def finalize(
        cls, group_ids: pa.Int64Array, states: dict[int, Total | None], params: ProcessParams
    ) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        values = [
            state.total if state is not None and state.seen else None
            for state in (states[gid] for gid in group_ids.to_pylist())
        ]
        return pa.record_batch({"result": pa.array(values, pa.int64())})
