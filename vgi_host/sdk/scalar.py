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

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.binding import ColumnPlan, bind_constants, gather_columns, plan_columns, variadic_name
from vgi_host.sdk.caching import cached_definition
from vgi_host.sdk.casting import cast_or_raise
from vgi_host.sdk.metadata import FunctionMetadata, resolve_metadata
from vgi_host.sdk.scalar_on_bind import call_on_bind, has_on_bind
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

    @classmethod
    def definition(cls) -> ScalarDefinition:
        """The validated definition of this class, computed once and cached on it."""
        return cached_definition(cls, ScalarDefinition, lambda: ScalarDefinition.of(cls))


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
        signature = read_compute_signature(
            function_class, compute, decided_at_bind=has_on_bind(function_class)
        )
        return cls(function_class, metadata, signature, compute)

    @property
    def name(self) -> str:
        """The SQL name."""
        return self.metadata.name

    @property
    def arguments(self) -> tuple[ArgumentSpec, ...]:
        """All declared arguments, in call order."""
        return self.signature.arguments

    def bind(
        self,
        input_schema: pa.Schema | None,
        constants: Sequence[pa.Scalar[Any] | None],
        named: Mapping[str, pa.Scalar[Any]],
    ) -> BoundScalar:
        """Check one call against the signature; raise :class:`BindError` on any mismatch."""
        if named:
            raise BindError(f"scalar functions take no named arguments; got {sorted(named)}")
        plan = plan_columns(self.signature.columns, input_schema)
        values = bind_constants(self.signature.constants, constants)
        result_type = self.signature.result_type
        if has_on_bind(self.function_class):
            result_type = call_on_bind(self.function_class, self.signature, input_schema, constants)
        output_schema = pa.schema([pa.field(RESULT_FIELD, result_type)])
        return BoundScalar(
            self.compute,
            plan,
            values,
            output_schema,
            result_type,
            self.signature.length_parameter,
            variadic_name(self.signature.columns),
            self.signature.session,
            self.name,
        )


class ResultShapeError(ValueError):
    """``compute`` returned something other than one array of the input's length."""


@dataclass(frozen=True, slots=True)
class BoundScalar:
    """One bound call: turns each input batch into one output batch."""

    compute: Callable[..., Any]
    column_plan: ColumnPlan
    constants: dict[str, Any]
    output_schema: pa.Schema
    result_type: pa.DataType
    length_parameter: str | None = None
    variadic: str | None = None
    """The ``Param(varargs=True)`` parameter: it receives a list of the remaining columns."""
    session: tuple[tuple[str, Any], ...] = ()
    """``compute`` parameters filled from the call's settings, secrets and caller (see sdk/scalar_session)."""
    name: str = ""
    secret_lookups: tuple[Any, ...] = ()
    """Secrets to ask the client for before this call can run (a secret-scope answer to bind)."""
    run: Callable[[pa.RecordBatch], pa.RecordBatch] = field(init=False, repr=False, compare=False)
    """The per-batch function of this call (:func:`per_batch_function`), built once, at bind."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "run", per_batch_function(self))

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Run ``compute`` on one batch and check what it returned (see :attr:`run`)."""
        return self.run(batch)


def per_batch_function(bound: BoundScalar) -> Callable[[pa.RecordBatch], pa.RecordBatch]:
    """``bound``'s per-batch path as one closure, with every decision about the call taken out of it.

    This runs once per input batch of every scalar call, where each Python
    step costs a measurable share of a 2,048-row batch (docs/performance.md,
    "Fourth pass"): what the call's plan decides - which columns, whether any
    is cast, the constants, how the answer is built - is looked at here,
    once, instead of per batch.  Every answer has exactly ``output_schema``
    (the scalar kind promises the per-batch loop as much).  The checks on what
    ``compute`` returned stay per batch: a result of the wrong type or length
    must never reach the client as a malformed batch.
    """
    compute = bound.compute
    constants = bound.constants
    length_parameter = bound.length_parameter
    expected = bound.result_type
    output_schema = bound.output_schema
    names = [RESULT_FIELD]
    by_name = output_schema.equals(pa.schema([pa.field(RESULT_FIELD, expected)]), check_metadata=True)
    """Whether ``from_arrays(names=)``, cheaper than ``schema=``, builds exactly the declared schema."""
    from_arrays = pa.RecordBatch.from_arrays
    plan = bound.column_plan
    variadic = bound.variadic

    def arguments(batch: pa.RecordBatch) -> dict[str, Any]:
        """``compute``'s keyword arguments for one batch (the general case)."""
        kwargs: dict[str, Any]
        if variadic is None:
            kwargs = {
                name: batch.column(index) if cast_to is None else batch.column(index).cast(cast_to)
                for name, index, cast_to in plan
            }
        else:
            kwargs = gather_columns(plan, variadic, batch.column)
        kwargs.update(constants)
        if length_parameter is not None:
            kwargs[length_parameter] = batch.num_rows
        return kwargs

    one_column = len(plan) == 1 and plan[0][2] is None and variadic is None and length_parameter is None
    """The common call: one column, not cast, then constants - its arguments built inline."""
    column_name, column_index = (plan[0][0], plan[0][1]) if plan else ("", 0)
    positional = one_column and _takes_in_order(compute, [column_name, *constants])
    """``compute(column, *constants)`` means the same call as by keyword, without a dict per batch."""
    after = tuple(constants.values())

    def run(batch: pa.RecordBatch) -> pa.RecordBatch:
        if positional:
            result = compute(batch.column(column_index), *after)
        else:
            if one_column:
                kwargs = constants.copy()
                kwargs[column_name] = batch.column(column_index)
            else:
                kwargs = arguments(batch)
            result = compute(**kwargs)
        if not (isinstance(result, pa.Array) and result.type == expected):
            result = _as_array(result, expected)
        if len(result) != batch.num_rows:
            raise ResultShapeError(f"compute returned {len(result)} rows for an input of {batch.num_rows}")
        if by_name:
            return from_arrays([result], names=names)
        return from_arrays([result], schema=output_schema)

    return run


def _takes_in_order(function: Callable[..., Any], names: list[str]) -> bool:
    """Whether ``function``'s parameters are exactly ``names``, in order, each passable by position.

    Then a positional call binds every value to the parameter the keyword
    call would; anything else (another order, a keyword-only or defaulted
    parameter left out, ``*args``/``**kwargs``) keeps the keyword call.
    """
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # no introspectable signature: keep the keyword call
        return False
    return [parameter.name for parameter in parameters] == names and all(
        parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for parameter in parameters
    )


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
    array: pa.Array[Any] = cast_or_raise(
        value,
        expected,
        lambda got, wanted: ResultShapeError(f"compute returned {got}; the function declares {wanted}"),
    )
    return array
