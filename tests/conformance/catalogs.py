"""Reading one schema's function entries of a kind from a server, by SQL name."""

from __future__ import annotations

import importlib
from typing import Any

from serving import SCHEMA, FixtureRef
from vgi.catalog import SchemaObjectType


def functions(client: Any, kind: SchemaObjectType) -> dict[str, list[Any]]:
    """The ``conformance`` schema's entries of ``kind``, by name (several for an overloaded name)."""
    attach = client.catalog_attach(name=SCHEMA, data_version_spec=None, implementation_version=None)
    entries = client.schema_contents(attach_opaque_data=attach.attach_opaque_data, path=[SCHEMA], type=kind)
    by_name: dict[str, list[Any]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    return by_name


def sql_name(ref: FixtureRef) -> str:
    """The SQL name of a reference fixture class."""
    cls = getattr(importlib.import_module(f"vgi._test_fixtures.{ref.module}"), ref.name)
    return str(cls.Meta.name)
