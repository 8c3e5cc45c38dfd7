"""``geo_grid``: a table function producing one row per point of a regular lat/lon grid.

The grid is the cross product of two axes, latitudes from ``min_lat`` to
``max_lat`` and longitudes from ``min_lon`` to ``max_lon``, both stepped by
``step_deg``; rows come latitude-major (south to north, and west to east within
each latitude).  Bounds are inclusive, with float-robust stepping:

* point ``i`` of an axis is ``low + i * step``, computed from ``i`` directly,
  so no error accumulates along the axis;
* an axis has ``floor((high - low) / step) + 1`` points, except that a ratio
  within a relative ``1e-9`` of a whole number counts as that whole number, so
  ``0 .. 0.3`` in steps of ``0.1`` (a ratio of ``2.9999999999999996``) has the
  four points its author meant, and its last point is exactly ``high``;
* no point ever lies beyond ``high``.

Rows are produced ``BATCH_ROWS`` at a time straight from the row index, so a
grid of millions of points never exists in memory at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vgi_host import (
    Arg,
    BindError,
    BindParams,
    FunctionExample,
    FunctionStability,
    OutputCollector,
    ProcessParams,
    TableFunctionGenerator,
)
from vgi_pack_geo._validate import LATITUDE, LONGITUDE, Bounds, FloatVector

MAX_POINTS: Final = 50_000_000
"""Largest grid ``geo_grid`` agrees to produce; beyond it the step is almost certainly a mistake."""

BATCH_ROWS: Final = 100_000
"""Rows per ``process`` call."""

SNAP_TOLERANCE: Final = 1e-9
"""Relative distance from a whole number within which ``(high - low) / step`` counts as whole."""

GRID_SCHEMA: Final = pa.schema([pa.field("lat", pa.float64()), pa.field("lon", pa.float64())])


@dataclass(frozen=True, slots=True)
class Axis:
    """The points ``low + i * step`` for ``i`` in ``0 .. intervals``, the last one clipped to ``high``."""

    low: float
    high: float
    step: float
    intervals: int
    snapped: bool
    """Whether ``(high - low) / step`` was (nearly) whole, so the last point is exactly ``high``."""

    @property
    def count(self) -> int:
        """Number of points on the axis."""
        return self.intervals + 1

    def values(self, index: npt.NDArray[np.int64]) -> FloatVector:
        """The coordinates of the points at ``index`` (each in ``0 .. intervals``)."""
        values = np.minimum(self.low + index.astype(np.float64) * self.step, self.high)
        if self.snapped:
            values[index == self.intervals] = self.high
        return values


@dataclass(frozen=True, slots=True)
class Grid:
    """A validated grid: the two axes, latitude-major."""

    lat: Axis
    lon: Axis

    @property
    def count(self) -> int:
        """Number of points (rows)."""
        return self.lat.count * self.lon.count


def _axis(name: str, low: float, high: float, step: float) -> Axis:
    """One axis; ``step`` is known to be positive and finite and ``low <= high`` finite."""
    ratio = (high - low) / step
    if ratio >= MAX_POINTS:  # also keeps round() and int() away from huge or infinite ratios
        raise BindError(
            f"the grid would have more than {MAX_POINTS:,} points along {name} alone "
            f"({low!r} to {high!r} in steps of {step!r}); use a larger step_deg or a smaller box"
        )
    nearest = round(ratio)
    snapped = abs(ratio - nearest) <= SNAP_TOLERANCE * max(1.0, nearest)
    intervals = nearest if snapped else math.floor(ratio)
    return Axis(low, high, step, intervals, snapped)


def _number(name: str, value: Any, bounds: Bounds | None = None) -> float:
    """One argument as a float: never NULL or NaN, within ``bounds`` when given.

    The host enforces the declared bounds at bind already; checking them again
    here keeps direct calls (tests, notebooks) just as safe, and covers NULL,
    which the bounds do not.
    """
    if value is None:
        raise BindError(f"{name} must not be NULL")
    number = float(value)
    if math.isnan(number):
        raise BindError(f"{name} must not be NaN")
    if bounds is not None and not bounds.low <= number <= bounds.high:
        raise BindError(f"{name} must be within [{bounds.low}, {bounds.high}]; got {number!r}")
    return number


def grid_of(args: Any) -> Grid:
    """Validate the five arguments and describe the grid; raise ``BindError`` naming the problem."""
    min_lat = _number("min_lat", args.min_lat, LATITUDE)
    max_lat = _number("max_lat", args.max_lat, LATITUDE)
    min_lon = _number("min_lon", args.min_lon, LONGITUDE)
    max_lon = _number("max_lon", args.max_lon, LONGITUDE)
    step = _number("step_deg", args.step_deg)
    if not 0.0 < step < math.inf:
        raise BindError(f"step_deg must be a positive, finite number of degrees; got {step!r}")
    if min_lat > max_lat:
        raise BindError(f"min_lat must not exceed max_lat; got min_lat {min_lat!r} > max_lat {max_lat!r}")
    if min_lon > max_lon:
        raise BindError(
            f"min_lon must not exceed max_lon; got min_lon {min_lon!r} > max_lon {max_lon!r} "
            f"(a box across the antimeridian takes two calls, one each side)"
        )
    grid = Grid(_axis("lat", min_lat, max_lat, step), _axis("lon", min_lon, max_lon, step))
    if grid.count > MAX_POINTS:
        raise BindError(
            f"the grid would have {grid.count:,} points ({grid.lat.count:,} latitudes x "
            f"{grid.lon.count:,} longitudes), more than the limit of {MAX_POINTS:,}; "
            f"use a larger step_deg or a smaller box"
        )
    return grid


@dataclass
class GridState:
    """Progress of one execution: the grid and the index of the next row to produce."""

    grid: Grid
    next_row: int = 0


class GeoGrid(TableFunctionGenerator):
    """One row (lat, lon) per point of a regular grid over a lat/lon box, bounds included."""

    min_lat: Annotated[float, Arg(0, doc="Southern edge, degrees in [-90, 90]", ge=-90, le=90)]
    min_lon: Annotated[float, Arg(1, doc="Western edge, degrees in [-180, 180]", ge=-180, le=180)]
    max_lat: Annotated[float, Arg(2, doc="Northern edge, degrees in [-90, 90], >= min_lat", ge=-90, le=90)]
    max_lon: Annotated[float, Arg(3, doc="Eastern edge, degrees in [-180, 180], >= min_lon", ge=-180, le=180)]
    step_deg: Annotated[float, Arg(4, doc="Spacing of the points along both axes, degrees > 0", gt=0)]

    FIXED_SCHEMA: ClassVar[pa.Schema] = GRID_SCHEMA

    class Meta:
        """Catalog entry for ``geo.geo_grid``."""

        name = "geo_grid"
        description = (
            "One row (lat DOUBLE, lon DOUBLE) per point of the regular grid covering the box "
            "[min_lat, max_lat] x [min_lon, max_lon] in steps of step_deg degrees, bounds included, "
            "latitude-major (south to north, then west to east). Point i of an axis is "
            "min + i * step_deg; a span within 1e-9 (relative) of a whole number of steps ends exactly "
            "on the max bound, and no point lies beyond it. min must not exceed max (a box across the "
            "antimeridian takes two calls), step_deg must be positive, and grids of more than "
            f"{MAX_POINTS:,} points are refused."
        )
        comment = "regular lat/lon grid; inclusive bounds"
        examples = (
            FunctionExample(
                sql="SELECT count(*) FROM geo.geo_grid(0, 0, 1, 1, 0.5)",
                description="Three latitudes by three longitudes",
                expected_output="9",
            ),
            FunctionExample(
                sql="SELECT lat, lon FROM geo.geo_grid(48, 2, 49, 3, 0.25) ORDER BY lat, lon LIMIT 1",
                description="A quarter-degree grid around Paris starts at its south-west corner",
                expected_output="48.0, 2.0",
            ),
        )
        categories = ("geo", "grid")
        stability = FunctionStability.CONSISTENT
        projection_pushdown = True

    @classmethod
    def on_bind(cls, params: BindParams) -> pa.Schema:
        """Check the arguments (bounds order, step, size) before any row is produced."""
        grid_of(params.args)
        return GRID_SCHEMA

    @classmethod
    def cardinality(cls, params: BindParams) -> int | None:
        """The exact number of rows."""
        return grid_of(params.args).count

    @classmethod
    def initial_state(cls, params: ProcessParams) -> GridState:
        """Start at row 0."""
        return GridState(grid_of(params.args))

    @classmethod
    def process(cls, params: ProcessParams, state: GridState, out: OutputCollector) -> None:
        """Emit the next ``BATCH_ROWS`` rows; finish with the last of them.

        Only the columns in ``params.output_schema`` are computed (projection
        pushdown); when it asks for no column at all (``count(*)``), ``lat`` is
        sent so that the batch still carries its row count.
        """
        grid = state.grid
        start = state.next_row
        stop = min(start + BATCH_ROWS, grid.count)
        if start >= stop:
            out.finish()
            return
        rows = np.arange(start, stop, dtype=np.int64)
        wanted = [name for name in params.output_schema.names if name in GRID_SCHEMA.names] or ["lat"]
        columns: dict[str, pa.Array[Any]] = {}
        for name in wanted:
            if name == "lat":
                values = grid.lat.values(rows // grid.lon.count)
            else:
                values = grid.lon.values(rows % grid.lon.count)
            columns[name] = pa.array(values, type=pa.float64())
        out.emit(pa.RecordBatch.from_arrays(list(columns.values()), names=list(columns)))
        state.next_row = stop
        if stop >= grid.count:
            out.finish()
