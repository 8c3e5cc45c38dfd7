"""geohash_encode and geohash_decode, checked against a bit-by-bit reference."""

from __future__ import annotations

import math
import re

import numpy as np
import pyarrow as pa
import pytest
from vgi_pack_geo.geohash import ALPHABET, GEOHASH_POINT, MAX_PRECISION, GeohashDecode, GeohashEncode

# --- the oracle: textbook bisection, one point and one bit at a time ----------


def reference_encode(lat: float, lon: float, precision: int) -> str:
    """Halve the range containing the point, longitude first; 5 bits per character.

    A value equal to the midpoint goes to the upper half, so cells are [low, high).
    """
    ranges = {"lon": [-180.0, 180.0], "lat": [-90.0, 90.0]}
    value = {"lon": lon, "lat": lat}
    bits: list[int] = []
    for i in range(5 * precision):
        axis = "lon" if i % 2 == 0 else "lat"
        low, high = ranges[axis]
        mid = (low + high) / 2
        if value[axis] >= mid:
            bits.append(1)
            ranges[axis][0] = mid
        else:
            bits.append(0)
            ranges[axis][1] = mid
    return "".join(ALPHABET[int("".join(str(b) for b in bits[k : k + 5]), 2)] for k in range(0, len(bits), 5))


def reference_decode(geohash: str) -> tuple[float, float]:
    """Replay the bisection the characters describe; answer the centre (lat, lon) of the cell."""
    ranges = {"lon": [-180.0, 180.0], "lat": [-90.0, 90.0]}
    i = 0
    for character in geohash.lower():
        value = ALPHABET.index(character)
        for shift in range(4, -1, -1):
            axis = "lon" if i % 2 == 0 else "lat"
            mid = (ranges[axis][0] + ranges[axis][1]) / 2
            ranges[axis][0 if (value >> shift) & 1 else 1] = mid
            i += 1
    return sum(ranges["lat"]) / 2, sum(ranges["lon"]) / 2


def test_reference_is_right_about_the_known_values():
    assert reference_encode(57.64911, 10.40744, 11) == "u4pruydqqvj"
    assert reference_encode(48.8566, 2.3522, 5) == "u09tv"


# --- helpers ------------------------------------------------------------------


def col(*values: float | None) -> pa.DoubleArray:
    return pa.array(values, type=pa.float64())


def encode(lat, lon, precision: int | None) -> list[str | None]:
    result = GeohashEncode.compute(
        pa.array(lat, type=pa.float64()), pa.array(lon, type=pa.float64()), precision
    )
    assert result.type == pa.string()
    return result.to_pylist()


def decode(hashes) -> list[tuple[float, float] | None]:
    array = hashes if isinstance(hashes, pa.Array) else pa.array(hashes, type=pa.string())
    result = GeohashDecode.compute(array)
    assert result.type == GEOHASH_POINT
    assert len(result) == len(array)
    return [None if row is None else (row["lat"], row["lon"]) for row in result.to_pylist()]


def random_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-90.0, 90.0, n), rng.uniform(-180.0, 180.0, n)


