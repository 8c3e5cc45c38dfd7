"""haversine_km and bearing_deg, called through their compute classmethods."""

from __future__ import annotations

import math
import re

import numpy as np
import pyarrow as pa
import pytest
from vgi_pack_geo.distance import EARTH_RADIUS_KM, BearingDeg, HaversineKm

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)
FUNCTIONS = [HaversineKm, BearingDeg]
ARGUMENTS = ["lat1", "lon1", "lat2", "lon2"]


def col(*values: float | None) -> pa.DoubleArray:
    return pa.array(values, type=pa.float64())


def call(function, lat1, lon1, lat2, lon2) -> list[float | None]:
    """One-row convenience wrapper: scalars in, Python list out."""
    result = function.compute(col(lat1), col(lon1), col(lat2), col(lon2))
    assert result.type == pa.float64()
    return result.to_pylist()


def reference_haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Per-point textbook haversine, the oracle for the vectorised kernel."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def reference_bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def random_points(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.uniform(-90, 90, n),
        rng.uniform(-180, 180, n),
        rng.uniform(-90, 90, n),
        rng.uniform(-180, 180, n),
    ]


# --- haversine_km -------------------------------------------------------------


def test_paris_to_london():
    [distance] = call(HaversineKm, *PARIS, *LONDON)
    assert distance == pytest.approx(343.5, abs=0.1)


@pytest.mark.parametrize(
    ("a", "b"),
    [((0.0, 0.0), (0.0, 180.0)), ((90.0, 0.0), (-90.0, 0.0)), ((10.0, 20.0), (-10.0, -160.0))],
)
def test_antipodes_are_half_a_circumference_apart(a, b):
    [distance] = call(HaversineKm, *a, *b)
    # haversine is ill-conditioned at the antipode (error ~ sqrt(eps) rad), hence 1 m
    assert distance == pytest.approx(math.pi * EARTH_RADIUS_KM, abs=1e-3)
    assert distance == pytest.approx(20015.1, abs=0.1)


def test_distance_is_zero_for_one_point_and_symmetric():
    assert call(HaversineKm, *PARIS, *PARIS) == [0.0]
    assert call(HaversineKm, 0.0, -180.0, 0.0, 180.0)[0] == pytest.approx(0.0, abs=1e-9)
    assert call(HaversineKm, *PARIS, *LONDON) == pytest.approx(call(HaversineKm, *LONDON, *PARIS), rel=1e-15)


def test_one_degree_of_latitude():
    [distance] = call(HaversineKm, 0.0, 0.0, 1.0, 0.0)
    assert distance == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)


def test_haversine_matches_per_point_reference():
    points = random_points(2000, seed=1)
    result = HaversineKm.compute(*(pa.array(p) for p in points)).to_numpy()
    expected = np.array([reference_haversine(*row) for row in zip(*points, strict=True)])
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-6)


# --- bearing_deg --------------------------------------------------------------


def test_paris_to_london_bearing():
    [bearing] = call(BearingDeg, *PARIS, *LONDON)
    assert bearing == pytest.approx(330.0, abs=0.1)


@pytest.mark.parametrize(
    ("lat1", "lon1", "lat2", "lon2", "expected"),
    [
        (0.0, 0.0, 10.0, 0.0, 0.0),  # due north
        (0.0, 0.0, 0.0, 10.0, 90.0),  # due east from the equator
        (10.0, 0.0, 0.0, 0.0, 180.0),  # due south
        (0.0, 10.0, 0.0, 0.0, 270.0),  # due west
        (-45.0, 30.0, 60.0, 30.0, 0.0),  # north along a meridian, across the equator
        (0.0, 179.0, 0.0, -179.0, 90.0),  # east across the antimeridian
    ],
)
def test_cardinal_bearings(lat1, lon1, lat2, lon2, expected):
    [bearing] = call(BearingDeg, lat1, lon1, lat2, lon2)
    assert bearing == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "points",
    [
        (*PARIS, *PARIS),
        (0.0, 0.0, 0.0, 0.0),
        (0.0, -180.0, 0.0, 180.0),  # one meridian, two spellings
        (90.0, 10.0, 90.0, -120.0),  # the north pole at two longitudes
        (-90.0, 0.0, -90.0, 45.0),
    ],
)
def test_identical_points_have_bearing_zero(points):
    [bearing] = call(BearingDeg, *points)
    assert bearing == 0.0
    assert math.copysign(1.0, bearing) == 1.0, "never -0.0"


