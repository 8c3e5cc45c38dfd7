"""Geohash encoding and decoding, vectorised with numpy bit interleaving.

A geohash is the bisection path of a point: starting from the whole globe,
each bit says whether the point lies in the upper half of the current
longitude range (even bits, first bit included) or latitude range (odd bits),
and every 5 bits become one base32 character.  Walking that path bit by bit
per row would be a Python loop, so the kernels here compute the same bits
arithmetically instead:

* the first ``k`` longitude bits of the bisection are the ``k``-bit cell index
  ``floor((lon + 180) / 360 * 2**k)``, so one quantisation to 30 bits (enough
  for 12 characters) yields every precision's prefix at once;
* interleaving two 30-bit indices is the classic "spread bits" (Morton code)
  trick, five shift-and-mask steps on a ``uint64`` vector, and decoding is the
  inverse "compact bits".

Cells are half-open, ``[low, high)``, as in the bisection that sends a value
equal to the midpoint to the upper half; the closed outer edges (latitude 90,
longitude 180) belong to the last cell.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vgi_host import (
    ConstParam,
    FunctionExample,
    FunctionStability,
    NullHandling,
    Param,
    Returns,
    ScalarFunction,
)
from vgi_pack_geo._validate import (
    LATITUDE,
    LONGITUDE,
    BoolVector,
    Bounds,
    FloatVector,
    combine_nulls,
    coordinate_column,
    require_same_length,
)

U64Vector = npt.NDArray[np.uint64]

ALPHABET: Final = "0123456789bcdefghjkmnpqrstuvwxyz"
"""Geohash base32: digits and lower-case letters without a, i, l and o."""

MAX_PRECISION: Final = 12
"""Longest hash ``geohash_encode`` produces: 60 bits, the most that fits one ``uint64``."""

_COORDINATE_BITS: Final = 30
"""Bits per coordinate in one 60-bit word (12 characters)."""

_DECODED_CHARACTERS: Final = 24
"""Characters of a hash that reach the decoded double.

