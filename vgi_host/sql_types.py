"""Spelling Arrow types the way DuckDB users read them, and knowing which ones DuckDB can hold.

A SQL user meets a pack's types in ``vgi-host list``, ``vgi-host info``, the
``vgi_functions`` table and bind errors; they should read ``DOUBLE``,
``TIMESTAMP_MS`` and ``STRUCT(lat DOUBLE, lon DOUBLE)``, not Arrow's
``double``, ``timestamp[ms]`` and ``struct<lat: double, ...>``.  The same table
says which Arrow types DuckDB's Arrow reader accepts, so ``vgi-host check`` can
warn about the others and registration can refuse the few that would lose data.

This module sits below the SDK and the catalog (both use it) and imports
nothing from vgi-host.  Every rule lives in one table, ``_RULES``, one row per
Arrow type family, checked in order; docs/sql-types.md lists the mapping with
the decisions behind it (HUGEINT, UUID, DECIMAL width).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

__all__ = ["MAX_DECIMAL_PRECISION", "is_supported", "refusal", "sql_type", "unsupported"]

MAX_DECIMAL_PRECISION = 38
"""DuckDB's DECIMAL holds at most 38 digits (it is backed by a 128-bit integer)."""

_SIMPLE: dict[pa.DataType, str] = {
    pa.null(): "NULL",
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.uint8(): "UTINYINT",
    pa.uint16(): "USMALLINT",
    pa.uint32(): "UINTEGER",
    pa.uint64(): "UBIGINT",
    pa.float16(): "FLOAT",  # DuckDB reads half floats into FLOAT
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.string_view(): "VARCHAR",
    pa.binary(): "BLOB",
    pa.large_binary(): "BLOB",
    pa.binary_view(): "BLOB",
    pa.date32(): "DATE",
    pa.date64(): "DATE",
    pa.time32("s"): "TIME",
    pa.time32("ms"): "TIME",
    pa.time64("us"): "TIME",
    pa.time64("ns"): "TIME_NS",
    pa.month_day_nano_interval(): "INTERVAL",
    pa.duration("s"): "INTERVAL",
    pa.duration("ms"): "INTERVAL",
    pa.duration("us"): "INTERVAL",
    pa.duration("ns"): "INTERVAL",
}
"""Types without parameters that matter to DuckDB: one name each."""

_TIMESTAMP_UNITS: dict[str, str] = {
    "s": "TIMESTAMP_S",
    "ms": "TIMESTAMP_MS",
    "us": "TIMESTAMP",
    "ns": "TIMESTAMP_NS",
}

_EXTENSIONS: dict[str, str] = {
    "arrow.uuid": "UUID",
    "arrow.bool8": "BOOLEAN",
    "arrow.json": "JSON",
    "duckdb.hugeint": "HUGEINT",
    "duckdb.uhugeint": "UHUGEINT",
}
"""Extension types DuckDB maps to a type of its own (others are read as their storage type)."""

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _name(field_name: str) -> str:
    """A struct field or union tag as DuckDB prints it: bare when it can be, else double-quoted."""
    if _PLAIN_NAME.match(field_name):
        return field_name
    return '"' + field_name.replace('"', '""') + '"'


def _fields(arrow_type: Any) -> list[pa.Field[Any]]:
    return [arrow_type.field(i) for i in range(arrow_type.num_fields)]


def _children(arrow_type: Any) -> list[pa.DataType]:
    """The nested types a type is built from (checked for support recursively)."""
    if isinstance(arrow_type, pa.BaseExtensionType):
        return [arrow_type.storage_type]
    if isinstance(arrow_type, pa.DictionaryType):
        return [arrow_type.value_type]
    if isinstance(arrow_type, pa.RunEndEncodedType):
        return [arrow_type.value_type]
    if isinstance(arrow_type, pa.MapType):
        return [arrow_type.key_type, arrow_type.item_type]
    if isinstance(arrow_type, pa.StructType | pa.UnionType):
        return [f.type for f in _fields(arrow_type)]
    if isinstance(arrow_type, pa.ListType | pa.LargeListType | pa.FixedSizeListType):
        return [arrow_type.value_type]
    if isinstance(arrow_type, pa.ListViewType | pa.LargeListViewType):
        return [arrow_type.value_type]
    return []


def _decimal_problem(arrow_type: Any) -> str | None:
    if arrow_type.precision <= MAX_DECIMAL_PRECISION:
        return None
    scale = min(arrow_type.scale, MAX_DECIMAL_PRECISION)
    return (
        f"DECIMAL({arrow_type.precision}, {arrow_type.scale}) has more than the "
        f"{MAX_DECIMAL_PRECISION} digits a DuckDB DECIMAL holds "
        f"(declare at most pa.decimal128({MAX_DECIMAL_PRECISION}, {scale}))"
    )


