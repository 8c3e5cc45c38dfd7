"""Refusing, early and by name, the types DuckDB cannot hold.

A pack that declares ``pa.decimal256(50, 2)`` would register fine and then
lose digits (or fail) inside DuckDB, far from the declaration.  These checks run
where the type is declared — at registration for annotated arguments and
results, at bind for schemas a function computes — and name the function's
parameter or column, so the author sees what to change.  What DuckDB can hold
is decided by :mod:`vgi_host.sql_types`.
"""

from __future__ import annotations

import pyarrow as pa

from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sql_types import refusal, sql_type


def refuse_declared_type(where: str, arrow_type: pa.DataType | None) -> None:
    """Raise :class:`FunctionDefinitionError` for a declared type DuckDB cannot hold.

    ``where`` names the declaration (``Money.compute: parameter 'x'``).
    """
    if arrow_type is None:
        return
    problem = refusal(arrow_type)
    if problem is not None:
        raise FunctionDefinitionError(f"{where}: {problem}")


def refuse_output_schema(schema: pa.Schema) -> None:
    """Raise :class:`BindError` when a computed output column has a type DuckDB cannot hold."""
    for field in schema:
        problem = refusal(field.type)
        if problem is not None:
            raise BindError(f"output column {field.name!r} ({sql_type(field.type)}): {problem}")
