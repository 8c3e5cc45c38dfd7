"""Plain-data descriptions of packs and functions, for people and for JSON.

``vgi-host list`` (both its table and ``--json``) renders these, so the two
outputs can never disagree about what a pack offers.
"""

from __future__ import annotations

import re
from typing import Any

from vgi_host.catalog.sql_types import sql_type
from vgi_host.packs.records import PackRecord
from vgi_host.packs.registry import PackRegistry
from vgi_host.sdk.kinds import FunctionDefinition


def sql_signature(definition: FunctionDefinition) -> str:
    """``name(arg TYPE, ...) -> TYPE`` as a DuckDB user would call it."""
    arguments = ", ".join(f"{a.name} {sql_type(a.arrow_type)}" for a in definition.signature.arguments)
    return f"{definition.name}({arguments}) -> {sql_type(definition.signature.result_type)}"


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
        "returns": sql_type(definition.signature.result_type),
        "description": meta.description,
        "summary": summary_line(meta.description),
        "arguments": [
            {"name": a.name, "type": sql_type(a.arrow_type), "constant": a.is_constant, "doc": a.doc}
            for a in definition.signature.arguments
        ],
        "examples": [
            {"sql": e.sql, "description": e.description, "expected_output": e.expected_output}
            for e in meta.examples
        ],
        "categories": list(meta.categories),
    }


def describe_pack(record: PackRecord) -> dict[str, Any]:
    """One pack, loaded or not, as JSON-ready data."""
    return {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "entry_point": record.target,
        "status": record.status.value,
        "error": record.error,
        "remedy": record.remedy,
        "traceback": record.traceback,
        "function_count": len(record.functions),
        "load_seconds": round(record.load_seconds, 4),
        "functions": [describe_function(f) for f in record.functions],
    }


def describe_registry(registry: PackRegistry) -> list[dict[str, Any]]:
    """Every discovered pack, in load order."""
    return [describe_pack(r) for r in registry.records]
