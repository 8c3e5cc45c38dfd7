"""centroid, driven the way the host drives an aggregate: update per batch, combine partials, finalize."""

from __future__ import annotations

import math
import pickle
import re

import numpy as np
import pyarrow as pa
import pytest
from vgi_pack_geo.centroid import CENTROID_POINT, Centroid, CentroidState
from vgi_pack_geo.distance import HaversineKm

from vgi_host import Args, ProcessParams

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)
PARAMS = ProcessParams(args=Args({}), output_schema=pa.schema([pa.field("result", CENTROID_POINT)]))


def update(states: dict[int, CentroidState], gids, lats, lons) -> None:
    for gid in set(gids):
        states.setdefault(gid, Centroid.initial_state(PARAMS))  # the host pre-fills every id
    Centroid.update(
        states,
        pa.array(gids, type=pa.int64()),
        lat=pa.array(lats, type=pa.float64()),
        lon=pa.array(lons, type=pa.float64()),
    )


def finalize(states: dict[int, CentroidState | None], gids: list[int]) -> list[tuple[float, float] | None]:
    batch = Centroid.finalize(pa.array(gids, type=pa.int64()), {g: states.get(g) for g in gids}, PARAMS)
    assert batch.schema == pa.schema([pa.field("result", CENTROID_POINT)])
    assert batch.num_rows == len(gids)
    return [None if row is None else (row["lat"], row["lon"]) for row in batch.column(0).to_pylist()]


def centroid_of(lats, lons) -> tuple[float, float] | None:
    states: dict[int, CentroidState | None] = {}
    update(states, [0] * len(lats), lats, lons)  # type: ignore[arg-type]
    return finalize(states, [0])[0]


