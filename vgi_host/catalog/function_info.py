"""Turning a function definition into the catalog's ``FunctionInfo`` entry.

This is what DuckDB registers: argument names, types and docs (as Arrow field
metadata the extension reads), typed defaults, the output type, and the
documentation that ``duckdb_functions()`` shows.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from vgi_host.protocol.enums import CatalogFunctionType, FunctionStability, NullHandling
from vgi_host.protocol.functions import CatalogExample, FunctionInfo
from vgi_host.sdk.kinds import FunctionDefinition
from vgi_host.sdk.params import ConstParam
from vgi_host.sdk.scalar import RESULT_FIELD
from vgi_host.sdk.signature import ArgumentSpec, ComputeSignature


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
    if spec.arrow_type is None:
        metadata["vgi_type"] = "any"
    if spec.is_constant:
        metadata["vgi_const"] = "true"
    if spec.has_default:
        metadata["vgi_default"] = json.dumps(spec.default)
    rule = spec.constraint
    if rule is not None:
        if rule.choices is not None:
            metadata["vgi_choices"] = json.dumps(list(rule.choices))
        interval = _range_text(rule)
        if interval is not None:
            metadata["vgi_range"] = interval
    return pa.field(spec.name, spec.arrow_type or pa.null(), metadata=metadata or None)


def argument_schema(signature: ComputeSignature) -> pa.Schema:
    """One field per declared argument, in declaration order."""
    return pa.schema([_argument_field(spec) for spec in signature.arguments])


def default_values(signature: ComputeSignature) -> pa.RecordBatch | None:
    """A one-row batch of typed defaults, one column per defaulted argument."""
    specs = [spec for spec in signature.arguments if spec.has_default]
    if not specs:
        return None
    arrays = [pa.array([spec.default], type=spec.arrow_type) for spec in specs]
    return pa.RecordBatch.from_arrays(arrays, names=[spec.name for spec in specs])


def function_info(definition: FunctionDefinition, schema: str) -> FunctionInfo:
    """The catalog entry for one scalar function in pack schema ``schema``."""
    meta = definition.metadata
    return FunctionInfo(
        name=definition.name,
        schema_path=[schema],
        function_type=CatalogFunctionType.SCALAR,
        comment=meta.comment,
        tags=dict(meta.tags),
        arguments=argument_schema(definition.signature),
        output_schema=pa.schema([pa.field(RESULT_FIELD, definition.signature.result_type)]),
        parameter_default_values=default_values(definition.signature),
        stability=meta.stability or FunctionStability.CONSISTENT,
        null_handling=meta.null_handling or NullHandling.DEFAULT,
        description=meta.description,
        examples=[
            CatalogExample(sql=e.sql, description=e.description, expected_output=e.expected_output)
            for e in meta.examples
        ],
        categories=list(meta.categories),
    )