Two 60-bit words give each coordinate 60 bits, more than a double's 53-bit
mantissa can hold, so characters beyond the 24th cannot change the result;
they are still validated.
"""

GEOHASH_POINT: Final = pa.struct([pa.field("lat", pa.float64()), pa.field("lon", pa.float64())])
"""Result type of ``geohash_decode``: the centre of the cell."""

_ENCODE_TABLE: Final = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_INVALID: Final = 0xFF


def _decode_table() -> npt.NDArray[np.uint8]:
    """Byte -> 5-bit value, or ``_INVALID``; both letter cases map to one value."""
    table = np.full(256, _INVALID, dtype=np.uint8)
    for value, character in enumerate(ALPHABET):
        table[ord(character)] = value
        table[ord(character.upper())] = value
    return table


_DECODE_TABLE: Final = _decode_table()
_ALPHABET_CHARACTERS: Final = frozenset(ALPHABET + ALPHABET.upper())

# The classic Morton-code steps: after spreading, bit i of a 32-bit value sits
# at bit 2 * i; compacting runs the same shifts backwards.
_LOW_32: Final = np.uint64(0x00000000FFFFFFFF)
_SPREAD_STEPS: Final = (
    (16, np.uint64(0x0000FFFF0000FFFF)),
    (8, np.uint64(0x00FF00FF00FF00FF)),
    (4, np.uint64(0x0F0F0F0F0F0F0F0F)),
    (2, np.uint64(0x3333333333333333)),
    (1, np.uint64(0x5555555555555555)),
)
_COMPACT_STEPS: Final = (
    (1, np.uint64(0x3333333333333333)),
    (2, np.uint64(0x0F0F0F0F0F0F0F0F)),
    (4, np.uint64(0x00FF00FF00FF00FF)),
    (8, np.uint64(0x0000FFFF0000FFFF)),
    (16, _LOW_32),
)
_EVEN_BITS: Final = np.uint64(0x5555555555555555)


def _spread(x: U64Vector) -> U64Vector:
    """Move bit ``i`` of a 32-bit value to bit ``2 * i``, zeros in between."""
    x = x & _LOW_32
    for shift, mask in _SPREAD_STEPS:
        x = (x | (x << np.uint64(shift))) & mask
    return x


def _compact(x: U64Vector) -> U64Vector:
    """Inverse of :func:`_spread`: gather the even bits of ``x`` into a 32-bit value."""
    x = x & _EVEN_BITS
    for shift, mask in _COMPACT_STEPS:
        x = (x | (x >> np.uint64(shift))) & mask
    return x


def _cell_index(values: FloatVector, bounds: Bounds) -> U64Vector:
    """Compute the 30-bit bisection path of each value within ``bounds``, as an integer.

    ``floor((v - low) / step)`` is off by one cell when ``v - low`` rounds
    across a cell edge (e.g. ``v = -1e-300`` rounds to exactly the midpoint).
    The edges ``low + q * step`` themselves are exact doubles (multiples of
    ``2**-28`` no larger than 180: at most 36 significant bits), and the
    estimate is never more than one cell off, so one comparison against each
    neighbouring edge makes the result identical to bit-by-bit bisection for
    every input.
    """
    low = float(bounds.low)
    step = float(bounds.high - bounds.low) / 2.0**_COORDINATE_BITS
    q = np.floor((values - low) / step)
    q = np.where(values < low + q * step, q - 1.0, q)
    q = np.where(values >= low + (q + 1.0) * step, q + 1.0, q)
    return np.clip(q, 0.0, 2.0**_COORDINATE_BITS - 1.0).astype(np.uint64)


def encode_cells(lat: FloatVector, lon: FloatVector) -> U64Vector:
    """60-bit geohash codes, first character in the top bits (59..55).

    Longitude takes the odd positions counted from bit 0 (so it leads, at bit
    59) and latitude the even ones.
    """
    lon_index = _cell_index(lon, LONGITUDE)
    lat_index = _cell_index(lat, LATITUDE)
    return (_spread(lon_index) << np.uint64(1)) | _spread(lat_index)


def _code_strings(codes: U64Vector, precision: int, null: BoolVector | None) -> pa.StringArray:
    """Render the first ``precision`` characters of each code as a utf8 array.

    Every hash has the same length, so the offsets are an arithmetic sequence
    and the character bytes one ``(rows, precision)`` matrix: the array is
    assembled from buffers with no per-row work.
    """
    rows = len(codes)
    if rows * precision > np.iinfo(np.int32).max:
        raise ValueError(f"a batch of {rows} rows is too large for one utf8 array of geohashes")
    characters = np.empty((rows, precision), dtype=np.uint8)
    for k in range(precision):  # column by column: half the time of one (rows, precision) uint64 temporary
        characters[:, k] = np.take(_ENCODE_TABLE, (codes >> np.uint64(55 - 5 * k)) & np.uint64(31))
    offsets = np.arange(0, (rows + 1) * precision, precision, dtype=np.int32)
    validity = None
    null_count = 0
    if null is not None:
        null_count = int(np.count_nonzero(null))
        validity = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.StringArray.from_buffers(
        rows, pa.py_buffer(offsets), pa.py_buffer(characters), validity, null_count
    )


def _shown(text: str) -> str:
    """``repr`` of a hash for an error message, cut short so a huge value cannot flood it."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _utf8_parts(column: pa.Array[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Split a string column into its offsets (``len + 1``, as int64) and data bytes (zero-copy)."""
    _, offsets_buffer, data_buffer = column.buffers()[:3]
    offset_type = np.int64 if pa.types.is_large_string(column.type) else np.int32
    if offsets_buffer is None:  # a length-0 array may come without buffers
        return np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[
        column.offset : column.offset + len(column) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    return offsets.astype(np.int64), data


def _check_geohashes(
    column: pa.Array[Any],
    offsets: npt.NDArray[np.int64],
    data: npt.NDArray[np.uint8],
    null: BoolVector | None,
) -> npt.NDArray[np.int64]:
    """Return each row's length in characters after rejecting empty and malformed hashes.

    The character check runs over the flat data buffer at once; only the bytes
    that fail it are mapped back to their rows, so well-formed input costs one
    table lookup per byte.  NULL rows (whatever bytes sit under them) are
    skipped and get length 0.
    """
    lengths = np.diff(offsets)
    if null is not None:
        lengths = np.where(null, 0, lengths)
        empty = (lengths == 0) & ~null
    else:
        empty = lengths == 0
    if empty.any():
        row = int(np.argmax(empty))
        raise ValueError(f"geohash must not be empty; row {row} is ''")
    invalid = np.flatnonzero(_DECODE_TABLE[data[offsets[0] : offsets[-1]]] == _INVALID)
    if invalid.size:
        rows = np.searchsorted(offsets, invalid + offsets[0], side="right") - 1
        if null is not None:
            rows = rows[~null[rows]]
        if rows.size:
            row = int(rows[0])
            text: str = column[row].as_py()
            character = next(c for c in text if c not in _ALPHABET_CHARACTERS)
            raise ValueError(
                f"geohash must contain only the characters 0-9 and b-z except i, l, o (either case); "
                f"row {row} is {_shown(text)}, which contains {character!r}"
            )
    # Valid hashes are ASCII, so byte lengths are character lengths.
    return lengths


def _packed_words(
    offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8], used: npt.NDArray[np.int64]
) -> tuple[U64Vector, U64Vector]:
    """Pack characters 1-12 and 13-24 of each row into two left-aligned 60-bit words.

    Left-aligned and zero-padded, every row's bits sit at the same positions
    whatever its length, so deinterleaving needs no per-row shift, and the
    padding makes the decoded index the lower edge of the row's own (larger)
    cell.  The loop runs over character positions (at most 24), each step a
    gather over all rows; columns past a row's end contribute 0.
    """
    rows = len(used)
    high, low = np.zeros(rows, dtype=np.uint64), np.zeros(rows, dtype=np.uint64)
    width = int(used.max()) if rows else 0
    uniform = rows > 0 and int(used.min()) == width  # the common case: one precision throughout
    starts = offsets[:-1]
    per_word = _DECODED_CHARACTERS // 2
    for k in range(width):
        if uniform:
            digit = _DECODE_TABLE[data[starts + k]]
        else:
            inside = used > k
            digit = np.where(inside, _DECODE_TABLE[data[np.where(inside, starts + k, 0)]], 0)
        word = high if k < per_word else low
        word |= digit.astype(np.uint64) << np.uint64(55 - 5 * (k % per_word))
    return high, low


