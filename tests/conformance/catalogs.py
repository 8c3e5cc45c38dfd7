"""Reading one schema's function entries of a kind from a server, by SQL name."""

from __future__ import annotations

import importlib
from typing import Any

from serving import SCHEMA, SCHEMAS, FixtureRef
from vgi.catalog import SchemaObjectType


def functions(client: Any, kind: SchemaObjectType) -> dict[str, dict[str, list[Any]]]:
    """Each schema's entries of ``kind``, by schema then name (several for an overloaded name)."""
    attach = client.catalog_attach(name=SCHEMA, data_version_spec=None, implementation_version=None)
    by_schema: dict[str, dict[str, list[Any]]] = {}
    for schema in SCHEMAS:
        entries = client.schema_contents(
            attach_opaque_data=attach.attach_opaque_data, path=[schema], type=kind
        )
        by_name = by_schema.setdefault(schema, {})
        for entry in entries:
            by_name.setdefault(entry.name, []).append(entry)
    return by_schema


def sql_name(ref: FixtureRef) -> str:
    """The SQL name of a reference fixture class."""
    cls = getattr(importlib.import_module(f"vgi._test_fixtures.{ref.module}"), ref.name)
    return str(cls.Meta.name)
