"""Input values for calling a fixture function, derived from its catalog entry alone.

The reference worker's ``FunctionInfo.arguments`` says each argument's type
and whether it is a constant; the samples below cover ordinary values, an
edge value and a NULL for every column type, so that results, result types
and NULL handling are all compared.  Nothing here knows any answer: answers
come from the reference server.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

ROWS = 4


def column_values(arrow_type: pa.DataType) -> list[Any]:
    """``ROWS`` values of ``arrow_type``, the third one NULL."""
    if pa.types.is_null(arrow_type):
        return column_values(pa.int64())
    if pa.types.is_boolean(arrow_type):
        return [True, False, None, True]
    if pa.types.is_unsigned_integer(arrow_type):
        return [1, 7, None, 42]
    if pa.types.is_integer(arrow_type):
        return [1, -7, None, 42]
    if pa.types.is_floating(arrow_type):
        return [1.5, -2.25, None, 1234.5678]
    if pa.types.is_decimal(arrow_type):
        import decimal

        return [decimal.Decimal("1.50"), decimal.Decimal("-2.25"), None, decimal.Decimal("12.34")]
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return ["hello", "", None, "Grüße"]
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return [b"\x00\x01\x02\x03\x04\x05\x06\x07", b"abcdefgh", None, b"\xff" * 8]
    if pa.types.is_fixed_size_binary(arrow_type):
        return [
            b"a" * arrow_type.byte_width,
            b"b" * arrow_type.byte_width,
            None,
            b"c" * arrow_type.byte_width,
        ]
    if pa.types.is_struct(arrow_type):
        children = [column_values(arrow_type.field(i).type) for i in range(arrow_type.num_fields)]
        names = [arrow_type.field(i).name for i in range(arrow_type.num_fields)]
        rows = [
            {n: c[r] if c[r] is not None else c[0] for n, c in zip(names, children, strict=True)}
            for r in range(ROWS)
        ]
        rows[2] = None
        return rows
    if pa.types.is_fixed_size_list(arrow_type):
        child = [v for v in column_values(arrow_type.value_type) if v is not None]
        size = arrow_type.list_size
        return [[child[(r + i) % len(child)] for i in range(size)] if r != 2 else None for r in range(ROWS)]
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        child = [v for v in column_values(arrow_type.value_type) if v is not None]
        return [child[:2], [], None, child]
    if pa.types.is_date(arrow_type):
        import datetime

        return [datetime.date(2024, 1, 31), datetime.date(1970, 1, 1), None, datetime.date(2000, 2, 29)]
    raise NotImplementedError(f"no samples for {arrow_type}")


def constant_value(field: pa.Field[Any]) -> pa.Scalar[Any]:
    """One constant of the field's type (its first non-NULL sample)."""
    arrow_type = pa.int64() if pa.types.is_null(field.type) else field.type
    return pa.scalar(column_values(arrow_type)[1 if pa.types.is_integer(arrow_type) else 0], arrow_type)


def is_constant(field: pa.Field[Any]) -> bool:
    metadata = field.metadata or {}
    return metadata.get(b"vgi_const") == b"true"


def scalar_inputs(arguments: pa.Schema) -> tuple[pa.RecordBatch, list[pa.Scalar[Any]]]:
    """The input batch (column arguments) and positional constants for one scalar call."""
    columns: dict[str, pa.Array[Any]] = {}
    constants: list[pa.Scalar[Any]] = []
    for field in arguments:
        if is_constant(field):
            constants.append(constant_value(field))
        else:
            arrow_type = pa.int64() if pa.types.is_null(field.type) else field.type
            columns[field.name] = pa.array(column_values(arrow_type), arrow_type)
    if not columns:
        return pa.RecordBatch.from_pydict({"_rows": list(range(ROWS))}).select([]), constants
    return pa.RecordBatch.from_pydict(columns), constants


def aggregate_inputs(
    arguments: pa.Schema, *, non_negative: bool = False
) -> tuple[pa.RecordBatch, list[pa.Scalar[Any]]]:
    """Groups 1 and 2 get values (one NULL among them); group 3 only NULLs.

    ``non_negative`` keeps numeric samples at or above zero (counts, abundances).
    """
    columns: dict[str, pa.Array[Any]] = {"g": pa.array([1, 1, 2, 2, 2, 3, 3], pa.int64())}
    constants: list[pa.Scalar[Any]] = []
    for field in arguments:
        if is_constant(field):
            constants.append(constant_value(field))
            continue
        arrow_type = pa.int64() if pa.types.is_null(field.type) else field.type
        sample = column_values(arrow_type)
        if non_negative and (pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)):
            sample = [None if v is None else abs(v) for v in sample]
        values = [sample[0], sample[1], sample[3], sample[2], sample[0], None, None]
        columns[field.name] = pa.array(values, arrow_type)
    return pa.RecordBatch.from_pydict(columns), constants


