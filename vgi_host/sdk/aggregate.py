"""Aggregate functions: ``SELECT g, pack.fn(x) FROM t GROUP BY g``.

A pack author subclasses ``AggregateFunction[State]`` and writes four
classmethods, the reference SDK's shapes:

* ``initial_state(params) -> State`` for a group seen for the first time;
* ``update(states, group_ids, <columns...>, <constants...>)`` folds a batch into
  ``states`` (a dict group id -> State, pre-filled for every id in the batch);
  mutate a state in place or assign a new one to ``states[gid]`` — the host
  persists both;
* ``combine(source, target, params) -> State`` merges two partial states;
* ``finalize(group_ids, states, params) -> Annotated[pa.RecordBatch, Returns(type)]``
  returns one row per requested id (``states[gid]`` is None for an id never
  updated).

Optionally, like the reference SDK:

* ``on_bind(params: AggregateBindParams) -> BindResponse`` chooses the result
  type per call (``Returns()`` without a type on ``finalize``); the callbacks
  read it from ``params.output_schema``;
* ``ConstParam(phase="finalize")`` keeps a constant out of ``update``'s
  keywords; every constant is in ``params.args`` (by name, and as the sent
  scalars in ``params.args.positional``).

DuckDB sends the calls of one aggregate to *any* pooled process, so states
live in a store shared by all host processes (see :mod:`vgi_host.state`); a
State is stored as JSON when its fields are plain scalars, else with its own
``serialize_to_bytes()`` / ``deserialize_from_bytes()`` when it defines both,
else pickled (so it must then be picklable).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.protocol.arguments import Arguments
from vgi_host.sdk.aggregate_records import AggregateBindParams
from vgi_host.sdk.binding import ColumnPlan, bind_constants, gather_columns, plan_columns, variadic_name
from vgi_host.sdk.caching import cached_definition
from vgi_host.sdk.context import Args, ProcessParams
from vgi_host.sdk.metadata import FunctionMetadata, resolve_metadata
from vgi_host.sdk.session import SecretsAccessor, secrets_of, settings_of
from vgi_host.sdk.signature import ArgumentSpec, read_parameters, read_returns

RESULT_FIELD = "result"
_UPDATE_PHASES = (None, "all", "update")
"""``ConstParam(phase=...)`` values whose constant ``update`` receives as a keyword."""


class AggregateFunction[State]:
    """Base class for aggregate functions (see the module docstring)."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> State:
        """The state of a group before any row."""
        raise NotImplementedError(f"{cls.__name__} must define initial_state(params)")

    @classmethod
    def combine(cls, source: State, target: State, params: ProcessParams) -> State:
        """``target`` with ``source`` merged into it."""
        raise NotImplementedError(f"{cls.__name__} must define combine(source, target, params)")

    @classmethod
    def definition(cls) -> AggregateDefinition:
        """The validated definition of this class, computed once and cached on it."""
        return cached_definition(cls, AggregateDefinition, lambda: AggregateDefinition.of(cls))


def _state_class(function_class: type) -> type | None:
    """``AggregateFunction[CentroidState]`` -> ``CentroidState`` (None when not parameterised)."""
    for klass in function_class.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if typing.get_origin(base) is AggregateFunction:
                (argument,) = typing.get_args(base)
                return argument if isinstance(argument, type) else None
    return None


