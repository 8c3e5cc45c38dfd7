"""Plain-data descriptions of packs and functions, for people and for JSON.

``vgi-host list`` (both its table and ``--json``) renders these, so the two
outputs can never disagree about what a pack offers.
"""

from __future__ import annotations

import re
from typing import Any

from vgi_host.packs.records import PackRecord, conflicting_names
from vgi_host.packs.registry import PackRegistry
from vgi_host.sdk.aggregate import AggregateDefinition
from vgi_host.sdk.kinds import FunctionDefinition
from vgi_host.sdk.scalar import ScalarDefinition
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sdk.table import TableDefinition
from vgi_host.sql_types import sql_type


def _argument_sql(spec: ArgumentSpec) -> str:
    if spec.is_table:
        return f"{spec.name} TABLE"
    if spec.named is not None:
        return f"{spec.named} := {sql_type(spec.arrow_type)}"
    return f"{spec.name} {sql_type(spec.arrow_type)}"


def returns_sql(definition: FunctionDefinition) -> str:
    """What a call produces: a type, or ``TABLE(...)`` for table kinds."""
    if isinstance(definition, ScalarDefinition):
        return sql_type(definition.signature.result_type)
    if isinstance(definition, AggregateDefinition):
        return sql_type(definition.result_type)
    if isinstance(definition, TableDefinition) and len(definition.catalog_schema):
        columns = ", ".join(f"{f.name} {sql_type(f.type)}" for f in definition.catalog_schema)
        return f"TABLE({columns})"
    return "TABLE"


def sql_signature(definition: FunctionDefinition) -> str:
    """``name(arg TYPE, ...) -> TYPE`` as a DuckDB user would call it."""
    arguments = ", ".join(_argument_sql(a) for a in definition.arguments)
    return f"{definition.name}({arguments}) -> {returns_sql(definition)}"


def summary_line(text: str) -> str:
    """The first sentence of a description, on one line (for tables)."""
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    return re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]


def describe_function(definition: FunctionDefinition) -> dict[str, Any]:
    """One function as JSON-ready data."""
    meta = definition.metadata
    return {
        "name": definition.name,
        "kind": definition.function_class.KIND,
        "signature": sql_signature(definition),
        "returns": returns_sql(definition),
        "description": meta.description,
        "summary": summary_line(meta.description),
        "arguments": [
            {
                "name": a.named or a.name,
                "type": "TABLE" if a.is_table else sql_type(a.arrow_type),
                "constant": a.is_constant,
                "named": a.named is not None,
                "doc": a.doc,
            }
            for a in definition.arguments
        ],
        "examples": [
            {"sql": e.sql, "description": e.description, "expected_output": e.expected_output}
            for e in meta.examples
        ],
        "categories": list(meta.categories),
    }


def describe_pack(record: PackRecord, conflicts: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """One pack, loaded or not, as JSON-ready data (``conflicts``: name -> packs defining it)."""
    clashes = conflicts or {}
    return {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "entry_point": record.target,
        "status": record.status.value,
        "error": record.error,
        "remedy": record.remedy,
        "traceback": record.traceback,
        "function_count": len(record.entries),
        "declared_host_range": record.declared_host_range,
        "from_cache": record.from_cache,
        "load_seconds": round(record.load_seconds, 4),
        "functions": [entry.description for entry in record.entries],
        "tables": [entry.description for entry in record.tables],
        "views": [entry.description for entry in record.views],
        "conflicts": {
            name: [p for p in clashes[name.lower()] if p != record.name]
            for name in record.function_names
            if name.lower() in clashes
        },
    }


def describe_registry(registry: PackRegistry) -> list[dict[str, Any]]:
    """Every discovered pack, in load order."""
    clashes = conflicting_names(registry.loaded)
    return [describe_pack(r, clashes) for r in registry.records]
