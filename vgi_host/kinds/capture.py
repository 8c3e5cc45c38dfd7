"""Capturing a definition as catalog data: its encoded ``FunctionInfo`` and its description.

Runs once per pack import (a manifest-cache miss); everything served later -
ATTACH, listings, ``vgi-host list`` - reads the captured entries instead of
the pack's classes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vgi_host.kinds.registry import spec_of
from vgi_host.model.entries import ArgumentDescription, ExampleDescription, FunctionDescription, FunctionEntry
from vgi_host.protocol.common import encode_catalog_item
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.sdk.overloads import members_of
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sql_types import sql_type


def _argument_sql(spec: ArgumentSpec) -> str:
    if spec.is_table:
        return f"{spec.name} TABLE"
    if spec.named is not None:
        return f"{spec.named} := {sql_type(spec.arrow_type)}"
    return f"{spec.name} {sql_type(spec.arrow_type)}"


def sql_signature(definition: FunctionDefinition) -> str:
    """``name(arg TYPE, ...) -> TYPE`` as a DuckDB user would call it."""
    arguments = ", ".join(_argument_sql(a) for a in definition.arguments)
    return f"{definition.name}({arguments}) -> {spec_of(definition).returns_sql(definition)}"


def summary_line(text: str) -> str:
    """The first sentence of a description, on one line (for tables)."""
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    return re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]


def describe_function(definition: FunctionDefinition) -> FunctionDescription:
    """One function as people read it."""
    meta = definition.metadata
    kind = spec_of(definition)
    return FunctionDescription(
        name=definition.name,
        kind=kind.name,
        signature=sql_signature(definition),
        returns=kind.returns_sql(definition),
        description=meta.documentation or meta.description,
        summary=summary_line(meta.description),
        arguments=tuple(
            ArgumentDescription(
                name=a.named or a.name,
                type="TABLE" if a.is_table else sql_type(a.arrow_type),
                constant=a.is_constant,
                named=a.named is not None,
                doc=a.doc,
            )
            for a in definition.arguments
        ),
        examples=tuple(ExampleDescription(e.sql, e.description, e.expected_output) for e in meta.examples),
        categories=tuple(meta.categories),
    )


def function_entry(definition: FunctionDefinition, schema: str) -> FunctionEntry:
    """One definition as a catalog entry of ``schema``."""
    kind = spec_of(definition)
    info = encode_catalog_item(kind.function_info(definition, schema))
    return FunctionEntry(definition.name, kind.name, info, describe_function(definition))


def function_entries(schema: str, definitions: Sequence[FunctionDefinition]) -> tuple[FunctionEntry, ...]:
    """Every definition of a pack as entries of ``schema``; each overload is its own entry."""
    return tuple(function_entry(member, schema) for d in definitions for member in members_of(d))