def decode_centres(
    offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64]
) -> tuple[FloatVector, FloatVector]:
    """Cell centres (lat, lon) of checked hashes of any length.

    The centre is the lower edge the packed words spell out plus half the
    row's cell size, which depends on the row's bit count.  Up to 12
    characters every step is exact (all values are dyadic rationals well
    inside a double); beyond, the second word adds bits at double precision.
    """
    used = np.minimum(lengths, _DECODED_CHARACTERS)
    high, low = _packed_words(offsets, data, used)
    bits = 5 * used
    lon_bits, lat_bits = (bits + 1) // 2, bits // 2
    lon = (
        -180.0
        + _compact(high >> np.uint64(1)) * (360.0 / 2.0**_COORDINATE_BITS)
        + _compact(low >> np.uint64(1)) * (360.0 / 2.0 ** (2 * _COORDINATE_BITS))
        + np.ldexp(180.0, -lon_bits)
    )
    lat = (
        -90.0
        + _compact(high) * (180.0 / 2.0**_COORDINATE_BITS)
        + _compact(low) * (180.0 / 2.0 ** (2 * _COORDINATE_BITS))
        + np.ldexp(90.0, -lat_bits)
    )
    return lat, lon


class GeohashEncode(ScalarFunction):
    """Geohash of a point: the base32 name of the grid cell containing it, ``precision`` characters long."""

    class Meta:
        """Catalog entry for ``geo.geohash_encode``."""

        name = "geohash_encode"
        description = (
            "Standard base32 geohash (alphabet 0123456789bcdefghjkmnpqrstuvwxyz, longitude bit first) "
            "of the point (lat, lon), in degrees, with `precision` characters (1-12; 12 characters "
            "name a cell about 3.7 cm x 1.9 cm). Hashes that share a prefix are near each other, "
            "so a prefix works as a spatial bucket. Latitude must lie in [-90, 90] and longitude in "
            "[-180, 180]; out-of-range values and NaN raise an error naming the argument and row. "
            "NULL lat or lon gives NULL."
        )
        comment = "cell name for spatial bucketing; precision 1-12"
        examples = (
            FunctionExample(
                sql="SELECT packs.geo.geohash_encode(57.64911, 10.40744, 11)",
                description="Jutland, Denmark, to about 15 cm",
                expected_output="u4pruydqqvj",
            ),
            FunctionExample(
                sql="SELECT packs.geo.geohash_encode(48.8566, 2.3522, 5)",
                description="Central Paris: a cell about 3.2 km wide and 4.9 km tall at this latitude",
                expected_output="u09tv",
            ),
        )
        categories = ("geo", "geohash")
        stability = FunctionStability.CONSISTENT
        # Strict: NULL lat/lon (or a NULL precision) means NULL out.
        null_handling = NullHandling.DEFAULT

    @classmethod
    def compute(
        cls,
        lat: Annotated[pa.DoubleArray, Param(doc="Latitude, degrees in [-90, 90]")],
        lon: Annotated[pa.DoubleArray, Param(doc="Longitude, degrees in [-180, 180]")],
        precision: Annotated[
            int | None,
            # Explicit arrow_type: the SDK infers constant types from plain
            # `int` only, but a SQL NULL constant arrives here as None.
            ConstParam(doc="Number of characters, 1 to 12", arrow_type=pa.int64(), ge=1, le=MAX_PRECISION),
        ],
    ) -> Annotated[pa.StringArray, Returns(doc="Geohash, `precision` lower-case characters")]:
        """Encode the batch: validate, quantise, interleave, render.

        The precision bounds are the host's to enforce at bind; they are checked
        again here only so that direct calls fail as clearly.
        """
        rows = require_same_length(lat=lat, lon=lon)
        if precision is None:
            return pa.nulls(rows, type=pa.string())
        if not 1 <= precision <= MAX_PRECISION:
            raise ValueError(f"precision must be within [1, {MAX_PRECISION}]; got {precision!r}")
        lat_values = coordinate_column("lat", lat, LATITUDE, allow_nan=False)
        lon_values = coordinate_column("lon", lon, LONGITUDE, allow_nan=False)
        codes = encode_cells(lat_values.values, lon_values.values)
        return _code_strings(codes, precision, combine_nulls(lat_values.null, lon_values.null))