def edge_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges at every bit depth, their float neighbours, and the awkward constants.

    These are where a quantisation shortcut (``floor((v - low) / step)``) can
    disagree with the bisection, e.g. ``-1e-300 + 180`` rounds to exactly 180.
    """
    rng = np.random.default_rng(seed)
    specials = [0.0, -0.0, 1e-300, -1e-300, 5e-324, -5e-324, 1e-15, -1e-15]

    def edges(low: float, span: float, bound: float) -> np.ndarray:
        values = [*specials, low, -low, bound, -bound]
        for bits in range(1, 31):
            for j in rng.integers(0, 2**bits, size=4):
                edge = low + int(j) * span / 2**bits
                values += [edge, np.nextafter(edge, -np.inf), np.nextafter(edge, np.inf)]
        return np.clip(np.array(values), -bound, bound)

    lat = edges(-90.0, 180.0, 90.0)
    lon = edges(-180.0, 360.0, 180.0)
    size = min(len(lat), len(lon))
    return np.concatenate([lat[:size], rng.permutation(lat[:size])]), np.concatenate(
        [rng.permutation(lon[:size]), lon[:size]]
    )


# --- encode -------------------------------------------------------------------


def test_encode_known_values():
    assert encode([57.64911], [10.40744], 11) == ["u4pruydqqvj"]
    assert encode([48.8566], [2.3522], 5) == ["u09tv"]
    assert encode([0.0, 90.0, -90.0], [0.0, 180.0, -180.0], 4) == ["s000", "zzzz", "0000"]


@pytest.mark.parametrize("precision", range(1, MAX_PRECISION + 1))
def test_encode_matches_reference_on_random_points(precision):
    lat, lon = random_points(3000, seed=precision)
    expected = [reference_encode(a, b, precision) for a, b in zip(lat, lon, strict=True)]
    assert encode(lat, lon, precision) == expected


def test_encode_matches_reference_on_cell_edges():
    lat, lon = edge_points(seed=7)
    expected = [reference_encode(a, b, MAX_PRECISION) for a, b in zip(lat, lon, strict=True)]
    assert encode(lat, lon, MAX_PRECISION) == expected
    # and every shorter precision is the prefix the bisection would stop at
    for precision in (1, 5, 9):
        assert encode(lat, lon, precision) == [e[:precision] for e in expected]


@pytest.mark.parametrize("position", ["lat", "lon"])
def test_encode_null_lat_or_lon_gives_null(position):
    values: dict[str, list[float | None]] = {
        "lat": [57.64911, 57.64911, 1.0],
        "lon": [10.40744, 10.40744, 2.0],
    }
    values[position][1] = None
    assert encode(values["lat"], values["lon"], 6) == ["u4pruy", None, reference_encode(1.0, 2.0, 6)]


def test_encode_nulls_and_empty_batches():
    assert encode([None, 48.8566], [None, 2.3522], 5) == [None, "u09tv"]
    assert encode([], [], 5) == []
    # a NULL precision constant reaches compute as None: the whole column is NULL
    assert encode([1.0, 2.0], [3.0, 4.0], None) == [None, None]


def test_encode_integer_and_sliced_inputs():
    ints = GeohashEncode.compute(pa.array([0], type=pa.int64()), pa.array([0], type=pa.int64()), 3)
    assert ints.to_pylist() == ["s00"]
    lat = col(0.0, 57.64911, 0.0).slice(1, 1)
    lon = col(1.0, 1.0, 10.40744).slice(2)
    assert GeohashEncode.compute(lat, lon, 11).to_pylist() == ["u4pruydqqvj"]


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ([0.0, 90.5], [0.0, 0.0], "lat must be within [-90, 90] and not NaN; row 1 is 90.5"),
        ([0.0, 0.0], [0.0, -181.0], "lon must be within [-180, 180] and not NaN; row 1 is -181.0"),
        ([0.0, math.nan], [0.0, 0.0], "lat must be within [-90, 90] and not NaN; row 1 is nan"),
        ([0.0, 0.0], [math.nan, 0.0], "lon must be within [-180, 180] and not NaN; row 0 is nan"),
        ([math.inf], [0.0], "lat must be within [-90, 90] and not NaN; row 0 is inf"),
    ],
)
def test_encode_rejects_out_of_range_and_nan(lat, lon, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encode(lat, lon, 5)


@pytest.mark.parametrize("precision", [0, -1, 13])
def test_encode_rejects_precision_outside_1_to_12(precision):
    with pytest.raises(ValueError, match=re.escape(f"precision must be within [1, 12]; got {precision}")):
        encode([0.0], [0.0], precision)


def test_encode_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="same number of rows"):
        encode([0.0, 1.0], [0.0], 5)


# --- decode -------------------------------------------------------------------


def test_decode_known_values():
    [(lat, lon)] = decode(["u4pruydqqvj"])
    assert (lat, lon) == reference_decode("u4pruydqqvj")
    assert lat == pytest.approx(57.64911, abs=1e-6)
    assert lon == pytest.approx(10.40744, abs=1e-6)
    assert decode(["u09tv"]) == [(48.84521484375, 2.35107421875)]
    assert decode(["s", "0", "z"]) == [(22.5, 22.5), (-67.5, -157.5), (67.5, 157.5)]


def test_decode_is_case_insensitive():
    assert decode(["U4PRUYDQQVJ", "U4pRuYdQqVj"]) == decode(["u4pruydqqvj", "u4pruydqqvj"])


@pytest.mark.parametrize("precision", range(1, MAX_PRECISION + 1))
def test_round_trip_matches_reference_and_contains_the_point(precision):
    lat, lon = random_points(2000, seed=100 + precision)
    hashes = encode(lat, lon, precision)
    centres = decode(hashes)
    assert centres == [reference_decode(h) for h in hashes]  # exact: every step is a dyadic rational
    lon_bits, lat_bits = (5 * precision + 1) // 2, 5 * precision // 2
    half_height, half_width = 90.0 / 2**lat_bits, 180.0 / 2**lon_bits
    decoded = np.array(centres)
    assert (np.abs(decoded[:, 0] - lat) <= half_height).all()
    assert (np.abs(decoded[:, 1] - lon) <= half_width).all()
    # re-encoding a cell centre gives the cell back
    assert encode(decoded[:, 0], decoded[:, 1], precision) == hashes


def test_decode_random_hashes_of_mixed_lengths_in_one_batch():
    rng = np.random.default_rng(3)
    hashes = ["".join(rng.choice(list(ALPHABET), size=int(n))) for n in rng.integers(1, 13, size=3000)]
    assert decode(hashes) == [reference_decode(h) for h in hashes]


def test_decode_hashes_longer_than_12_characters():
    rng = np.random.default_rng(4)
    hashes = ["".join(rng.choice(list(ALPHABET), size=int(n))) for n in rng.integers(13, 40, size=500)]
    decoded = np.array(decode(hashes))
    expected = np.array([reference_decode(h) for h in hashes])
    np.testing.assert_allclose(decoded, expected, rtol=0, atol=1e-12)
    # extra characters refine the cell: the centre moves by less than the 12-character half cell
    prefix = np.array(decode([h[:12] for h in hashes]))
    assert (np.abs(decoded - prefix) <= [90.0 / 2**30, 180.0 / 2**30]).all()
    # characters past double precision still count as characters, but change nothing
    assert decode(["u4pruydqqvj" + "0" * 30]) == decode(["u4pruydqqvj" + "0" * 13])


def test_decode_nulls_give_null_rows_and_null_fields():
    result = GeohashDecode.compute(pa.array(["u09tv", None, "s"], type=pa.string()))
    assert result.is_null().to_pylist() == [False, True, False]
    assert result.field("lat").is_null().to_pylist() == [False, True, False]
    assert decode([None, None]) == [None, None]
    assert decode(pa.array([], type=pa.string())) == []


def test_decode_ignores_bytes_under_null_rows():
    """A NULL slot may sit on top of arbitrary bytes; they must not be validated."""
    offsets = np.array([0, 3, 6], dtype=np.int32)
    data = np.frombuffer(b"!!!u09", dtype=np.uint8)
    validity = np.packbits(np.array([False, True]), bitorder="little")
    array = pa.StringArray.from_buffers(
        2, pa.py_buffer(offsets), pa.py_buffer(data), pa.py_buffer(validity), 1
    )
    assert decode(array) == [None, reference_decode("u09")]


def test_decode_sliced_and_large_string_inputs():
    hashes = pa.array(["zz", "u09tv", "bad!", "s"], type=pa.string())
    assert decode(hashes.slice(1, 1)) == decode(["u09tv"])
    assert decode(hashes.slice(3)) == [(22.5, 22.5)]
    assert decode(pa.array(["u09tv", None], type=pa.large_string())) == decode(["u09tv", None])


def test_decode_rejects_empty_hash():
    with pytest.raises(ValueError, match=f"^{re.escape("geohash must not be empty; row 1 is ''")}$"):
        decode(["u09tv", "", "s"])


@pytest.mark.parametrize("character", ["a", "i", "l", "o", "A", "I", "L", "O", "!", " ", "-", ".", "é", "ü"])
def test_decode_rejects_characters_outside_the_alphabet(character):
    bad = f"u0{character}tv"
    message = (
        "geohash must contain only the characters 0-9 and b-z except i, l, o (either case); "
        f"row 2 is {bad!r}, which contains {character!r}"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        decode(["s", None, bad, "also bad!"])


def test_decode_error_shortens_huge_hashes():
    with pytest.raises(
        ValueError, match=re.escape("row 0 is 'uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu...', which contains 'a'")
    ):
        decode(["u" * 1000 + "a"])
