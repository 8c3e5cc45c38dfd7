"""Table-in-out functions: ``SELECT * FROM pack.fn(args, (SELECT ...))`` transforms rows.

A pack author subclasses :class:`TableInOutFunction` and writes instance
methods, the reference SDK's shape: ``output_schema`` (a property; the input's
schema by default), ``transform(batch)`` once per input batch, and optionally
``finish()`` after the last input (DuckDB's FINALIZE phase).  The host creates
one instance per execution, so instance attributes carry state across batches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.binding import bind_declared, implicitly_castable
from vgi_host.sdk.caching import cached_definition
from vgi_host.sdk.context import Args, ProcessParams
from vgi_host.sdk.declarations import read_declared_arguments, read_table_kind_arguments
from vgi_host.sdk.duckdb_types import refuse_output_schema
from vgi_host.sdk.metadata import FunctionMetadata, resolve_metadata
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sql_types import sql_type

FinishResult = pa.RecordBatch | Sequence[pa.RecordBatch] | None


class TableInOutFunction[ArgsT = Any, StateT = Any]:
    """Base class for table-in-out functions (see the module docstring).

    Attributes set by the host before the first call: ``args`` (bound
    arguments), ``input_schema`` and ``params``.
    """

    args: Args
    input_schema: pa.Schema
    params: ProcessParams

    @property
    def output_schema(self) -> pa.Schema:
        """The output columns; by default the input's (a filter or an annotator)."""
        return self.input_schema

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        """Rows out for one batch in (any count, including none)."""
        raise NotImplementedError(f"{type(self).__name__} must define transform(self, batch)")

    def finish(self) -> FinishResult:
        """Rows out after all input: override for aggregating transforms."""
        return None

    @classmethod
    def definition(cls) -> TableInOutDefinition:
        """The validated definition of this class, computed once and cached on it."""
        return cached_definition(cls, TableInOutDefinition, lambda: TableInOutDefinition.of(cls))


@dataclass(frozen=True, slots=True)
class BoundTableInOut:
    """One bound call: arguments checked, input and output schemas known."""

    definition: TableInOutDefinition
    args: Args
    input_schema: pa.Schema
    output_schema: pa.Schema
    secret_lookups: tuple[Any, ...] = ()
    """Secrets ``on_bind`` asked for that the request lacks: the bind answers with these instead."""

    def instantiate(self, execution_id: bytes) -> TableInOutFunction:
        """A fresh instance for one execution, with ``args``/``input_schema``/``params`` set."""
        return _instance(self.definition.function_class, self.args, self.input_schema, execution_id)


def _instance(
    function_class: type[TableInOutFunction], args: Args, input_schema: pa.Schema, execution_id: bytes
) -> TableInOutFunction:
    try:
        instance = function_class()
    except TypeError as exc:
        raise FunctionDefinitionError(
            f"{function_class.__name__} must be constructible without arguments: {exc}"
        ) from exc
    instance.args = args
    instance.input_schema = input_schema
    instance.params = ProcessParams(
        args=args, output_schema=pa.schema([]), input_schema=input_schema, execution_id=execution_id
    )
    instance.params.output_schema = instance.output_schema
    return instance


