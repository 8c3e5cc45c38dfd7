"""Validating the tables and views a pack registers.

Checked at load, like functions, so a mistake surfaces in ``vgi-host list`` /
``check`` and not as a failed query: names must be SQL identifiers and
unique, a table's function must be one of the pack's own table functions, and
its fixed arguments must bind (which also fixes the table's columns).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from vgi_host.catalog.table_entries import DeclaredTable
from vgi_host.errors import BindError
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.sdk.metadata import SQL_IDENTIFIER
from vgi_host.sdk.objects import PackTable, PackView
from vgi_host.sdk.table import TableDefinition


def _scalar(value: Any) -> pa.Scalar[Any]:
    return value if isinstance(value, pa.Scalar) else pa.scalar(value)


def _function(table: PackTable, definitions: Sequence[FunctionDefinition]) -> TableDefinition:
    for definition in definitions:
        same = (
            definition.function_class is table.function
            if isinstance(table.function, type)
            else (definition.name.lower() == str(table.function).lower())
        )
        if same:
            if not isinstance(definition, TableDefinition):
                raise ValueError(f"table {table.name!r}: {definition.name!r} is not a table function")
            return definition
    raise ValueError(f"table {table.name!r}: function {table.function!r} is not registered by this pack")


def declared_tables(
    registered: Sequence[object], definitions: Sequence[FunctionDefinition]
) -> list[DeclaredTable]:
    """Validate ``register_tables`` registrations; every problem is one line of a ValueError."""
    problems: list[str] = []
    tables: list[DeclaredTable] = []
    for item in registered:
        if not isinstance(item, PackTable):
            problems.append(f"register() in register_tables expects a PackTable; got {item!r}")
            continue
        try:
            definition = _function(item, definitions)
            positional = tuple(_scalar(v) for v in item.arguments)
            named = {k: _scalar(v) for k, v in item.named.items()}
            bound = definition.bind(positional, named)
        except (ValueError, BindError) as exc:
            problems.append(
                str(exc)
                if isinstance(exc, ValueError) and not isinstance(exc, BindError)
                else (f"table {item.name!r}: {exc}")
            )
            continue
        tables.append(DeclaredTable(item, definition, bound, positional, named))
    if problems:
        raise ValueError("; ".join(problems))
    return tables


def declared_views(registered: Sequence[object]) -> list[PackView]:
    """Validate ``register_views`` registrations."""
    problems = [
        f"register() in register_views expects a PackView; got {item!r}"
        for item in registered
        if not isinstance(item, PackView)
    ]
    views = [item for item in registered if isinstance(item, PackView)]
    problems += [f"view {v.name!r} has no SQL" for v in views if not v.sql.strip()]
    if problems:
        raise ValueError("; ".join(problems))
    return views


def check_names(tables: Sequence[DeclaredTable], views: Sequence[PackView]) -> None:
    """Names must be SQL identifiers and unique among the pack's tables and views."""
    names = [t.table.name for t in tables] + [v.name for v in views]
    problems = [f"name {n!r} is not a valid SQL identifier" for n in names if not SQL_IDENTIFIER.match(n)]
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            problems.append(f"table/view name {name!r} is registered twice")
        seen.add(name.lower())
    if problems:
        raise ValueError("; ".join(problems))