_LITERAL = re.compile(
    r"\s*(?:(?P<name>\w+)\s*:=\s*)?(?P<value>'(?:[^']|'')*'|-?\d+(?:\.\d+)?|NULL|TRUE|FALSE)\s*$",
    re.IGNORECASE,
)


def call_arguments(sql: str, function: str) -> list[str] | None:
    """The argument texts of the first call of ``function`` in an example's SQL, or None."""
    match = re.search(rf"(?<![\w.]){re.escape(function)}\s*\(|\.{re.escape(function)}\s*\(", sql)
    if match is None:
        return None
    depth, quoted, parts, current = 1, False, [], ""
    for char in sql[match.end() :]:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                break
        elif not quoted and char == "," and depth == 1:
            parts.append(current)
            current = ""
            continue
        current += char
    else:
        return None
    if current.strip():
        parts.append(current)
    return parts


def literal_argument(part: str) -> tuple[str | None, Any] | None:
    """``(name, value)`` of one literal argument text (``name`` None when positional), or None."""
    literal = _LITERAL.match(part)
    if literal is None:
        return None
    text = literal["value"]
    upper = text.upper()
    value: Any
    if text.startswith("'"):
        value = text[1:-1].replace("''", "'")
    elif upper in ("NULL", "TRUE", "FALSE"):
        value = {"NULL": None, "TRUE": True, "FALSE": False}[upper]
    else:
        value = float(text) if "." in text else int(text)
    return literal["name"], value


def example_arguments(sql: str, function: str) -> list[tuple[str | None, Any]] | None:
    """The literal arguments of the first call of ``function`` in an example's SQL, or None.

    Only calls whose every argument is a literal (string, number, NULL, boolean, optionally
    ``name := literal``) qualify; a call over a column or a subquery is left to derived samples.
    """
    parts = call_arguments(sql, function)
    if parts is None:
        return None
    arguments = [literal_argument(part) for part in parts]
    if any(a is None for a in arguments):
        return None
    return [a for a in arguments if a is not None]


def example_scalar_inputs(
    arguments: pa.Schema, literals: list[tuple[str | None, Any]]
) -> tuple[pa.RecordBatch, list[pa.Scalar[Any]]] | None:
    """One row of the example's values plus one row of NULLs, typed by the function's arguments."""
    if len(literals) != len(arguments) or any(name is not None for name, _ in literals):
        return None
    columns: dict[str, pa.Array[Any]] = {}
    constants: list[pa.Scalar[Any]] = []
    for field, (_, value) in zip(arguments, literals, strict=True):
        arrow_type = pa.int64() if pa.types.is_null(field.type) else field.type
        if is_constant(field):
            constants.append(pa.scalar(value, arrow_type))
        else:
            columns[field.name] = pa.array([value, None], arrow_type)
    if not columns:
        return None
    return pa.RecordBatch.from_pydict(columns), constants


def sample_scalar(arrow_type: pa.DataType, index: int) -> pa.Scalar[Any]:
    """The ``index``-th non-NULL sample of ``arrow_type`` as a scalar (a union: its ``index``-th member)."""
    if isinstance(arrow_type, pa.UnionType):
        member = index % arrow_type.num_fields
        children = [
            pa.array([column_values(f.type)[0 if m == member else 1]], f.type)
            for m, f in enumerate(arrow_type)
        ]
        codes = pa.array([arrow_type.type_codes[member]], pa.int8())
        names = [f.name for f in arrow_type]
        union = pa.UnionArray.from_sparse(codes, children, names, arrow_type.type_codes)
        return union[0]
    values = [v for v in column_values(arrow_type) if v is not None]
    return pa.scalar(values[index % len(values)], arrow_type)


SESSION_SETTINGS: dict[str, Any] = {
    "greeting": "Hi",
    "multiplier": 2,
    "vgi_verbose_mode": True,
    "scale_factor": 2.5,
    "threshold": 2,
    "config": {"start": 10, "step": 5, "label": "cfg"},
}
"""Values for the settings fixtures read (by the names their catalog entries list); others get 3."""

SESSION_SECRET = {"port": 5432, "secret_string": "s3cr3t", "api_key": "k-123"}
"""The fields of every secret a function asks for, when it is called with its session values."""


def session_for(entry: Any) -> dict[str, Any] | None:
    """``settings=``/``secrets=`` for a call with every setting and secret the entry lists (None: none)."""
    if not entry.required_settings and not entry.required_secrets:
        return None
    return {
        "settings": {name: SESSION_SETTINGS.get(name, 3) for name in entry.required_settings},
        "secrets": {secret.secret_type: SESSION_SECRET for secret in entry.required_secrets},
    }