@dataclass(frozen=True, slots=True)
class TableInOutDefinition:
    """A table-in-out function as the host sees it."""

    function_class: type[TableInOutFunction]
    metadata: FunctionMetadata
    arguments: tuple[ArgumentSpec, ...]
    input_from_args: bool = False
    """A row transform: the positional arguments are the input's columns (no TABLE argument)."""

    @classmethod
    def of(cls, function_class: type[TableInOutFunction]) -> TableInOutDefinition:
        """Validate ``function_class`` and read its definition."""
        from vgi_host.sdk.table_in_out_reference import (
            RowTransformFunction,
            instance_adapter,
            is_reference_shaped,
        )

        served = instance_adapter(function_class) if is_reference_shaped(function_class) else function_class
        if served.transform is TableInOutFunction.transform:
            raise FunctionDefinitionError(f"{function_class.__name__} must define transform(self, batch)")
        metadata = resolve_metadata(function_class)
        if issubclass(function_class, RowTransformFunction):
            return cls(served, metadata, _row_transform_arguments(function_class), input_from_args=True)
        if metadata.input_rows_per_call is not None:
            raise FunctionDefinitionError(
                f"{function_class.__name__}: Meta.input_rows_per_call applies only to a "
                f"RowTransformFunction, whose input arrives as its positional arguments"
            )
        definition = cls(
            served,
            metadata,
            read_table_kind_arguments(function_class),
        )
        if definition.has_finalize and definition.max_workers != 1:
            raise FunctionDefinitionError(
                f"{function_class.__name__} defines finish(), so all of one call's input must reach one "
                f"process: Meta.max_workers must be 1 (its default)"
            )
        return definition

    @property
    def name(self) -> str:
        """The SQL name."""
        return self.metadata.name

    @property
    def has_finalize(self) -> bool:
        """Whether the function produces rows after its last input."""
        return self.function_class.finish is not TableInOutFunction.finish

    @property
    def max_workers(self) -> int:
        """Processes one call may use: 1 unless declared (state lives in one instance)."""
        return self.metadata.max_workers or 1

    def bind(
        self,
        input_schema: pa.Schema | None,
        positional: Sequence[pa.Scalar[Any] | None],
        named: Mapping[str, pa.Scalar[Any]],
    ) -> BoundTableInOut:
        """Check one call's arguments and resolve its output schema from the input's."""
        if input_schema is None:
            raise BindError("a table-in-out function needs an input table")
        if self.input_from_args:
            args = Args(_bind_row_transform(self.arguments, input_schema, positional, named))
        else:
            args = Args(bind_declared(self.arguments, positional, named))
        probe = _instance(self.function_class, args, input_schema, b"")
        output_schema = probe.output_schema
        if not isinstance(output_schema, pa.Schema) or len(output_schema) == 0:
            raise BindError(f"output_schema must be a non-empty pa.Schema; got {output_schema!r}")
        refuse_output_schema(output_schema)
        return BoundTableInOut(self, args, input_schema, output_schema)


def _row_transform_arguments(function_class: type) -> tuple[ArgumentSpec, ...]:
    """A row transform's arguments: input columns (positional), then named constants."""
    arguments = read_declared_arguments(function_class, allow_table=False, input_columns=True)
    if not any(a.named is None for a in arguments):
        raise FunctionDefinitionError(
            f"{function_class.__name__}: a RowTransformFunction needs at least one positional Arg: "
            f"its positional arguments are its input columns"
        )
    return arguments


def _bind_row_transform(
    arguments: Sequence[ArgumentSpec],
    input_schema: pa.Schema,
    positional: Sequence[pa.Scalar[Any] | None],
    named: Mapping[str, pa.Scalar[Any]],
) -> dict[str, Any]:
    """Check the input columns against the positional arguments; bind the named constants.

    The input columns reach ``process`` as the client sent them (the client
    casts to the declared types, as the reference worker expects); the
    positional arguments are ``None`` on ``params.args``, as in the reference.
    """
    columns = [a for a in arguments if a.named is None]
    if any(value is not None for value in positional):
        raise BindError(
            "a row-transform function takes its positional arguments as input columns, "
            f"not as constants; got {len(positional)} positional constant(s)"
        )
    fixed = [a for a in columns if not a.varargs]
    variadic = len(fixed) < len(columns)
    if len(input_schema) < len(fixed) or (not variadic and len(input_schema) != len(fixed)):
        expected = ", ".join(f"{a.name} {a.sql_type}" for a in columns)
        raise BindError(
            f"expects {'at least ' if variadic else ''}{len(fixed)} input column(s) ({expected}); "
            f"got {len(input_schema)}"
        )
    for index, field in enumerate(input_schema):
        spec = columns[min(index, len(columns) - 1)]
        if spec.arrow_type is not None and not implicitly_castable(field.type, spec.arrow_type):
            raise BindError(
                f"argument {spec.name!r}: input column {field.name!r} has type {sql_type(field.type)}, "
                f"expected {spec.sql_type}"
            )
    values: dict[str, Any] = {a.name: None for a in columns}
    values.update(bind_declared([a for a in arguments if a.named is not None], (), named))
    return values