def reference(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Per-point textbook spherical mean."""
    x = y = z = 0.0
    for lat, lon in points:
        phi, lam = math.radians(lat), math.radians(lon)
        x += math.cos(phi) * math.cos(lam)
        y += math.cos(phi) * math.sin(lam)
        z += math.sin(phi)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return HaversineKm.compute(*(pa.array([v]) for v in (*a, *b))).to_pylist()[0]


def test_paris_london_centroid_lies_between_them():
    result = centroid_of([PARIS[0], LONDON[0]], [PARIS[1], LONDON[1]])
    assert result is not None
    lat, lon = result
    assert LONDON[1] < lon < PARIS[1]
    assert PARIS[0] < lat < LONDON[0]
    assert (lat, lon) == pytest.approx((50.188594877568285, 1.1466176290303252), abs=1e-9)
    # the midpoint of the great circle: equally far from both, half the distance
    assert km(result, PARIS) == pytest.approx(km(result, LONDON), abs=1e-6)
    assert km(result, PARIS) == pytest.approx(km(PARIS, LONDON) / 2, abs=1e-6)


def test_one_point_is_its_own_centroid():
    for point in [(0.0, 0.0), (12.5, -77.25), (-33.9, 151.2), (89.0, 179.0)]:
        result = centroid_of([point[0]], [point[1]])
        assert result == pytest.approx(point, abs=1e-9)


def test_antimeridian_and_pole():
    result = centroid_of([10.0, -10.0], [179.0, -179.0])
    assert result is not None
    assert result[0] == pytest.approx(0.0, abs=1e-12)
    assert abs(result[1]) == pytest.approx(180.0)  # not 0, the naive average of longitudes
    ring = centroid_of([80.0] * 4, [0.0, 90.0, 180.0, -90.0])
    assert ring is not None
    assert ring[0] == pytest.approx(90.0)


def test_balanced_points_have_no_centroid():
    assert centroid_of([0.0, 0.0], [0.0, 180.0]) is None  # antipodes
    assert centroid_of([90.0, -90.0], [0.0, 45.0]) is None  # the two poles
    assert centroid_of([0.0] * 4, [0.0, 90.0, 180.0, -90.0]) is None  # evenly round the equator
    assert centroid_of([12.0, -12.0], [30.0, -150.0]) is None
    # nearly balanced but genuinely not: still answered
    nearly = centroid_of([0.0, 0.0], [0.0, 179.9])
    assert nearly is not None
    assert nearly[1] == pytest.approx(89.95)


def test_nulls_are_ignored_and_all_null_or_empty_groups_give_null():
    states: dict[int, CentroidState | None] = {}
    update(
        states, [1, 1, 1, 2, 2], [PARIS[0], None, LONDON[0], None, 5.0], [PARIS[1], 3.0, LONDON[1], 1.0, None]
    )
    assert states[1].n == 2  # type: ignore[union-attr]
    assert states[2].n == 0  # type: ignore[union-attr]
    result, only_nulls, never_updated = finalize(states, [1, 2, 3])
    assert result == pytest.approx(reference([PARIS, LONDON]))
    assert only_nulls is None
    assert never_updated is None
    batch = Centroid.finalize(pa.array([3, 1], type=pa.int64()), {3: None, 1: states[1]}, PARAMS)
    struct = batch.column(0)
    assert struct.is_null().to_pylist() == [True, False]
    assert struct.field("lat").is_null().to_pylist() == [True, False]


def test_many_groups_in_one_batch_match_the_reference():
    rng = np.random.default_rng(5)
    n = 20_000
    gids = rng.integers(0, 50, n)
    lats = rng.uniform(-60, 80, n)
    lons = rng.uniform(-30, 60, n)
    states: dict[int, CentroidState | None] = {}
    update(states, gids.tolist(), lats.tolist(), lons.tolist())
    ids = list(range(50))
    results = finalize(states, ids)
    for gid, result in zip(ids, results, strict=True):
        mine = gids == gid
        expected = reference(list(zip(lats[mine], lons[mine], strict=True)))
        assert result == pytest.approx(expected, abs=1e-9)
        assert states[gid].n == int(mine.sum())  # type: ignore[union-attr]


def test_batches_and_combine_agree_with_one_update():
    rng = np.random.default_rng(6)
    gids = rng.integers(0, 5, 3000).tolist()
    lats = rng.uniform(-90, 90, 3000).tolist()
    lons = rng.uniform(-180, 180, 3000).tolist()
    whole: dict[int, CentroidState | None] = {}
    update(whole, gids, lats, lons)
    left: dict[int, CentroidState | None] = {}
    right: dict[int, CentroidState | None] = {}
    update(left, gids[:1000], lats[:1000], lons[:1000])
    update(left, gids[1000:1700], lats[1000:1700], lons[1000:1700])
    update(right, gids[1700:], lats[1700:], lons[1700:])
    merged = {g: Centroid.combine(right[g], left[g], PARAMS) for g in left}  # type: ignore[arg-type]
    for gid in range(5):
        a, b = merged[gid], whole[gid]
        assert b is not None
        assert (a.x, a.y, a.z) == pytest.approx((b.x, b.y, b.z), abs=1e-9)
        assert a.n == b.n
    got = np.array(finalize(merged, list(range(5))))  # type: ignore[arg-type]
    np.testing.assert_allclose(got, np.array(finalize(whole, list(range(5)))), rtol=0, atol=1e-9)


def test_combine_with_an_empty_state():
    full = CentroidState(1.0, 2.0, 3.0, 4)
    assert Centroid.combine(Centroid.initial_state(PARAMS), full, PARAMS) == CentroidState(1.0, 2.0, 3.0, 4)
    assert Centroid.combine(CentroidState(1.0, 2.0, 3.0, 4), CentroidState(), PARAMS) == full


def test_state_pickles():
    state = CentroidState(0.5, -0.25, 1.0, 3)
    assert pickle.loads(pickle.dumps(state)) == state


def test_nan_gives_nan():
    result = centroid_of([math.nan, 1.0], [0.0, 1.0])
    assert result is not None
    assert math.isnan(result[0])
    assert math.isnan(result[1])


@pytest.mark.parametrize(
    ("lats", "lons", "message"),
    [
        ([0.0, 91.0], [0.0, 0.0], "lat must be within [-90, 90]; row 1 is 91.0"),
        ([0.0, 0.0], [-200.0, 0.0], "lon must be within [-180, 180]; row 0 is -200.0"),
    ],
)
def test_out_of_range_points_are_errors(lats, lons, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        centroid_of(lats, lons)


def test_empty_batch_changes_nothing():
    states: dict[int, CentroidState | None] = {}
    update(states, [], [], [])
    assert states == {}
    assert finalize(states, []) == []


def test_through_the_host_columns_are_cast_and_partitions_combine(vgi):
    columns = {
        "lat": pa.array([PARIS[0], LONDON[0], 10.0], pa.float64()),
        "lon": pa.array([2, 0, 20], pa.int32()),  # cast to DOUBLE by the host, as DuckDB's would be
    }
    whole = vgi.aggregate("geo", "centroid", columns=columns)
    assert vgi.aggregate("geo", "centroid", columns=columns, partitions=2) == pytest.approx(whole)
    by_group = vgi.aggregate("geo", "centroid", columns=columns, groups=["eu", "eu", "far"])
    assert by_group["far"] == pytest.approx({"lat": 10.0, "lon": 20.0})
