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
from vgi_host.sdk.binding import bind_declared
from vgi_host.sdk.caching import cached_definition
from vgi_host.sdk.context import Args, ProcessParams
from vgi_host.sdk.declarations import read_declared_arguments
from vgi_host.sdk.duckdb_types import refuse_output_schema
from vgi_host.sdk.metadata import FunctionMetadata, resolve_metadata
from vgi_host.sdk.signature import NO_DEFAULT, ArgumentSpec

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


def _with_table_argument(arguments: tuple[ArgumentSpec, ...]) -> tuple[ArgumentSpec, ...]:
    """Add the implicit TABLE argument after the positional ones when none is declared."""
    if any(a.is_table for a in arguments):
        return arguments
    positional = [a for a in arguments if a.named is None]
    table = ArgumentSpec(
        name="input",
        position=len(positional),
        is_constant=False,
        arrow_type=None,
        doc="The input rows",
        default=NO_DEFAULT,
        is_table=True,
    )
    return (*positional, table, *(a for a in arguments if a.named is not None))


@dataclass(frozen=True, slots=True)
class BoundTableInOut:
    """One bound call: arguments checked, input and output schemas known."""

    definition: TableInOutDefinition
    args: Args
    input_schema: pa.Schema
    output_schema: pa.Schema

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

    @classmethod
    def of(cls, function_class: type[TableInOutFunction]) -> TableInOutDefinition:
        """Validate ``function_class`` and read its definition."""
        from vgi_host.sdk.table_in_out_reference import instance_adapter, is_reference_shaped

        served = instance_adapter(function_class) if is_reference_shaped(function_class) else function_class
        if served.transform is TableInOutFunction.transform:
            raise FunctionDefinitionError(f"{function_class.__name__} must define transform(self, batch)")
        definition = cls(
            served,
            resolve_metadata(function_class),
            _with_table_argument(read_declared_arguments(function_class, allow_table=True)),
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
        args = Args(bind_declared(self.arguments, positional, named))
        probe = _instance(self.function_class, args, input_schema, b"")
        output_schema = probe.output_schema
        if not isinstance(output_schema, pa.Schema) or len(output_schema) == 0:
            raise BindError(f"output_schema must be a non-empty pa.Schema; got {output_schema!r}")
        refuse_output_schema(output_schema)
        return BoundTableInOut(self, args, input_schema, output_schema)
