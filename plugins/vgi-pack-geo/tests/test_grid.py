"""geo_grid, driven the way the host drives a table function: bind, initial_state, process until finish."""

from __future__ import annotations

import math
import re

import numpy as np
import pyarrow as pa
import pytest
from vgi_pack_geo.grid import BATCH_ROWS, GRID_SCHEMA, MAX_POINTS, GeoGrid

from vgi_host import OutputCollector, ProcessParams
from vgi_host.errors import BindError
from vgi_host.sdk.context import Args, BindParams

NAMES = ["min_lat", "min_lon", "max_lat", "max_lon", "step_deg"]


class Sink:
    """Records what the function emits, enforcing the SDK's one-emit-per-call contract."""

    def __init__(self, schema: pa.Schema) -> None:
        self.output_schema = schema
        self.batches: list[pa.RecordBatch] = []
        self.finished = False

    def emit(self, batch: pa.RecordBatch) -> None:
        assert not self.finished, "emit after finish"
        self.batches.append(batch)

    def finish(self) -> None:
        self.finished = True


def args(*values) -> Args:
    return Args(dict(zip(NAMES, values, strict=True)))


def run(*values, schema: pa.Schema = GRID_SCHEMA) -> tuple[pa.Table, list[pa.RecordBatch]]:
    params = ProcessParams(args=args(*values), output_schema=schema)
    state = GeoGrid.initial_state(params)
    sink = Sink(schema)
    out = OutputCollector(sink)
    for _ in range(MAX_POINTS // BATCH_ROWS + 2):
        before = len(sink.batches)
        GeoGrid.process(params, state, out)
        assert len(sink.batches) - before <= 1, "at most one emit per process call"
        if sink.finished:
            break
    assert sink.finished
    assert all(b.num_rows <= BATCH_ROWS for b in sink.batches)
    table = pa.Table.from_batches(sink.batches) if sink.batches else pa.table({})
    return table, sink.batches


def scalars(*values) -> list[pa.Scalar]:
    return [pa.scalar(v) for v in values]


def points(*values) -> list[tuple[float, float]]:
    table, _ = run(*values)
    assert table.schema == GRID_SCHEMA
    return list(zip(table["lat"].to_pylist(), table["lon"].to_pylist(), strict=True))


def cardinality(*values) -> int | None:
    return GeoGrid.cardinality(BindParams(args=args(*values)))


def test_grid_0_to_1_step_half_has_nine_points_latitude_major():
    assert points(0, 0, 1, 1, 0.5) == [
        (0.0, 0.0), (0.0, 0.5), (0.0, 1.0),
        (0.5, 0.0), (0.5, 0.5), (0.5, 1.0),
        (1.0, 0.0), (1.0, 0.5), (1.0, 1.0),
    ]  # fmt: skip
    assert cardinality(0, 0, 1, 1, 0.5) == 9


def test_inclusive_bounds_survive_float_steps():
    # (0.3 - 0) / 0.1 == 2.9999999999999996: still four points, the last exactly 0.3
    grid = points(0, 0, 0.3, 0.3, 0.1)
    assert len(grid) == 16 == cardinality(0, 0, 0.3, 0.3, 0.1)
    assert grid[-1] == (0.3, 0.3)
    assert sorted({lat for lat, _ in grid}) == pytest.approx([0.0, 0.1, 0.2, 0.3], abs=1e-15)
    # 0.7 / 0.1 == 6.999999999999999 and 1.1 / 0.1 == 11.000000000000002
    for high, count in ((0.7, 8), (1.1, 12), (10.0, 101)):
        grid = points(0, 0, high, 0, 0.1)
        assert len(grid) == count
        assert grid[-1][0] == high
        assert max(lat for lat, _ in grid) <= high


def test_points_are_computed_not_accumulated():
    grid = points(-90, 0, 90, 0, 0.1)
    lats = np.array([lat for lat, _ in grid])
    assert len(lats) == 1801
    np.testing.assert_allclose(lats, -90 + np.arange(1801) * 0.1, rtol=0, atol=1e-12)
    assert lats[0] == -90.0
    assert lats[-1] == 90.0


def test_a_step_that_does_not_divide_the_span_stops_before_the_max():
    assert [lat for lat, _ in points(0, 0, 1, 0, 0.3)] == pytest.approx([0.0, 0.3, 0.6, 0.9])
    assert points(0, 0, 1, 1, 5) == [(0.0, 0.0)]


def test_a_box_of_zero_size_is_one_point():
    assert points(12.5, -3.25, 12.5, -3.25, 1) == [(12.5, -3.25)]


def test_whole_globe_in_several_batches():
    table, batches = run(-90, -180, 90, 180, 0.5)
    assert table.num_rows == 361 * 721 == cardinality(-90, -180, 90, 180, 0.5)
    assert len(batches) == math.ceil(table.num_rows / BATCH_ROWS)
    lat_axis = -90 + np.arange(361) * 0.5
    lon_axis = -180 + np.arange(721) * 0.5
    expected_lat, expected_lon = np.meshgrid(lat_axis, lon_axis, indexing="ij")
    np.testing.assert_array_equal(table["lat"].to_numpy(), expected_lat.ravel())
    np.testing.assert_array_equal(table["lon"].to_numpy(), expected_lon.ravel())


def test_cardinality_is_exact_and_points_stay_in_the_box():
    rng = np.random.default_rng(11)
    for _ in range(200):
        lat = np.sort(rng.uniform(-90, 90, 2))
        lon = np.sort(rng.uniform(-180, 180, 2))
        step = float(rng.choice([0.1, 0.25, 1 / 3, 0.7, 1.0, 2.5, 7.0, 45.0]))
        values = (float(lat[0]), float(lon[0]), float(lat[1]), float(lon[1]), step)
        table, _ = run(*values)
        assert table.num_rows == cardinality(*values)
        lats, lons = table["lat"].to_numpy(), table["lon"].to_numpy()
        assert lats.min() >= lat[0]
        assert lats.max() <= lat[1]
        assert lons.min() >= lon[0]
        assert lons.max() <= lon[1]
        # the next point along each axis would fall outside the box
        assert lats.max() + step > lat[1] - 1e-9 * step
        assert lons.max() + step > lon[1] - 1e-9 * step


def test_snapped_axes_end_exactly_on_the_max():
    rng = np.random.default_rng(12)
    for _ in range(500):
        step = float(rng.choice([0.1, 0.2, 0.3, 0.01, 0.05, 1 / 3, 1 / 7]))
        intervals = int(rng.integers(0, 300))
        low = float(np.round(rng.uniform(-90, 0), 2))
        high = low + intervals * step
        if high > 90:
            continue
        table, _ = run(low, 0, high, 0, step)
        assert table.num_rows == intervals + 1
        assert table["lat"][-1].as_py() == high


def test_projection_pushdown_produces_only_the_requested_columns():
    only_lon = pa.schema([pa.field("lon", pa.float64())])
    table, _ = run(0, 0, 1, 1, 0.5, schema=only_lon)
    assert table.column_names == ["lon"]
    assert table["lon"].to_pylist() == [0.0, 0.5, 1.0] * 3
    reordered = pa.schema([GRID_SCHEMA.field("lon"), GRID_SCHEMA.field("lat")])
    table, _ = run(0, 0, 1, 1, 0.5, schema=reordered)
    assert table.column_names == ["lon", "lat"]
    # no column asked for (count(*)): rows still carry their count
    table, _ = run(0, 0, 1, 1, 0.5, schema=pa.schema([]))
    assert table.num_rows == 9


def test_emit_and_finish_in_the_last_call():
    params = ProcessParams(args=args(0, 0, 1, 1, 0.5), output_schema=GRID_SCHEMA)
    state = GeoGrid.initial_state(params)
    sink = Sink(GRID_SCHEMA)
    GeoGrid.process(params, state, OutputCollector(sink))
    assert sink.finished
    assert [b.num_rows for b in sink.batches] == [9]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((1, 0, 0, 1, 0.5), "min_lat must not exceed max_lat; got min_lat 1.0 > max_lat 0.0"),
        ((0, 10, 1, -10, 0.5), "min_lon must not exceed max_lon; got min_lon 10.0 > max_lon -10.0"),
        ((0, 0, 1, 1, 0), "step_deg must be a positive, finite number of degrees; got 0.0"),
        ((0, 0, 1, 1, -1), "step_deg must be a positive, finite number of degrees; got -1.0"),
        ((0, 0, 1, 1, math.inf), "step_deg must be a positive, finite number of degrees; got inf"),
        ((0, 0, 1, 1, math.nan), "step_deg must not be NaN"),
        ((None, 0, 1, 1, 0.5), "min_lat must not be NULL"),
        ((0, 0, 1, 1, None), "step_deg must not be NULL"),
        ((-91, 0, 1, 1, 0.5), "min_lat must be within [-90, 90]; got -91.0"),
        ((0, 0, 1, 181, 0.5), "max_lon must be within [-180, 180]; got 181.0"),
    ],
)
def test_invalid_arguments_are_refused_at_bind(values, message):
    for call in (
        lambda: GeoGrid.on_bind(BindParams(args=args(*values))),
        lambda: GeoGrid.cardinality(BindParams(args=args(*values))),
        lambda: GeoGrid.initial_state(ProcessParams(args=args(*values), output_schema=GRID_SCHEMA)),
    ):
        with pytest.raises(BindError, match=f"^{re.escape(message)}"):
            call()


