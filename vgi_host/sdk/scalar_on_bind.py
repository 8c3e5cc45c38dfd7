"""Calling a scalar function's optional ``on_bind`` (the reference's dynamic result type).

Kept apart from :mod:`vgi_host.sdk.scalar` so the per-batch path stays small:
this runs once per call, at bind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError
from vgi_host.protocol.arguments import Arguments
from vgi_host.sdk.scalar_bind import BindParameters, BindResult
from vgi_host.sdk.signature import ComputeSignature


def has_on_bind(function_class: type) -> bool:
    """Whether the class (not the SDK) defines ``on_bind``."""
    return callable(getattr(function_class, "on_bind", None))


def arguments_schema(
    signature: ComputeSignature, input_schema: pa.Schema | None, constants: Sequence[pa.Scalar[Any] | None]
) -> pa.Schema:
    """One field per declared argument in call order, typed as the caller sent it."""
    columns = iter(input_schema or pa.schema([]))
    values = iter(constants)
    fields: list[pa.Field[Any]] = []
    for spec in signature.arguments:
        if spec.is_constant:
            value = next(values, None)
            arrow_type = value.type if value is not None else (spec.arrow_type or pa.null())
        elif spec.varargs:  # one field per remaining column
            fields.extend(pa.field(spec.name, column.type) for column in columns)
            continue
        else:
            column = next(columns, None)
            arrow_type = column.type if column is not None else (spec.arrow_type or pa.null())
        fields.append(pa.field(spec.name, arrow_type))
    return pa.schema(fields)


def call_on_bind(
    function_class: type,
    signature: ComputeSignature,
    input_schema: pa.Schema | None,
    constants: Sequence[pa.Scalar[Any] | None],
) -> pa.DataType:
    """Run ``on_bind`` and return the result type it chose."""
    params = BindParameters(
        constant_arguments=Arguments(positional=tuple(constants)),
        arguments_schema=arguments_schema(signature, input_schema, constants),
    )
    answer = function_class.on_bind(params)  # type: ignore[attr-defined]
    output_type = answer.output_type if isinstance(answer, BindResult) else answer
    if not isinstance(output_type, pa.DataType):
        raise BindError(
            f"{function_class.__name__}.on_bind must return BindResult(<pyarrow DataType>); got {answer!r}"
        )
    return output_type
