"""``bind`` and ``init`` for scalar, table and table-in-out functions.

Routing: the call names its pack by ``schema_path`` and its function by
``function_name``; the definition's kind must match the kind of call
(``function_type``, plus whether an input table is present).  Nothing is kept
between ``bind`` and ``init``: ``init`` carries the bind request and binds again,
because the two may reach different processes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyarrow as pa
from vgi_rpc import ProducerState, Stream, StreamState

from vgi_host.packs.records import PackRecord
from vgi_host.packs.registry import PackRegistry, RoutingError
from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.runtime.scalar_stream import ScalarExchangeState
from vgi_host.runtime.table_streams import (
    PENDING_FINALIZE,
    EmptyProducerState,
    FinalizeProducerState,
    TableInOutExchangeState,
    TableProducerState,
)
from vgi_host.sdk.context import ProcessParams
from vgi_host.sdk.errors import BindError
from vgi_host.sdk.failures import PACK_FAILURES, describe_failure
from vgi_host.sdk.kinds import FunctionDefinition
from vgi_host.sdk.scalar import BoundScalar, ScalarDefinition
from vgi_host.sdk.table import BoundTable, TableDefinition
from vgi_host.sdk.table_in_out import BoundTableInOut, TableInOutDefinition

EMPTY_SCHEMA = pa.schema([])


def resolve(
    registry: PackRegistry, function_name: str, schema_path: SchemaPath | None
) -> tuple[str, FunctionDefinition]:
    """``(qualified name, definition)``: the pack named by the path, or the unique owner of the name."""
    record: PackRecord
    if schema_path:
        record, definition = registry.find(schema_path[-1], function_name)
        return f"{record.name}.{definition.name}", definition
    owners = [r for r in registry.loaded if r.entry(function_name) is not None]
    if len(owners) > 1:
        names = ", ".join(f"{r.name}.{function_name}" for r in owners)
        raise RoutingError(f"function {function_name!r} is defined by several packs; qualify it: {names}")
    if not owners:
        raise RoutingError(f"no pack defines a function named {function_name!r}")
    record, owned = registry.find(owners[0].name, function_name)
    return f"{record.name}.{owned.name}", owned


Bound = BoundScalar | BoundTable | BoundTableInOut


@dataclass(frozen=True, slots=True)
class BoundCall:
    """A resolved and bound invocation."""

    qualified_name: str
    bound: Bound

    @property
    def output_schema(self) -> pa.Schema:
        """The full (unprojected) output schema the bind answers."""
        return self.bound.output_schema


def _kind_of_call(request: BindRequest) -> str:
    if request.function_type is FunctionType.SCALAR:
        return "scalar"
    if request.function_type is FunctionType.TABLE:
        return "table" if request.input_schema is None else "table_in_out"
    return request.function_type.name.lower()


def bind_call(registry: PackRegistry, request: BindRequest) -> BoundCall:
    """Resolve and bind; every error names the pack and function."""
    qualified, definition = resolve(registry, request.function_name, request.schema_path)
    wanted = _kind_of_call(request)
    kind = definition.function_class.KIND
    if kind != wanted:
        label = {"table_in_out": "table-in-out"}.get
        raise BindError(
            f"{qualified} is a {label(kind, kind)} function; "
            f"it cannot be called as a {label(wanted, wanted)} function"
        )
    positional, named = request.arguments.positional, request.arguments.named
    try:
        if isinstance(definition, ScalarDefinition):
            bound: Bound = definition.bind(request.input_schema, positional, named)
        elif isinstance(definition, TableDefinition):
            bound = definition.bind(positional, named)
        elif isinstance(definition, TableInOutDefinition):
            bound = definition.bind(request.input_schema, positional, named)
        else:  # aggregates bind through aggregate_bind
            raise BindError("aggregate functions are bound with aggregate_bind")
    except BindError as exc:
        raise BindError(f"{qualified}: {exc}") from exc
    return BoundCall(qualified, bound)


def open_stream(
    registry: PackRegistry, request: InitRequest, scalar_workers: int
) -> Stream[StreamState, GlobalInitResponse]:
    """The execution stream for one ``init``: primary, secondary or FINALIZE."""
    call = bind_call(registry, request.bind_call)
    bound = call.bound
    execution_id = request.execution_id or uuid.uuid4().bytes
    is_secondary = request.execution_id is not None

    def header(max_workers: int) -> GlobalInitResponse:
        return GlobalInitResponse(
            execution_id=execution_id, opaque_data=request.init_opaque_data, max_workers=max_workers
        )

    if isinstance(bound, BoundScalar):
        scalar = ScalarExchangeState(
            qualified_name=call.qualified_name,
            bind_request=request.bind_call.serialize_to_bytes(),
            bound=bound,
        )
        input_schema = request.bind_call.input_schema or EMPTY_SCHEMA
        return Stream(bound.output_schema, scalar, input_schema=input_schema, header=header(scalar_workers))

    if isinstance(bound, BoundTable):
        workers = bound.definition.max_workers
        schema = bound.projected(request.projection_ids)
        if is_secondary and workers == 1:
            return Stream(schema, EmptyProducerState(), header=header(workers))
        params = ProcessParams(args=bound.args, output_schema=schema, execution_id=execution_id)
        try:
            user_state = bound.definition.function_class.initial_state(params)
        except PACK_FAILURES as exc:
            raise BindError(f"{call.qualified_name}: initial_state failed: {describe_failure(exc)}") from exc
        producer: ProducerState = TableProducerState(
            qualified_name=call.qualified_name,
            function=bound.definition.function_class,
            params=params,
            user_state=user_state,
        )
        return Stream(schema, producer, header=header(workers))

    workers = bound.definition.max_workers
    if request.phase is TableInOutFunctionInitPhase.FINALIZE:
        instance = PENDING_FINALIZE.take(execution_id)
        if instance is None:
            if not bound.definition.has_finalize:
                return Stream(bound.output_schema, EmptyProducerState(), header=header(workers))
            raise RoutingError(
                f"{call.qualified_name}: no input was received for this execution in this process; "
                f"FINALIZE must reach the process that received the input"
            )
        finalize = FinalizeProducerState.of(call.qualified_name, instance)
        return Stream(bound.output_schema, finalize, header=header(workers))
    instance = bound.instantiate(execution_id)
    if bound.definition.has_finalize and not is_secondary:
        PENDING_FINALIZE.park(execution_id, instance)
    exchange = TableInOutExchangeState(qualified_name=call.qualified_name, instance=instance)
    return Stream(bound.output_schema, exchange, input_schema=bound.input_schema, header=header(workers))