def test_absurd_grids_are_refused():
    with pytest.raises(BindError) as caught:
        GeoGrid.on_bind(BindParams(args=args(-90, -180, 90, 180, 0.01)))
    assert str(caught.value) == (
        "the grid would have 648,054,001 points (18,001 latitudes x 36,001 longitudes), "
        "more than the limit of 50,000,000; use a larger step_deg or a smaller box"
    )
    with pytest.raises(BindError, match="more than 50,000,000 points along lat alone"):
        GeoGrid.on_bind(BindParams(args=args(0, 0, 1, 0, 1e-300)))
    with pytest.raises(BindError, match="more than 50,000,000 points along lon alone"):
        GeoGrid.on_bind(BindParams(args=args(0, 0, 0, 1, 5e-324)))
    # just inside the limit is fine (and never materialised by bind or cardinality)
    assert cardinality(0, 0, 0, 49_999_999e-7, 1e-7) == MAX_POINTS
    assert cardinality(0, 0, 4e-7, 9_999_999e-7, 1e-7) == MAX_POINTS  # 5 x 10,000,000


def test_one_point_over_the_limit_is_refused():
    with pytest.raises(BindError, match="more than 50,000,000 points along lon alone"):
        GeoGrid.on_bind(BindParams(args=args(0, 0, 0, 5.0, 1e-7)))  # 50,000,001 longitudes
    with pytest.raises(BindError, match="the grid would have 50,000,002 points"):
        GeoGrid.on_bind(BindParams(args=args(0, 0, 1e-7, 25_000_000e-7, 1e-7)))  # 2 x 25,000,001


def test_binding_through_the_definition_enforces_bounds_and_checks():
    definition = GeoGrid.definition()
    bound = definition.bind(scalars(0, 0, 1, 1, 0.5), {})
    assert bound.output_schema == GRID_SCHEMA
    assert GeoGrid.cardinality(bound.bind_params()) == 9
    with pytest.raises(BindError, match="'min_lat' must be >= -90"):
        definition.bind(scalars(-100.0, 0.0, 1.0, 1.0, 0.5), {})
    with pytest.raises(BindError, match="'step_deg' must be > 0"):
        definition.bind(scalars(0.0, 0.0, 1.0, 1.0, 0.0), {})
    with pytest.raises(BindError, match="min_lat must not exceed max_lat"):
        definition.bind(scalars(2.0, 0.0, 1.0, 1.0, 0.5), {})
