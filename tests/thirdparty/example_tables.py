"""A table-buffering function's input table and named arguments, read from its example SQL.

skbio's examples call each function over an inline ``(VALUES ...) AS alias(columns)`` table,
sometimes two joined ``ON a.x = b.y``, plus ``name := literal`` arguments; a joined table may
itself be another function's call (``catalog.schema.fn((SELECT ...)) AS b``), whose input is read
the same way and whose output the caller's ``evaluate`` supplies.  Any other shape yields a
reason instead, which the terminal summary lists.  Values keep the literal's
Python type (integers int64, decimals double, text string) and NULLs stay NULL; no answer is
known here, answers come from the reference server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from samples import call_arguments, literal_argument


@dataclass(frozen=True)
class ExampleInput:
    """The input table and the named literal arguments of one example call."""

    table: pa.Table
    named: dict[str, Any]


Evaluate = Callable[[str, str, "ExampleInput"], pa.Table]
"""``(schema, function, input) -> output``: runs a nested call of the example."""


def example_input(sql: str, function: str, evaluate: Evaluate | None = None) -> ExampleInput | str:
    """The example call's input and named arguments, or the reason they cannot be derived."""
    parts = call_arguments(sql, function)
    if not parts:
        return "its example does not call it"
    query, *rest = parts
    named: dict[str, Any] = {}
    for part in rest:
        literal = literal_argument(part)
        if literal is None or literal[0] is None:
            return f"its example passes a non-literal or positional argument {part.strip()!r}"
        named[literal[0]] = literal[1]
    tables: dict[str, pa.Table] = {}
    for nested in list(re.finditer(r"\b\w+\.(\w+)\.(\w+)\s*\(", query))[::-1]:
        end = _closing(query, nested.end())
        alias = re.match(r"\s*AS\s+(\w+)\b", query[end + 1 :], re.IGNORECASE)
        if evaluate is None or alias is None:
            return "its example's input is another function's output"
        inner = example_input(query[nested.start() : end + 1], nested[2], evaluate)
        if isinstance(inner, str):
            return f"the call of {nested[2]} inside its example: {inner}"
        tables[alias[1]] = evaluate(nested[1], nested[2], inner)
        query = query[: nested.start()] + "(NESTED)" + query[end + 1 :]
    tables.update(_values_tables(query))
    if len(tables) == 1 and re.match(r"\s*\(\s*SELECT\s+\*\s+FROM", query, re.IGNORECASE):
        return ExampleInput(next(iter(tables.values())), named)
    if len(tables) == 2:
        joined = _joined(query, tables)
        if joined is not None:
            return ExampleInput(joined, named)
    return "its example's input is not one VALUES table or a join of two"


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the one opened just before ``start``."""
    depth, quoted = 1, False
    for index in range(start, len(text)):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced parentheses in example SQL")


def _values_tables(query: str) -> dict[str, pa.Table]:
    tables: dict[str, pa.Table] = {}
    for match in re.finditer(r"\(\s*VALUES\b", query, re.IGNORECASE):
        end = _closing(query, match.start() + 1)
        alias = re.match(r"\s*AS\s+(\w+)\s*\(([^)]*)\)", query[end + 1 :], re.IGNORECASE)
        if alias is None:
            continue
        names = [n.strip() for n in alias[2].split(",")]
        rows: list[list[Any]] = []
        body = query[match.end() : end]
        for row in re.finditer(r"\(", body):
            if body[: row.start()].count("'") % 2:  # inside a string literal
                continue
            inner = body[row.end() : _closing(body, row.end())]
            values = call_arguments(f"f({inner})", "f") or []
            parsed = [literal_argument(v) for v in values]
            rows.append([p[1] if p is not None else None for p in parsed])
        tables[alias[1]] = pa.table({n: pa.array([r[i] for r in rows]) for i, n in enumerate(names)})
    return tables


def _joined(query: str, tables: dict[str, pa.Table]) -> pa.Table | None:
    """An inner join ``SELECT a.x, b.y ... ON a.k = b.k`` of two VALUES tables."""
    select = re.match(r"\s*\(\s*SELECT\s+(.*?)\s+FROM\b", query, re.IGNORECASE | re.DOTALL)
    on = re.search(r"\bON\s+(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)", query, re.IGNORECASE)
    if select is None or on is None or {on[1], on[3]} != set(tables):
        return None
    columns = [c.strip().split(".") for c in select[1].split(",")]
    if any(len(c) != 2 or c[0] not in tables for c in columns):
        return None
    left, right = tables[on[1]].to_pylist(), tables[on[3]].to_pylist()
    rows = [{on[1]: a, on[3]: b} for a in left for b in right if a[on[2]] == b[on[4]]]
    return pa.table({name: pa.array([r[alias][name] for r in rows]) for alias, name in columns})
