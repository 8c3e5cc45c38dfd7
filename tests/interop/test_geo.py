"""The geo pack through `vgi-host serve`, called as DuckDB calls scalars."""

import math

import pytest
from vgi.client import ClientError

from tests.interop.helpers import call_scalar

pytestmark = pytest.mark.interop

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)


def points(*rows):
    """One row per (start, end) pair, in columns named as DuckDB names them (col_0, ...)."""
    return {
        "col_0": [start[0] for start, _ in rows],
        "col_1": [start[1] for start, _ in rows],
        "col_2": [end[0] for _, end in rows],
        "col_3": [end[1] for _, end in rows],
    }


def test_haversine_paris_london(client):
    (km,) = call_scalar(client, "geo", "haversine_km", points((PARIS, LONDON)))
    assert km == pytest.approx(343.5, abs=0.2)


def test_haversine_known_values_and_nulls(client):
    rows = call_scalar(
        client,
        "geo",
        "haversine_km",
        {
            "a": [0.0, 10.0, None, 0.0],
            "b": [0.0, 20.0, 1.0, 0.0],
            "c": [0.0, 10.0, 2.0, 0.0],
            "d": [180.0, 20.0, 3.0, None],
        },
    )
    assert rows[0] == pytest.approx(math.pi * 6371.0088, rel=1e-9)
    assert rows[1] == 0.0
    assert rows[2:] == [None, None]


def test_integer_columns_are_cast_to_double(client):
    (km,) = call_scalar(client, "geo", "haversine_km", {"a": [0], "b": [0], "c": [0], "d": [1]})
    assert km == pytest.approx(111.195, abs=0.01)


def test_bearing(client):
    rows = call_scalar(
        client,
        "geo",
        "bearing_deg",
        {
            "a": [PARIS[0], 0.0, 0.0],
            "b": [PARIS[1], 0.0, 0.0],
            "c": [LONDON[0], 10.0, 0.0],
            "d": [LONDON[1], 0.0, 10.0],
        },
    )
    assert rows[0] == pytest.approx(330.0, abs=0.5)
    assert rows[1:] == pytest.approx([0.0, 90.0])


def test_geohash_encode_with_constant_precision(client):
    rows = call_scalar(
        client, "geo", "geohash_encode", {"lat": [57.64911, None], "lon": [10.40744, 1.0]}, [11]
    )
    assert rows == ["u4pruydqqvj", None]
    assert call_scalar(client, "geo", "geohash_encode", {"lat": [PARIS[0]], "lon": [PARIS[1]]}, [5]) == [
        "u09tv"
    ]


def test_geohash_precision_out_of_range_is_a_bind_error(client):
    with pytest.raises(
        ClientError,
        match=r"geo\.geohash_encode: Argument 'precision' is too large\. "
        r"constant argument 'precision' must be <= 12; got 13",
    ):
        call_scalar(client, "geo", "geohash_encode", {"lat": [1.0], "lon": [1.0]}, [13])


def test_geohash_decode_returns_cell_centre_struct(client):
    rows = call_scalar(client, "geo", "geohash_decode", {"h": ["u4pruydqqvj", "U09TV", None]})
    assert rows[0]["lat"] == pytest.approx(57.64911, abs=1e-5)
    assert rows[0]["lon"] == pytest.approx(10.40744, abs=1e-5)
    assert rows[1] == {"lat": pytest.approx(48.8452, abs=1e-3), "lon": pytest.approx(2.3511, abs=1e-3)}
    assert rows[2] is None


def test_invalid_geohash_is_a_clear_error(client):
    with pytest.raises(ClientError, match=r"geo\.geohash_decode: ValueError: .*'u0a'"):
        call_scalar(client, "geo", "geohash_decode", {"h": ["u09", "u0a"]})


def test_latitude_out_of_range_is_a_clear_error(client):
    with pytest.raises(ClientError, match=r"geo\.haversine_km: ValueError: lat1 must be within \[-90, 90\]"):
        call_scalar(client, "geo", "haversine_km", points(((91.0, 0.0), (0.0, 0.0))))


def test_many_batches(client):
    rows = call_scalar(client, "geo", "haversine_km", points((PARIS, LONDON), (LONDON, PARIS)), batches=5)
    assert len(rows) == 10
    assert rows == pytest.approx([343.556] * 10, abs=0.01)
