"""The parts of a catalog ``FunctionInfo`` entry that every kind builds the same way.

This is what DuckDB registers: argument names, types and docs (as Arrow field
metadata the extension reads: ``vgi_const``, ``vgi_arg=named``,
``vgi_type=table``...), typed defaults, the output type, the kind-specific flags
(``max_workers``, ``has_finalize``, ``projection_pushdown``...) and the
documentation that ``duckdb_functions()`` shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from vgi_host.model.tags import Example, function_tags
from vgi_host.protocol.functions import CatalogExample, SecretLookupEntry
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.sdk.params import ConstParam
from vgi_host.sdk.scalar import RESULT_FIELD
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sql_types import sql_type


def _range_text(rule: ConstParam) -> str | None:
    """``[0, +inf)``-style interval, the notation the extension documents."""
    if all(bound is None for bound in (rule.ge, rule.gt, rule.le, rule.lt)):
        return None
    lower = f"[{rule.ge}" if rule.ge is not None else f"({rule.gt}" if rule.gt is not None else "(-inf"
    upper = f"{rule.le}]" if rule.le is not None else f"{rule.lt})" if rule.lt is not None else "+inf)"
    return f"{lower}, {upper}"


def _argument_field(spec: ArgumentSpec) -> pa.Field[Any]:
    metadata: dict[str, str] = {}
    if spec.doc:
        metadata["vgi_doc"] = spec.doc
    if spec.is_table:
        metadata["vgi_type"] = "table"
    elif spec.arrow_type is None:
        metadata["vgi_type"] = "any"
    if spec.varargs:
        metadata["vgi_varargs"] = "true"
    if spec.named is not None:
        metadata["vgi_arg"] = "named"
    elif spec.is_constant and not spec.declared_on_class:
        # Only scalar/aggregate constants are marked: every table-function argument is constant,
        # and the reference marks none of them (nor the TABLE input).
        metadata["vgi_const"] = "true"
    if spec.has_default:
        try:
            metadata["vgi_default"] = json.dumps(spec.default)
        except TypeError:  # bytes, datetimes...: shown as their repr, as the reference does
            metadata["vgi_default"] = json.dumps(repr(spec.default))
    rule = spec.constraint
    if rule is not None:
        if rule.choices is not None:
            metadata["vgi_choices"] = json.dumps(list(rule.choices))
        interval = _range_text(rule)
        if interval is not None:
            metadata["vgi_range"] = interval
    return pa.field(spec.named or spec.name, spec.arrow_type or pa.null(), metadata=metadata or None)


def argument_schema(arguments: Sequence[ArgumentSpec]) -> pa.Schema:
    """One field per declared argument: positional in order, then named."""
    return pa.schema([_argument_field(spec) for spec in arguments])


def default_values(arguments: Sequence[ArgumentSpec]) -> pa.RecordBatch | None:
    """A one-row batch of typed defaults, one column per defaulted argument."""
    specs = [spec for spec in arguments if spec.has_default and not spec.is_table]
    if not specs:
        return None
    arrays = [pa.array([spec.default], type=spec.arrow_type) for spec in specs]
    return pa.RecordBatch.from_arrays(arrays, names=[spec.named or spec.name for spec in specs])


def result_schema(result_type: pa.DataType) -> pa.Schema:
    """The one-column output schema of scalar and aggregate functions."""
    if pa.types.is_null(result_type):  # decided at bind: tagged the way the reference tags it
        return pa.schema([pa.field(RESULT_FIELD, result_type, metadata={b"vgi:any": b"true"})])
    return pa.schema([pa.field(RESULT_FIELD, result_type)])


def common_fields(
    definition: FunctionDefinition, schema: str, result_columns: pa.Schema | None = None
) -> dict[str, Any]:
    """The ``FunctionInfo`` fields every kind fills the same way (``result_columns``: a fixed output)."""
    meta = definition.metadata
    columns = [(f.name, sql_type(f.type)) for f in result_columns] if result_columns is not None else []
    return {
        "name": definition.name,
        "schema_path": [schema],
        "comment": meta.comment,
        "tags": function_tags(
            meta.description,
            meta.categories,
            [Example(e.sql, e.description or "", e.expected_output or "") for e in meta.examples],
            meta.tags,
            columns,
        ),
        "arguments": argument_schema(definition.arguments),
        "parameter_default_values": default_values(definition.arguments),
        "description": meta.description,
        "examples": [
            CatalogExample(sql=e.sql, description=e.description, expected_output=e.expected_output)
            for e in meta.examples
        ],
        "categories": list(meta.categories),
        "required_settings": list(meta.required_settings),
        "required_secrets": [
            SecretLookupEntry(secret_type=s.secret_type, scope=s.scope, secret_name=s.secret_name)
            for s in meta.required_secrets
        ],
    }
