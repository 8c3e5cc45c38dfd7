"""Turning coordinate columns into numpy vectors, and the pack's one range check.

Every function in the pack takes latitudes and longitudes, and all of them
must reject the same impossible values with the same message, so the check
lives here once.  The policy (documented in the README):

* a latitude outside [-90, 90] or a longitude outside [-180, 180] raises
  ``ValueError`` naming the argument, the first offending row (its index within
  the batch ``compute`` was given) and its value;
* NaN is accepted where the caller says so (distance and bearing propagate it,
  as DuckDB's own math functions do) and rejected otherwise (a geohash has no
  cell for NaN);
* NULL is never an error: it is reported as a mask so the caller can answer
  NULL for that row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

FloatVector = npt.NDArray[np.float64]
BoolVector = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Bounds:
    """A closed interval of valid values for one kind of coordinate."""

    low: int
    high: int


LATITUDE: Final = Bounds(-90, 90)
LONGITUDE: Final = Bounds(-180, 180)


@dataclass(frozen=True, slots=True)
class Coordinates:
    """One checked coordinate column, ready for numpy.

    ``values`` holds 0.0 in NULL slots (a harmless, in-range number, so kernels
    never trip over garbage or NaN that is not really there); ``null`` is the
    NULL mask, or ``None`` when the column has no NULLs at all, which lets the
    common case skip every mask operation.
    """

    values: FloatVector
    null: BoolVector | None


def float_column(column: pa.Array[Any]) -> Coordinates:
    """Unpack a numeric Arrow column into float64 values and a NULL mask.

    The host has already cast the column to DOUBLE; the cast here only matters
    when ``compute`` is called directly (tests, notebooks) with integers.
    Without NULLs the values are a zero-copy view of the Arrow buffer.
    """
    if column.type != pa.float64():
        column = column.cast(pa.float64())
    if column.null_count == 0:
        return Coordinates(column.to_numpy(zero_copy_only=False), None)
    values = column.fill_null(0.0).to_numpy(zero_copy_only=False)
    null = column.is_null().to_numpy(zero_copy_only=False)
    return Coordinates(values, null)


def check_within(name: str, coordinates: Coordinates, bounds: Bounds, *, allow_nan: bool) -> None:
    """Raise ``ValueError`` unless every non-NULL value lies in ``bounds``.

    The message names the argument, the first offending row and its value, so
    the SQL user can find the bad row; how many more rows are bad is added
    because "fix row 2" is misleading when a whole column is in radians.
    NaN compares false against both bounds, so it passes unless ``allow_nan``
    is false.  NULL slots hold 0.0 and therefore always pass.
    """
    values = coordinates.values
    bad = (values < bounds.low) | (values > bounds.high)
    if not allow_nan:
        bad |= np.isnan(values)
    if not bad.any():
        return
    row = int(np.argmax(bad))
    value = float(values[row])
    rule = f"{name} must be within [{bounds.low}, {bounds.high}]"
    if not allow_nan:
        rule += " and not NaN"
    message = f"{rule}; row {row} is {value!r}"
    others = int(np.count_nonzero(bad)) - 1
    if others:
        message += f" (and {others} more row{'s' if others > 1 else ''} out of range)"
    raise ValueError(message)


def coordinate_column(name: str, column: pa.Array[Any], bounds: Bounds, *, allow_nan: bool) -> Coordinates:
    """Unpack ``column`` and check it against ``bounds`` in one step (see :func:`check_within`)."""
    coordinates = float_column(column)
    check_within(name, coordinates, bounds, allow_nan=allow_nan)
    return coordinates


def combine_nulls(*masks: BoolVector | None) -> BoolVector | None:
    """Combine NULL masks: a row is NULL in the result when it is NULL in any argument."""
    present = [mask for mask in masks if mask is not None]
    if not present:
        return None
    combined = present[0].copy()
    for mask in present[1:]:
        combined |= mask
    return combined


def require_same_length(**columns: pa.Array[Any]) -> int:
    """Return the common length of ``columns``; raise ``ValueError`` if they differ.

    The host always passes columns of one batch, so this only guards direct
    calls, where numpy broadcasting would otherwise fail with a shape error
    that names no argument.
    """
    lengths = {name: len(column) for name, column in columns.items()}
    distinct = set(lengths.values())
    if len(distinct) > 1:
        detail = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(f"all arguments must have the same number of rows; got {detail}")
    return distinct.pop() if distinct else 0