def _union_problem(arrow_type: Any) -> str | None:
    if arrow_type.mode == "sparse":
        return None
    return "DuckDB reads only sparse unions; declare pa.sparse_union(...)"


def _extension_name(arrow_type: Any) -> str:
    known = _EXTENSIONS.get(arrow_type.extension_name)
    return known if known is not None else sql_type(arrow_type.storage_type)


def _is_list(arrow_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(arrow_type)
        or pa.types.is_large_list(arrow_type)
        or pa.types.is_list_view(arrow_type)
        or pa.types.is_large_list_view(arrow_type)
    )


@dataclass(frozen=True, slots=True)
class _Rule:
    """One row of the table: which Arrow types, DuckDB's name for them, and what DuckDB refuses."""

    family: str
    matches: Callable[[pa.DataType], bool]
    name: Callable[[Any], str]
    problem: Callable[[Any], str | None] = lambda _type: None


_RULES: tuple[_Rule, ...] = (
    _Rule("extension", lambda t: isinstance(t, pa.BaseExtensionType), _extension_name),
    _Rule("dictionary", pa.types.is_dictionary, lambda t: sql_type(t.value_type)),
    _Rule("run-end encoded", pa.types.is_run_end_encoded, lambda t: sql_type(t.value_type)),
    _Rule(
        "timestamp",
        pa.types.is_timestamp,
        lambda t: "TIMESTAMP WITH TIME ZONE" if t.tz else _TIMESTAMP_UNITS[t.unit],
    ),
    _Rule("decimal", pa.types.is_decimal, lambda t: f"DECIMAL({t.precision}, {t.scale})", _decimal_problem),
    _Rule("fixed-size binary", pa.types.is_fixed_size_binary, lambda _t: "BLOB"),
    _Rule("list", _is_list, lambda t: f"{sql_type(t.value_type)}[]"),
    _Rule(
        "fixed-size list",
        pa.types.is_fixed_size_list,
        lambda t: f"{sql_type(t.value_type)}[{t.list_size}]",  # DuckDB's ARRAY
    ),
    _Rule("map", pa.types.is_map, lambda t: f"MAP({sql_type(t.key_type)}, {sql_type(t.item_type)})"),
    _Rule(
        "struct",
        pa.types.is_struct,
        lambda t: "STRUCT(" + ", ".join(f"{_name(f.name)} {sql_type(f.type)}" for f in _fields(t)) + ")",
    ),
    _Rule(
        "union",
        pa.types.is_union,
        lambda t: "UNION(" + ", ".join(f"{_name(f.name)} {sql_type(f.type)}" for f in _fields(t)) + ")",
        _union_problem,
    ),
)


def _simple(arrow_type: pa.DataType) -> str | None:
    try:
        return _SIMPLE.get(arrow_type)
    except TypeError:  # a pack's own extension type need not be hashable
        return None


def _rule(arrow_type: pa.DataType) -> _Rule | None:
    return next((rule for rule in _RULES if rule.matches(arrow_type)), None)


def sql_type(arrow_type: pa.DataType | None) -> str:
    """DuckDB's name for an Arrow type (``ANY`` for an any-type argument).

    Never raises: a type DuckDB does not know keeps its Arrow spelling in
    upper case, and :func:`unsupported` says why it is a problem.
    """
    if arrow_type is None:
        return "ANY"
    simple = _simple(arrow_type)
    if simple is not None:
        return simple
    rule = _rule(arrow_type)
    if rule is not None:
        return rule.name(arrow_type)
    return str(arrow_type).upper()


def unsupported(arrow_type: pa.DataType) -> str | None:
    """Why DuckDB cannot read ``arrow_type`` (nested types included), or None when it can."""
    if _simple(arrow_type) is not None:
        return None
    rule = _rule(arrow_type)
    if rule is None:
        return f"{arrow_type} is unknown to DuckDB"
    own = rule.problem(arrow_type)
    if own is not None:
        return own
    return next((p for p in map(unsupported, _children(arrow_type)) if p is not None), None)


def is_supported(arrow_type: pa.DataType) -> bool:
    """Whether DuckDB's Arrow reader accepts ``arrow_type``."""
    return unsupported(arrow_type) is None


def refusal(arrow_type: pa.DataType) -> str | None:
    """Why a function may not declare ``arrow_type`` at all, or None.

    Stricter than a warning only where values would be lost: a DECIMAL wider
    than DuckDB's 38 digits (``pa.decimal256(50, 2)``), anywhere in the type.
    Other types DuckDB does not read are left to ``vgi-host check``.
    """
    if pa.types.is_decimal(arrow_type):
        return _decimal_problem(arrow_type)
    return next((p for p in map(refusal, _children(arrow_type)) if p is not None), None)
