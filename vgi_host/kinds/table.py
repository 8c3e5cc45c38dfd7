"""The table kind: ``SELECT * FROM pack.fn(args)``, run as a producer stream.

Each client tick calls the pack's ``process`` once, until it calls
``out.finish()``.  The stream state carries the bind request, the projection
and the execution id; the pack's own per-execution state travels as bytes
(pickled when the state leaves the process - only on stateless transports,
inside vgi-rpc's authenticated state token), so any HTTP replica can produce
the next batch.  On pipes the state object never leaves the process and
nothing is pickled.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import pyarrow as pa
from vgi_rpc import (
    AnnotatedBatch,
    CallContext,
    OutputCollector,
    ProducerState,
    Stream,
    StreamState,
    Transient,
)

from vgi_host.errors import PACK_FAILURES, BindError, FunctionError, describe_failure
from vgi_host.kinds.function_info import common_fields
from vgi_host.kinds.spec import KindSpec, StreamSetup
from vgi_host.kinds.stream_support import rebind_from, storage_scopes_of
from vgi_host.protocol.enums import CatalogFunctionType, FunctionType
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.sdk.context import OutputCollector as PackOutput
from vgi_host.sdk.context import ProcessParams
from vgi_host.sdk.session import binding_for, process_session, require_settings
from vgi_host.sdk.table import BoundTable, TableDefinition, TableFunctionGenerator
from vgi_host.sdk.table_decorators import InitParams
from vgi_host.sql_types import sql_type

if TYPE_CHECKING:
    from vgi_host.state.call_storage import CallStorage


@dataclass
class TableProducerState(ProducerState):
    """Runs ``process`` once per tick."""

    qualified_name: str
    bind_request: bytes = b""
    execution_id: bytes = b""
    projection: str = ""
    """JSON list of projected column indexes, or empty for all columns."""
    init_request: bytes = b""
    """The serialised init request, for ``params.init_call`` on whichever process serves a turn."""
    user_state: bytes = b""
    """The pack's state, pickled only when this state object is serialised."""
    function: Annotated[type[TableFunctionGenerator] | None, Transient()] = field(default=None)
    params: Annotated[ProcessParams | None, Transient()] = field(default=None)
    state_value: Annotated[Any, Transient()] = field(default=None)

    def rehydrate(self, implementation: object) -> None:
        """Rebuild function, params and the pack's state on whichever process got this turn."""
        rebound = rebind_from(implementation, self.bind_request)
        bound: BoundTable = rebound.bound
        projection = json.loads(self.projection) if self.projection else None
        self.function = bound.definition.function_class
        request = rebound.request
        self.params = ProcessParams(
            args=bound.args,
            output_schema=bound.projected(projection),
            execution_id=self.execution_id,
            init_call=InitRequest.deserialize_from_bytes(self.init_request) if self.init_request else None,
            **process_session(request.settings, request.secrets),
        )
        if bound.definition.uses_storage:
            self.params.storage = storage_scopes_of(implementation).bound(self.execution_id)
        self.state_value = pickle.loads(self.user_state) if self.user_state else None

    def _to_row_dict(self) -> dict[str, object]:
        """Pack the pack's state into ``user_state`` as the state leaves the process."""
        try:
            self.user_state = pickle.dumps(self.state_value) if self.state_value is not None else b""
        except Exception as exc:
            raise FunctionError(
                f"{self.qualified_name}: its state ({type(self.state_value).__name__}) cannot be pickled, "
                f"so it cannot be served over a stateless transport: {exc}"
            ) from exc
        return super()._to_row_dict()

    def process(self, input: AnnotatedBatch, out: OutputCollector, ctx: CallContext) -> None:
        """A tick may carry the validators of a result the client holds; then produce."""
        assert self.params is not None
        received = input.custom_metadata
        if received is not None:
            for key, attribute in (
                (b"vgi.cache.if_none_match", "if_none_match"),
                (b"vgi.cache.if_modified_since", "if_modified_since"),
            ):
                value = received.get(key)
                if value is not None:
                    setattr(self.params, attribute, value.decode("utf-8"))
        self.produce(out, ctx)

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Let the pack emit one batch or finish."""
        assert self.function is not None
        assert self.params is not None
        try:
            self.function.process(self.params, self.state_value, PackOutput(out))
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc


@dataclass
class EmptyProducerState(ProducerState):
    """Finishes at once: a secondary worker of a call that does not split its work."""

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Produce nothing, so every row is produced exactly once (by the primary)."""
        out.finish()