class GeohashDecode(ScalarFunction):
    """Centre of the cell a geohash names, as a ``{lat, lon}`` struct in degrees."""

    class Meta:
        """Catalog entry for ``geo.geohash_decode``."""

        name = "geohash_decode"
        description = (
            "Centre of the geohash cell, as STRUCT(lat DOUBLE, lon DOUBLE) in degrees. Case-insensitive. "
            "An empty hash, or one with a character outside 0-9 and b-z except i, l, o, raises an error "
            "naming the hash and row. Hashes longer than 12 characters are accepted and decoded to "
            "double precision. NULL gives NULL."
        )
        comment = "inverse of geohash_encode, up to the cell size"
        examples = (
            FunctionExample(
                sql="SELECT packs.geo.geohash_decode('u09tv')",
                description="Centre of a Paris cell",
                expected_output="{'lat': 48.84521484375, 'lon': 2.35107421875}",
            ),
            FunctionExample(
                sql="SELECT packs.geo.geohash_decode('U4PRUYDQQVJ').lat",
                description="Upper case is accepted",
                expected_output="57.64911063015461",
            ),
        )
        categories = ("geo", "geohash")
        stability = FunctionStability.CONSISTENT
        null_handling = NullHandling.DEFAULT

    @classmethod
    def compute(
        cls,
        geohash: Annotated[pa.StringArray, Param(doc="Geohash, any case, at least one character")],
    ) -> Annotated[pa.StructArray, Returns(arrow_type=GEOHASH_POINT, doc="Cell centre {lat, lon}, degrees")]:
        """Decode the batch straight from the column's offset and data buffers."""
        if not (pa.types.is_string(geohash.type) or pa.types.is_large_string(geohash.type)):
            geohash = geohash.cast(pa.string())
        null = geohash.is_null().to_numpy(zero_copy_only=False) if geohash.null_count else None
        offsets, data = _utf8_parts(geohash)
        lengths = _check_geohashes(geohash, offsets, data, null)
        lat, lon = decode_centres(offsets, data, lengths)
        fields = list(GEOHASH_POINT)
        mask = None if null is None else pa.array(null, type=pa.bool_())
        children = [pa.array(lat, type=pa.float64(), mask=null), pa.array(lon, type=pa.float64(), mask=null)]
        return pa.StructArray.from_arrays(children, fields=fields, mask=mask)
