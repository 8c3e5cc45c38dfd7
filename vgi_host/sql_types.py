"""Spelling Arrow types the way DuckDB users read them.

Used for signatures in ``vgi-host list``, error messages and docs, so a user
sees ``DOUBLE`` and ``STRUCT(lat DOUBLE, lon DOUBLE)`` rather than Arrow's
``double`` and ``struct<lat: double, ...>``.
"""

from __future__ import annotations

import pyarrow as pa

_SIMPLE: dict[pa.DataType, str] = {
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.uint8(): "UTINYINT",
    pa.uint16(): "USMALLINT",
    pa.uint32(): "UINTEGER",
    pa.uint64(): "UBIGINT",
    pa.float16(): "FLOAT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.string_view(): "VARCHAR",
    pa.binary(): "BLOB",
    pa.large_binary(): "BLOB",
    pa.date32(): "DATE",
    pa.null(): "NULL",
}


def sql_type(arrow_type: pa.DataType | None) -> str:
    """DuckDB's name for an Arrow type (``ANY`` for an any-type argument)."""
    if arrow_type is None:
        return "ANY"
    simple = _SIMPLE.get(arrow_type)
    if simple is not None:
        return simple
    if pa.types.is_struct(arrow_type):
        fields = ", ".join(f"{f.name} {sql_type(f.type)}" for f in arrow_type)
        return f"STRUCT({fields})"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"{sql_type(arrow_type.value_type)}[]"
    if pa.types.is_map(arrow_type):
        return f"MAP({sql_type(arrow_type.key_type)}, {sql_type(arrow_type.item_type)})"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision}, {arrow_type.scale})"
    return str(arrow_type).upper()


def is_supported(arrow_type: pa.DataType) -> bool:
    """Whether DuckDB has a type for ``arrow_type`` (what ``sql_type`` spells without falling back)."""
    if arrow_type in _SIMPLE:
        return True
    if pa.types.is_struct(arrow_type):
        return all(is_supported(f.type) for f in arrow_type)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return is_supported(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return is_supported(arrow_type.key_type) and is_supported(arrow_type.item_type)
    return bool(pa.types.is_timestamp(arrow_type) or pa.types.is_decimal(arrow_type))
