"""Plain Python values in, Arrow out (and back): what lets a test write ``[1, 2, 3]``.

Tests pass lists, tuples, numpy arrays or Arrow values; the protocol wants
batches, scalars and an ``Arguments`` record.  These helpers are the only place
that decides which argument is a column and which a constant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import pyarrow as pa

from vgi_host.protocol.arguments import Arguments

__all__ = ["arguments", "batch_of", "is_column", "rows_of", "slices", "to_array", "to_scalar"]


def is_column(value: Any) -> bool:
    """A list, tuple, Arrow array or numpy array is a column; anything else is a constant."""
    if isinstance(value, list | tuple | pa.Array | pa.ChunkedArray):
        return True
    return not isinstance(value, pa.Scalar) and getattr(value, "ndim", 0) >= 1


def to_array(value: Any) -> pa.Array[Any] | pa.ChunkedArray[Any]:
    """A column as Arrow (types inferred from Python values; Arrow values kept exactly)."""
    if isinstance(value, pa.Array | pa.ChunkedArray):
        return value
    return cast("pa.Array[Any]", pa.array(value))


def to_scalar(value: Any) -> pa.Scalar[Any]:
    """A constant as an Arrow scalar (an Arrow scalar is kept exactly)."""
    return value if isinstance(value, pa.Scalar) else pa.scalar(value)


def arguments(positional: Iterable[Any], named: Mapping[str, Any] | None) -> Arguments:
    """The ``Arguments`` record of a call's constants."""
    return Arguments(
        positional=tuple(to_scalar(v) for v in positional),
        named={name: to_scalar(v) for name, v in (named or {}).items()},
    )


def batch_of(columns: Sequence[Any], names: Sequence[str]) -> pa.RecordBatch:
    """One batch of equally long columns; a length mismatch names every column's length."""
    arrays = [to_array(column) for column in columns]
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        detail = ", ".join(f"{name}={len(a)}" for name, a in zip(names, arrays, strict=True))
        raise ValueError(f"all columns must have the same number of rows; got {detail}")
    combined = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
    return pa.RecordBatch.from_arrays(combined, names=list(names))


def slices(batch: pa.RecordBatch, batch_size: int | None) -> list[pa.RecordBatch]:
    """``batch`` cut into batches of at most ``batch_size`` rows (always at least one batch)."""
    if batch_size is None or batch.num_rows <= batch_size:
        return [batch]
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1; got {batch_size}")
    return [batch.slice(start, batch_size) for start in range(0, batch.num_rows, batch_size)]


def rows_of(batches: Iterable[pa.RecordBatch]) -> list[dict[str, Any]]:
    """Every row of ``batches`` as a dict."""
    return [row for batch in batches for row in batch.to_pylist()]