@dataclass(frozen=True, slots=True)
class AggregateDefinition:
    """An aggregate function as the host sees it."""

    function_class: type[AggregateFunction[Any]]
    metadata: FunctionMetadata
    arguments: tuple[ArgumentSpec, ...]
    """``update``'s column and constant parameters, in declaration order."""
    result_type: pa.DataType
    state_class: type | None
    update: Callable[..., None]
    """The class's ``update`` (not declared on the base: its columns are the function's own)."""
    finalize: Callable[..., Any]
    on_bind: Callable[..., Any] | None = None
    """The class's ``on_bind`` (result type chosen per call), if it defines one."""

    @classmethod
    def of(cls, function_class: type[AggregateFunction[Any]]) -> AggregateDefinition:
        """Validate ``function_class`` and read its definition."""
        name = function_class.__name__
        for required in ("initial_state", "combine"):
            if getattr(function_class, required).__func__ is getattr(AggregateFunction, required).__func__:
                raise FunctionDefinitionError(f"{name} must define the classmethod {required}")
        for required in ("update", "finalize"):
            if not callable(getattr(function_class, required, None)):
                raise FunctionDefinitionError(f"{name} must define the classmethod {required}")
        on_bind = getattr(function_class, "on_bind", None)
        on_bind = on_bind if callable(on_bind) else None
        update: Callable[..., None] = getattr(function_class, "update")  # noqa: B009
        finalize: Callable[..., Any] = getattr(function_class, "finalize")  # noqa: B009
        result_type, _ = read_returns(
            function_class, finalize, column=False, decided_at_bind=on_bind is not None
        )
        return cls(
            function_class,
            resolve_metadata(function_class),
            read_parameters(function_class, update, skip=2, allow_phase=True),
            result_type,
            _state_class(function_class),
            update,
            finalize,
            on_bind,
        )

    @property
    def name(self) -> str:
        """The SQL name."""
        return self.metadata.name

    @property
    def columns(self) -> tuple[ArgumentSpec, ...]:
        """Value columns, in the order they follow the group-id column in update batches."""
        return tuple(a for a in self.arguments if not a.is_constant)

    @property
    def constants(self) -> tuple[ArgumentSpec, ...]:
        """Constant arguments, in ``Arguments.positional`` order."""
        return tuple(a for a in self.arguments if a.is_constant)

    @property
    def output_schema(self) -> pa.Schema:
        """One ``result`` column of the declared type."""
        return pa.schema([pa.field(RESULT_FIELD, self.result_type)])

    def bind(
        self,
        input_schema: pa.Schema | None,
        arguments: Arguments,
        session: BindSessionBatches | None = None,
        *,
        output_schema: pa.Schema | None = None,
    ) -> BoundAggregate:
        """Check one call: value columns by position, constants by order; then its result schema.

        ``output_schema`` is the one a previous bind of the same call chose
        (another process re-binding a stored call): ``on_bind`` is not run
        again, so a result type chosen from secrets needs no secrets later.
        """
        if arguments.named:
            raise BindError(f"aggregate functions take no named arguments; got {sorted(arguments.named)}")
        plan = plan_columns(self.columns, input_schema)
        constants = bind_constants(self.constants, arguments.positional)
        if output_schema is None:
            output_schema = self._bound_schema(input_schema, arguments, session or BindSessionBatches())
        positional = tuple(arguments.positional)
        return BoundAggregate(self, plan, constants, output_schema, positional)

    def _bound_schema(
        self, input_schema: pa.Schema | None, arguments: Arguments, session: BindSessionBatches
    ) -> pa.Schema:
        """The declared result schema, or the one ``on_bind`` chooses for this call."""
        if self.on_bind is None:
            return self.output_schema
        secrets = SecretsAccessor(secrets_of(session.secrets), is_retry=True)
        params = AggregateBindParams(
            args=arguments,
            input_schema=input_schema,
            settings=settings_of(session.settings),
            secrets=secrets,
            argument_names=session.argument_names,
        )
        answer = self.on_bind(params)
        schema = getattr(answer, "output_schema", None)
        if not isinstance(schema, pa.Schema) or len(schema) != 1:
            raise FunctionDefinitionError(
                f"{self.function_class.__name__}.on_bind must return BindResponse(output_schema=<one-field "
                f"pa.Schema>); got {answer!r}"
            )
        return schema


@dataclass(frozen=True, slots=True)
class BindSessionBatches:
    """The session parts of an aggregate bind request, as ``on_bind`` may read them."""

    settings: pa.RecordBatch | None = None
    secrets: pa.RecordBatch | None = None
    argument_names: list[str | None] | None = None


class AggregateArgs(Args):
    """``params.args`` of aggregate callbacks: constants by name, plus the reference's ``positional``.

    Reference finalize code reads ``params.args.positional[0].as_py()``; the
    scalars are the ones the bind request carried, in call order.
    """

    def __init__(self, values: Mapping[str, Any], positional: Sequence[pa.Scalar[Any] | None]) -> None:
        super().__init__(values)
        object.__setattr__(self, "_positional", list(positional))

    @property
    def positional(self) -> list[pa.Scalar[Any] | None]:
        """The constant arguments as sent (scalars, call order)."""
        return list(self.__dict__["_positional"])

    def __iter__(self) -> Iterator[str]:
        return (name for name in self.__dict__ if name != "_positional")

    def as_dict(self) -> dict[str, Any]:
        """The values by name, as a plain dict."""
        return {k: v for k, v in self.__dict__.items() if k != "_positional"}


@dataclass(frozen=True, slots=True)
class BoundAggregate:
    """One bound aggregate call; everything update/combine/finalize need besides states."""

    definition: AggregateDefinition
    column_plan: ColumnPlan
    constants: dict[str, Any]
    output_schema: pa.Schema
    """The result schema of this call (declared, or chosen by ``on_bind``)."""
    positional: tuple[pa.Scalar[Any] | None, ...] = ()
    """The constant arguments as the bind request sent them."""

    @property
    def params(self) -> ProcessParams:
        """What the pack's callbacks receive as ``params``."""
        return ProcessParams(
            args=AggregateArgs(self.constants, self.positional), output_schema=self.output_schema
        )

    def update_arguments(self, batch: pa.RecordBatch) -> dict[str, Any]:
        """``update``'s keyword arguments for one batch whose column 0 is the group id."""
        kwargs = {
            spec.name: self.constants[spec.name]
            for spec in self.definition.constants
            if spec.name in self.constants
            and (spec.constraint is None or spec.constraint.phase in _UPDATE_PHASES)
        }
        variadic = variadic_name(self.definition.columns)
        kwargs.update(gather_columns(self.column_plan, variadic, lambda index: batch.column(index + 1)))
        return kwargs