def test_due_north_is_positive_zero():
    [bearing] = call(BearingDeg, 0.0, 5.0, 10.0, 5.0)
    assert bearing == 0.0
    assert math.copysign(1.0, bearing) == 1.0


def test_bearing_matches_reference_and_stays_in_range():
    points = random_points(2000, seed=2)
    result = BearingDeg.compute(*(pa.array(p) for p in points)).to_numpy()
    assert ((result >= 0.0) & (result < 360.0)).all()
    expected = np.array([reference_bearing(*row) for row in zip(*points, strict=True)])
    # compare on the circle, so 359.9999999 and 0.0000001 count as close
    difference = np.abs((result - expected + 180.0) % 360.0 - 180.0)
    assert difference.max() < 1e-9


# --- NULL, NaN, shapes (both functions) ---------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("position", range(4))
def test_null_in_any_argument_gives_null_in_that_row_only(function, position):
    values = [*PARIS, *LONDON]
    columns = [col(v, v, v) for v in values]
    columns[position] = col(values[position], None, values[position])
    result = function.compute(*columns)
    assert result.null_count == 1
    assert result.is_null().to_pylist() == [False, True, False]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_all_null_and_empty_batches(function):
    assert function.compute(col(None), col(None), col(None), col(None)).to_pylist() == [None]
    empty = col()
    result = function.compute(empty, empty, empty, empty)
    assert len(result) == 0
    assert result.type == pa.float64()


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("position", range(4))
def test_nan_propagates_as_nan_not_null_and_not_error(function, position):
    values: list[float] = [*PARIS, *LONDON]
    values[position] = math.nan
    result = call(function, *values)
    assert result[0] is not None
    assert math.isnan(result[0])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_bounds_are_inclusive(function):
    result = function.compute(col(90.0, -90.0), col(180.0, -180.0), col(-90.0, 90.0), col(-180.0, 180.0))
    assert result.null_count == 0


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize(
    ("position", "bad", "message"),
    [
        (0, 91.0, "lat1 must be within [-90, 90]; row 2 is 91.0"),
        (1, -180.5, "lon1 must be within [-180, 180]; row 2 is -180.5"),
        (2, -90.000001, "lat2 must be within [-90, 90]; row 2 is -90.000001"),
        (3, 200.0, "lon2 must be within [-180, 180]; row 2 is 200.0"),
        (0, math.inf, "lat1 must be within [-90, 90]; row 2 is inf"),
        (3, -math.inf, "lon2 must be within [-180, 180]; row 2 is -inf"),
    ],
)
def test_out_of_range_names_argument_row_and_value(function, position, bad, message):
    columns = [col(v, v, v, v) for v in (*PARIS, *LONDON)]
    values = [*PARIS, *LONDON]
    columns[position] = col(values[position], None, bad, values[position])
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        function.compute(*columns)


def test_out_of_range_counts_further_bad_rows():
    lat = col(0.0, 100.0, 0.0, -100.0, 95.0)
    zeros = col(0.0, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match=re.escape("row 1 is 100.0 (and 2 more rows out of range)")):
        HaversineKm.compute(lat, zeros, zeros, zeros)


def test_first_argument_is_reported_first():
    with pytest.raises(ValueError, match=r"^lat1 "):
        HaversineKm.compute(col(91.0), col(0.0), col(91.0), col(0.0))


def test_null_row_is_never_range_checked():
    # what sits under a NULL slot is undefined; a NULL must not cause an error
    masked = pa.array([1000.0, 1.0], type=pa.float64(), mask=np.array([True, False]))
    result = HaversineKm.compute(masked, col(0.0, 0.0), col(0.0, 0.0), col(0.0, 0.0))
    assert result.is_null().to_pylist() == [True, False]


def test_integer_and_sliced_inputs():
    """Direct calls may pass ints (the host casts them first); sliced arrays have an offset."""
    ints = [pa.array([0, 0, 0], type=pa.int64()) for _ in range(3)]
    assert HaversineKm.compute(*ints, pa.array([0, 1, 180], type=pa.int64())).to_pylist()[0] == 0.0
    lat1 = col(0.0, PARIS[0], 7.0).slice(1, 1)
    sliced = [lat1, col(PARIS[1]), col(LONDON[0]), col(LONDON[1])]
    assert HaversineKm.compute(*sliced).to_pylist() == call(HaversineKm, *PARIS, *LONDON)


def test_columns_of_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="same number of rows"):
        BearingDeg.compute(col(0.0, 1.0), col(0.0), col(0.0), col(0.0))
