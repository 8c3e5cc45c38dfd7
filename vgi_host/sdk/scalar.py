"""Scalar functions: one output value per input row.

A pack author subclasses :class:`ScalarFunction` and writes a ``compute``
classmethod (see the module docs of :mod:`vgi_host`).  This module turns that
class into a :class:`ScalarDefinition` once, at registration, and a definition
into a :class:`BoundScalar` per call: everything that can be decided before
data flows (column casts, constant values, the output schema) is decided at
bind, so the per-batch path is a cast check, the author's ``compute`` and a
length check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pyarrow as pa

from vgi_host.sdk.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.metadata import FunctionMetadata, resolve_metadata
from vgi_host.sdk.signature import ArgumentSpec, ComputeSignature, read_compute_signature

RESULT_FIELD = "result"
"""Name of the single output column (the reference's name; DuckDB ignores it)."""


class ScalarFunction:
    """Base class for scalar functions: subclass it and define ``compute``.

    ``compute`` is a classmethod whose parameters are annotated
    ``Annotated[pa.<Type>Array, Param(...)]`` (columns) or
    ``Annotated[<python type>, ConstParam(...)]`` (constants) and whose return
    is annotated ``Annotated[pa.<Type>Array, Returns(...)]``.  It must return
    one array with as many rows as the input batch.
    """

    KIND: ClassVar[str] = "scalar"

    @classmethod
    def definition(cls) -> ScalarDefinition:
        """The validated definition of this class, computed once and cached on it."""
        cached = cls.__dict__.get("_vgi_host_definition")
        if isinstance(cached, ScalarDefinition):
            return cached
        definition = ScalarDefinition.of(cls)
        type.__setattr__(cls, "_vgi_host_definition", definition)
        return definition


@dataclass(frozen=True, slots=True)
class ScalarDefinition:
    """A scalar function as the host sees it: metadata plus signature."""

    function_class: type[ScalarFunction]
    metadata: FunctionMetadata
    signature: ComputeSignature
    compute: Callable[..., Any]

    @classmethod
    def of(cls, function_class: type[ScalarFunction]) -> ScalarDefinition:
        """Validate ``function_class`` and read its definition."""
        compute = getattr(function_class, "compute", None)
        if compute is None or not callable(compute):
            raise FunctionDefinitionError(f"{function_class.__name__} must define a compute classmethod")
        metadata = resolve_metadata(function_class)
        return cls(function_class, metadata, read_compute_signature(function_class, compute), compute)

    @property
    def name(self) -> str:
        """The SQL name."""
        return self.metadata.name

    def bind(
        self,
        input_schema: pa.Schema | None,
        constants: Sequence[pa.Scalar[Any] | None],
        named: Mapping[str, pa.Scalar[Any]],
    ) -> BoundScalar:
        """Check one call against the signature; raise :class:`BindError` on any mismatch."""
        if named:
            raise BindError(f"scalar functions take no named arguments; got {sorted(named)}")
        columns = self.signature.columns
        received = list(input_schema) if input_schema is not None else []
        if len(received) != len(columns):
            expected = ", ".join(f"{a.name} {a.sql_type}" for a in columns) or "none"
            raise BindError(f"expects {len(columns)} column argument(s) ({expected}); got {len(received)}")
        plan = tuple(
            _column_plan(spec, index, field)
            for index, (spec, field) in enumerate(zip(columns, received, strict=True))
        )
        values = _constant_values(self.signature.constants, constants)
        output_schema = pa.schema([pa.field(RESULT_FIELD, self.signature.result_type)])
        return BoundScalar(self.compute, plan, values, output_schema)


def _column_plan(spec: ArgumentSpec, index: int, field: pa.Field[Any]) -> tuple[str, int, pa.DataType | None]:
    """Check one incoming column; answer (parameter, column index, cast target or None)."""
    for bound in spec.type_bounds:
        if not bound(field.type):
            raise BindError(
                f"argument {spec.name!r}: column {field.name!r} has type {field.type}, "
                f"but the type bound requires {getattr(bound, '__name__', repr(bound))}"
            )
    target = spec.arrow_type
    if target is None or field.type == target:
        return spec.name, index, None
    try:
        pa.array([], type=field.type).cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise BindError(
            f"argument {spec.name!r}: column {field.name!r} has type {field.type}, expected {target} "
            f"(no cast from {field.type} to {target})"
        ) from exc
    return spec.name, index, target


def _constant_values(
    specs: Sequence[ArgumentSpec], supplied: Sequence[pa.Scalar[Any] | None]
) -> dict[str, Any]:
    """Resolve, type-check and range-check the constant arguments."""
    if len(supplied) > len(specs):
        raise BindError(f"takes {len(specs)} constant argument(s); got {len(supplied)}")
    values: dict[str, Any] = {}
    for position, spec in enumerate(specs):
        # ``None`` is an argument that was not supplied at all; an SQL NULL
        # arrives as an invalid scalar and is handled by _constant_value.
        scalar = supplied[position] if position < len(supplied) else None
        if scalar is None:
            if not spec.has_default:
                raise BindError(f"missing constant argument {spec.name!r} ({spec.sql_type})")
            values[spec.name] = spec.default
            continue
        values[spec.name] = _constant_value(spec, scalar)
    return values


def _constant_value(spec: ArgumentSpec, scalar: pa.Scalar[Any]) -> Any:
    target = spec.arrow_type
    if target is not None and scalar.type != target:
        try:
            scalar = scalar.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise BindError(
                f"constant argument {spec.name!r} must be {target}; got {scalar.type} {scalar.as_py()!r}"
            ) from exc
    if not scalar.is_valid:
        return scalar if spec.passes_scalar else None
    value = scalar.as_py()
    _check_constraint(spec, value)
    return scalar if spec.passes_scalar else value


def _check_constraint(spec: ArgumentSpec, value: Any) -> None:
    rule = spec.constraint
    if rule is None:
        return
    if rule.choices is not None and value not in rule.choices:
        raise BindError(f"constant argument {spec.name!r} must be one of {list(rule.choices)}; got {value!r}")
    checks: tuple[tuple[float | None, str, Callable[[Any, float], bool]], ...] = (
        (rule.ge, ">=", lambda v, b: v >= b),
        (rule.le, "<=", lambda v, b: v <= b),
        (rule.gt, ">", lambda v, b: v > b),
        (rule.lt, "<", lambda v, b: v < b),
    )
    is_nan = isinstance(value, float) and math.isnan(value)
    for bound, symbol, holds in checks:
        if bound is not None and (is_nan or not holds(value, bound)):
            raise BindError(f"constant argument {spec.name!r} must be {symbol} {bound}; got {value!r}")


class ResultShapeError(ValueError):
    """``compute`` returned something other than one array of the input's length."""


@dataclass(frozen=True, slots=True)
class BoundScalar:
    """One bound call: turns each input batch into one output batch."""

    compute: Callable[..., Any]
    column_plan: tuple[tuple[str, int, pa.DataType | None], ...]
    constants: dict[str, Any]
    output_schema: pa.Schema

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Run ``compute`` on one batch and check what it returned."""
        kwargs = dict(self.constants)
        columns = batch.columns
        for name, index, cast_to in self.column_plan:
            column = columns[index]
            kwargs[name] = column if cast_to is None else column.cast(cast_to)
        result = _as_array(self.compute(**kwargs), self.output_schema.field(0).type)
        if len(result) != batch.num_rows:
            raise ResultShapeError(f"compute returned {len(result)} rows for an input of {batch.num_rows}")
        return pa.RecordBatch.from_arrays([result], schema=self.output_schema)


def _as_array(returned: Any, expected: pa.DataType) -> pa.Array[Any]:
    """Accept what authors naturally return (Array, ChunkedArray, numpy, list) as one Array."""
    value: Any = returned
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks() if value.num_chunks != 1 else value.chunk(0)
    elif isinstance(value, pa.RecordBatch | pa.Table):
        raise ResultShapeError(f"compute must return one column, not a {type(value).__name__}")
    elif not isinstance(value, pa.Array):
        try:
            value = pa.array(value, type=expected)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            raise ResultShapeError(f"compute returned {type(value).__name__}, not an array: {exc}") from exc
    if value.type != expected:
        try:
            value = value.cast(expected)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ResultShapeError(
                f"compute returned {value.type}; the function declares {expected}"
            ) from exc
    array: pa.Array[Any] = value
    return array
