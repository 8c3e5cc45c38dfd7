"""Table functions: ``SELECT * FROM pack.fn(args)`` produces rows from arguments alone.

A pack author subclasses :class:`TableFunctionGenerator`, declares arguments as
``Annotated[T, Arg(position, ...)]`` class attributes, gives the output schema
(``FIXED_SCHEMA``, or ``on_bind`` when it depends on the arguments), and writes
``process(params, state, out)``, called once per tick until it calls
``out.finish()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pyarrow as pa

from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.binding import bind_declared
from vgi_host.sdk.caching import cached_definition
from vgi_host.sdk.context import Args, BindParams, OutputCollector, ProcessParams
from vgi_host.sdk.declarations import read_declared_arguments
from vgi_host.sdk.duckdb_types import refuse_output_schema
from vgi_host.sdk.metadata import FunctionMetadata, resolve_metadata
from vgi_host.sdk.session import session_arguments, session_parameters
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sdk.table_answers import accept_reference_cardinality, schema_of_bind_answer


class TableFunctionGenerator[ArgsT = Any, StateT = Any]:
    """Base class for table functions (see the module docstring).

    Generic (``TableFunctionGenerator[MyArgs, MyState]``) only so that code
    written for the reference SDK subclasses it unchanged.
    """

    FIXED_SCHEMA: ClassVar[pa.Schema | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        accept_reference_cardinality(cls)

    @classmethod
    def on_bind(cls, params: BindParams) -> pa.Schema:
        """The output schema for one call; override when it depends on the arguments."""
        if cls.FIXED_SCHEMA is None:
            raise FunctionDefinitionError(f"{cls.__name__} needs FIXED_SCHEMA or an on_bind classmethod")
        return cls.FIXED_SCHEMA

    @classmethod
    def cardinality(cls, params: BindParams) -> int | None:
        """An estimate of the row count, if cheap to know (helps DuckDB plan joins)."""
        return None

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Any:
        """The state passed to every ``process`` call of one execution."""
        return None

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        """Emit one batch with ``out.emit`` or end the output with ``out.finish``."""
        raise NotImplementedError(f"{cls.__name__} must define process(params, state, out)")

    @classmethod
    def definition(cls) -> TableDefinition:
        """The validated definition of this class, computed once and cached on it."""
        return cached_definition(cls, TableDefinition, lambda: TableDefinition.of(cls))


@dataclass(frozen=True, slots=True)
class BoundTable:
    """One bound call: arguments checked, output schema known."""

    definition: TableDefinition
    args: Args
    output_schema: pa.Schema
    secret_lookups: tuple[Any, ...] = ()
    """Secrets ``on_bind`` asked for that the request lacks: the bind answers with these instead."""

    def bind_params(self) -> BindParams:
        """The parameters ``on_bind``/``cardinality`` saw."""
        return BindParams(args=self.args)

    def projected(self, projection_ids: Sequence[int] | None) -> pa.Schema:
        """The schema to produce: projected only if the function opted in."""
        if not self.definition.metadata.projection_pushdown or projection_ids is None:
            return self.output_schema
        return pa.schema([self.output_schema.field(i) for i in projection_ids])


@dataclass(frozen=True, slots=True)
class TableDefinition:
    """A table function as the host sees it."""

    function_class: type[TableFunctionGenerator]
    metadata: FunctionMetadata
    arguments: tuple[ArgumentSpec, ...]

    @classmethod
    def of(cls, function_class: type[TableFunctionGenerator]) -> TableDefinition:
        """Validate ``function_class`` and read its definition."""
        if function_class.process.__func__ is TableFunctionGenerator.process.__func__:  # type: ignore[attr-defined]
            raise FunctionDefinitionError(
                f"{function_class.__name__} must define process(params, state, out)"
            )
        return cls(
            function_class,
            resolve_metadata(function_class),
            read_declared_arguments(function_class, allow_table=False),
        )

    @property
    def name(self) -> str:
        """The SQL name."""
        return self.metadata.name

    @property
    def catalog_schema(self) -> pa.Schema:
        """The schema advertised before any call: fixed, or empty meaning "decided at bind"."""
        return self.function_class.FIXED_SCHEMA or pa.schema([])

    @property
    def max_workers(self) -> int:
        """Processes one call may use: 1 unless the function says it splits its work."""
        return self.metadata.max_workers or 1

    def bind(
        self, positional: Sequence[pa.Scalar[Any] | None], named: Mapping[str, pa.Scalar[Any]]
    ) -> BoundTable:
        """Check one call's arguments and resolve its output schema."""
        args = Args(bind_declared(self.arguments, positional, named))
        schema = schema_of_bind_answer(
            self.function_class.on_bind(
                BindParams(args=args), **session_arguments(session_parameters(self.function_class, "on_bind"))
            )
        )
        if not isinstance(schema, pa.Schema) or len(schema) == 0:
            raise BindError(f"on_bind must return a non-empty pa.Schema; got {schema!r}")
        refuse_output_schema(schema)
        return BoundTable(self, args, schema)