class TableKind(KindSpec):
    """Table functions that produce rows from their arguments alone."""

    name = "table"
    label = "table"
    base = TableFunctionGenerator
    stream_states: ClassVar[tuple[type[StreamState], ...]] = (TableProducerState, EmptyProducerState)

    def definition(self, function_class: Any) -> TableDefinition:
        """The class's cached definition."""
        return function_class.definition()  # type: ignore[no-any-return]

    def function_info(self, definition: TableDefinition, schema: str) -> FunctionInfo:
        """A table-function entry: the fixed schema (or empty: decided at bind), workers, projection."""
        return FunctionInfo(
            function_type=CatalogFunctionType.TABLE,
            output_schema=definition.catalog_schema,
            projection_pushdown=definition.metadata.projection_pushdown,
            max_workers=definition.max_workers,
            **common_fields(definition, schema, definition.catalog_schema),
        )

    def returns_sql(self, definition: TableDefinition) -> str:
        """``TABLE(col TYPE, ...)`` when the schema is fixed, else ``TABLE``."""
        if len(definition.catalog_schema):
            columns = ", ".join(f"{f.name} {sql_type(f.type)}" for f in definition.catalog_schema)
            return f"TABLE({columns})"
        return "TABLE"

    def addressed_by(self, request: BindRequest) -> bool:
        """A table call without an input table."""
        return request.function_type is FunctionType.TABLE and request.input_schema is None

    def bind(self, definition: TableDefinition, request: BindRequest) -> tuple[BoundTable, pa.Schema]:
        """Arguments checked; the output schema from ``FIXED_SCHEMA`` or ``on_bind``."""
        require_settings(definition.name, definition.metadata.required_settings, request.settings)
        with binding_for(request) as session:
            bound = definition.bind(request.arguments.positional, request.arguments.named)
        if session.secrets.needs_resolution:
            bound = dataclasses.replace(bound, secret_lookups=tuple(session.secrets.pending_lookups))
        return bound, bound.output_schema

    def cardinality(self, bound: BoundTable) -> int | None:
        """The function's own estimate."""
        return bound.definition.function_class.cardinality(bound.bind_params())

    def open_stream(self, setup: StreamSetup) -> Stream[StreamState, GlobalInitResponse]:
        """A producer; a secondary worker of a non-splitting call produces nothing."""
        call = setup.call
        bound: BoundTable = call.bound
        workers = bound.definition.max_workers
        projection = setup.request.projection_ids
        schema = bound.projected(projection)
        uses_storage = bound.definition.uses_storage
        if setup.is_secondary and workers == 1 and not uses_storage:
            return Stream(schema, EmptyProducerState(), header=setup.header(workers))
        session = process_session(setup.request.bind_call.settings, setup.request.bind_call.secrets)
        params = ProcessParams(
            args=bound.args,
            output_schema=schema,
            execution_id=setup.execution_id,
            init_call=setup.request,
            **session,
        )
        header = setup.header(workers)
        if uses_storage:
            params.storage, header = self._init_storage(setup, params, header)
        try:
            user_state = bound.definition.function_class.initial_state(params)
        except PACK_FAILURES as exc:
            raise BindError(f"{call.qualified_name}: initial_state failed: {describe_failure(exc)}") from exc
        producer = TableProducerState(
            qualified_name=call.qualified_name,
            bind_request=setup.request.bind_call.serialize_to_bytes(),
            execution_id=setup.execution_id,
            projection=json.dumps(list(projection)) if projection is not None else "",
            init_request=setup.request.serialize_to_bytes(),
            function=bound.definition.function_class,
            params=params,
            state_value=user_state,
        )
        return Stream(schema, producer, header=header)

    @staticmethod
    def _init_storage(
        setup: StreamSetup, params: ProcessParams, header: GlobalInitResponse
    ) -> tuple[CallStorage, GlobalInitResponse]:
        """Open the call's storage; on the first worker run ``on_init``, whose answer sets the workers.

        Further workers (``is_secondary``) join the storage the first one
        filled; they run no ``on_init``, as with the reference SDK.
        """
        call = setup.call
        if setup.storage is None:
            raise BindError(
                f"{call.qualified_name}: on_init needs the host's state store, which is not set up"
            )
        scopes = setup.storage()
        storage = scopes.bound(setup.execution_id)
        if setup.is_secondary:
            return storage, header
        scopes.open_scope(setup.execution_id, setup.request.serialize_to_bytes())
        init_params = InitParams(
            args=params.args,
            output_schema=params.output_schema,
            execution_id=setup.execution_id,
            settings=params.settings,
            init_call=setup.request,
            secrets=params.secrets,
            storage=storage,
        )
        try:
            answer = call.bound.definition.function_class.on_init(init_params)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(call.qualified_name, exc, "on_init") from exc
        if isinstance(answer, GlobalInitResponse):
            header = dataclasses.replace(
                header,
                max_workers=answer.max_workers,
                opaque_data=answer.opaque_data if answer.opaque_data is not None else header.opaque_data,
            )
        elif answer is not None:
            raise FunctionError(
                f"{call.qualified_name}: on_init must return a GlobalInitResponse or None; got {answer!r}"
            )
        return storage, header


SPEC = TableKind()
