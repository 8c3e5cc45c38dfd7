"""The table-buffering kind: sink every input batch, combine, then stream the output.

The wire sequence (vgi.v2, as vgi-python 0.47.0's worker and client speak it):

1. ``bind`` with ``function_type=TABLE_BUFFERING`` and the input schema;
2. ``init`` with phase ``TABLE_BUFFERING`` (the sink init): the host mints
   the execution id and opens the call's storage scope in the shared state
   store, holding the init request; the stream carries no rows;
3. ``table_buffering_process`` (unary) per input batch, from any thread,
   process or replica: the call is rebuilt from the stored init request and
   the pack's ``process`` stores the batch in ``params.storage``;
4. ``table_buffering_combine`` (unary) once, with every state id;
5. ``init`` with phase ``TABLE_BUFFERING_FINALIZE`` per finalize id: a
   producer stream running the pack's ``finalize`` once per tick; its own
   state travels pickled inside vgi-rpc's authenticated token when the stream
   leaves the process (stateless transports), like a table function's;
6. ``table_buffering_destructor``: the storage scope is dropped.

Nothing about an execution lives only in one process: the init request and
everything the pack stores are in the state store
(:mod:`vgi_host.state.call_storage`); processes keep them only as caches.
"""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final

import pyarrow as pa
from vgi_rpc import CallContext, OutputCollector, ProducerState, Stream, StreamState, Transient

from vgi_host.errors import PACK_FAILURES, BindError, FunctionError, RoutingError
from vgi_host.kinds.function_info import common_fields
from vgi_host.kinds.spec import BoundCall, KindSpec, StreamSetup
from vgi_host.kinds.stream_support import rebind_from, storage_scopes_of
from vgi_host.kinds.table import EmptyProducerState
from vgi_host.protocol.aggregate import (
    TableBufferingCombineRequest,
    TableBufferingDestructorRequest,
    TableBufferingProcessRequest,
)
from vgi_host.protocol.enums import CatalogFunctionType, FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.sdk.context import OutputCollector as PackOutput
from vgi_host.sdk.table_buffering import (
    BoundBuffering,
    TableBufferingDefinition,
    TableBufferingFunction,
    TableBufferingParams,
    callback,
)
from vgi_host.state.signing import BlobRefusedError
from vgi_host.state.store import StateStoreError, UnknownExecutionError

if TYPE_CHECKING:
    from vgi_host.state.call_storage import StorageScopes

_BOUND_CACHE: Final = 64
log = logging.getLogger("vgi_host.calls")


def _projected(schema: pa.Schema, projection: list[int] | None) -> pa.Schema:
    """The output schema narrowed to the requested columns (all when none were requested)."""
    if projection is None:
        return schema
    return pa.schema([schema.field(i) for i in projection]).with_metadata(schema.metadata or {})


def make_params(
    call: BoundCall,
    init: InitRequest,
    execution_id: bytes,
    scopes: StorageScopes,
    *,
    projection: list[int] | None = None,
    client_log: Callable[..., None] | None = None,
    batch_index: int | None = None,
) -> TableBufferingParams[Any]:
    """The params every callback of one execution sees (rebuilt on whichever process runs it)."""
    bound: BoundBuffering = call.bound
    extra: dict[str, Any] = {"client_log": client_log} if client_log is not None else {}
    return TableBufferingParams(
        args=bound.args,
        output_schema=_projected(call.output_schema, projection),
        input_schema=bound.input_schema,
        execution_id=execution_id,
        storage=scopes.bound(execution_id),
        init_call=init,
        function_name=init.bind_call.function_name,
        attach_opaque_data=init.bind_call.attach_opaque_data,
        transaction_id=init.bind_call.transaction_opaque_data,
        batch_index=batch_index,
        **extra,
    )


@dataclass
class BufferingSourceState(ProducerState):
    """One output stream: ``finalize`` once per tick, until the pack calls ``out.finish()``."""

    qualified_name: str
    init_request: bytes = b""
    execution_id: bytes = b""
    finalize_state_id: bytes = b""
    projection: str = ""
    """JSON list of projected column indexes, or empty for all columns."""
    user_state: bytes = b""
    """The stream's own state, pickled only when this state object is serialised."""
    function: Annotated[type[TableBufferingFunction[Any, Any]] | None, Transient()] = field(default=None)
    params: Annotated[TableBufferingParams[Any] | None, Transient()] = field(default=None)
    state_value: Annotated[Any, Transient()] = field(default=None)

    def rehydrate(self, implementation: object) -> None:
        """Rebuild function, params and the stream's state on whichever process got this turn."""
        init = InitRequest.deserialize_from_bytes(self.init_request)
        call = rebind_from(implementation, init.bind_call.serialize_to_bytes())
        projection = json.loads(self.projection) if self.projection else None
        self.function = call.bound.definition.function_class
        self.params = make_params(
            call, init, self.execution_id, storage_scopes_of(implementation), projection=projection
        )
        self.state_value = pickle.loads(self.user_state) if self.user_state else None

    def _to_row_dict(self) -> dict[str, object]:
        """Pack the stream's state into ``user_state`` as the state leaves the process."""
        try:
            self.user_state = pickle.dumps(self.state_value) if self.state_value is not None else b""
        except Exception as exc:
            raise FunctionError(
                f"{self.qualified_name}: its finalize state ({type(self.state_value).__name__}) cannot be "
                f"pickled, so it cannot be served over a stateless transport: {exc}"
            ) from exc
        return super()._to_row_dict()

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Let the pack emit one batch or finish."""
        assert self.function is not None
        assert self.params is not None
        try:
            finalize = callback(self.function, "finalize")
            finalize(self.params, self.finalize_state_id, self.state_value, PackOutput(out))
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc

    def on_cancel(self, ctx: CallContext) -> None:
        """The client stopped reading early (a LIMIT): let the pack release what the stream holds.

        Best effort: the stream is already gone, so a failure is logged, never raised.
        """
        if self.function is None or self.params is None:
            return
        try:
            callback(self.function, "on_cancel")(self.params, self.finalize_state_id, self.state_value)
        except PACK_FAILURES:
            log.warning("%s: on_cancel raised; ignored", self.qualified_name, exc_info=True)


class TableBufferingKind(KindSpec):
    """Table functions that read all their input before producing output."""

    name = "table_buffering"
    label = "table-buffering"
    base = TableBufferingFunction
    stream_states: ClassVar[tuple[type[StreamState], ...]] = (BufferingSourceState,)

    def definition(self, function_class: Any) -> TableBufferingDefinition:
        """The class's cached definition."""
        return function_class.definition()  # type: ignore[no-any-return]

    def function_info(self, definition: TableBufferingDefinition, schema: str) -> FunctionInfo:
        """A ``TABLE_BUFFERING`` entry: output decided at bind, ordering flags, a source phase."""
        return FunctionInfo(
            function_type=CatalogFunctionType.TABLE_BUFFERING,
            output_schema=pa.schema([]),
            projection_pushdown=definition.metadata.projection_pushdown,
            has_finalize=True,
            source_order_dependent=definition.source_order_dependent,
            sink_order_dependent=definition.sink_order_dependent,
            requires_input_batch_index=definition.requires_input_batch_index,
            **common_fields(definition, schema),
        )

    def returns_sql(self, definition: TableBufferingDefinition) -> str:
        """Decided by ``on_bind`` for the input."""
        return "TABLE"

    def addressed_by(self, request: BindRequest) -> bool:
        """A ``TABLE_BUFFERING`` call."""
        return request.function_type is FunctionType.TABLE_BUFFERING

    def bind(
        self, definition: TableBufferingDefinition, request: BindRequest
    ) -> tuple[BoundBuffering, pa.Schema]:
        """Arguments checked; the output schema from ``on_bind``."""
        bound = definition.bind(request.input_schema, request.arguments.positional, request.arguments.named)
        return bound, bound.output_schema

    def open_stream(self, setup: StreamSetup) -> Stream[StreamState, GlobalInitResponse]:
        """The sink init (opens the call's storage) or one output stream."""
        call, request = setup.call, setup.request
        definition: TableBufferingDefinition = call.bound.definition
        if setup.storage is None:
            raise BindError(f"{call.qualified_name}: this host has no state store for buffering calls")
        scopes = setup.storage()
        if request.phase is TableInOutFunctionInitPhase.TABLE_BUFFERING:
            scopes.open_scope(setup.execution_id, request.serialize_to_bytes())
            sinks = 1 if definition.sink_order_dependent else max(setup.scalar_workers, 1)
            return Stream(call.output_schema, EmptyProducerState(), header=setup.header(sinks))
        if request.phase is not TableInOutFunctionInitPhase.TABLE_BUFFERING_FINALIZE:
            phase = request.phase.name if request.phase is not None else "none"
            raise BindError(
                f"{call.qualified_name}: a table-buffering function is opened with phase TABLE_BUFFERING "
                f"or TABLE_BUFFERING_FINALIZE, not {phase}"
            )
        if request.finalize_state_id is None or request.execution_id is None:
            raise BindError(
                f"{call.qualified_name}: TABLE_BUFFERING_FINALIZE needs execution_id and finalize_state_id"
            )
        projection = list(request.projection_ids) if request.projection_ids is not None else None
        params = make_params(call, request, setup.execution_id, scopes, projection=projection)
        fid = bytes(request.finalize_state_id)
        try:
            state = callback(definition.function_class, "initial_finalize_state")(fid, params)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(call.qualified_name, exc, "initial_finalize_state") from exc
        producer = BufferingSourceState(
            qualified_name=call.qualified_name,
            init_request=request.serialize_to_bytes(),
            execution_id=setup.execution_id,
            finalize_state_id=fid,
            projection=json.dumps(projection) if projection is not None else "",
            function=definition.function_class,
            params=params,
            state_value=state,
        )
        return Stream(params.output_schema, producer, header=setup.header(1))


SPEC = TableBufferingKind()


Rebinder = Callable[[BindRequest], BoundCall]
"""The router's ``bind``, as buffering calls see it."""


class BufferingCalls:
    """``table_buffering_process/combine/destructor``: the unary calls of every buffering execution.

    Each call names only its execution; the stored init request says which
    function, arguments and schemas (the client sends no schema path with
    these calls).  Bound calls are cached per execution, which is safe
    because the init request never changes.
    """

    def __init__(self, rebind: Rebinder, scopes: StorageScopes) -> None:
        self.rebind = rebind
        self.scopes = scopes
        self._lock = threading.Lock()
        self._calls: OrderedDict[bytes, tuple[BoundCall, InitRequest]] = OrderedDict()

    def _call(self, execution_id: bytes, function_name: str) -> tuple[BoundCall, InitRequest]:
        key = bytes(execution_id)
        with self._lock:
            cached = self._calls.get(key)
        if cached is not None:
            return cached
        try:
            init = InitRequest.deserialize_from_bytes(self.scopes.record(key))
        except UnknownExecutionError:
            raise RoutingError(
                f"{function_name}: unknown table-buffering execution {key.hex()} (its sink init never ran "
                f"here, or its destructor already did, or it expired)"
            ) from None
        except (BlobRefusedError, StateStoreError) as exc:
            raise FunctionError(f"{function_name}: {exc}") from exc
        call = self.rebind(init.bind_call)
        if not isinstance(call.bound, BoundBuffering):
            raise RoutingError(f"{call.qualified_name} is not a table-buffering function")
        with self._lock:
            self._calls[key] = (call, init)
            while len(self._calls) > _BOUND_CACHE:
                self._calls.popitem(last=False)
        return call, init

    def process(self, request: TableBufferingProcessRequest, client_log: Callable[..., None] | None) -> bytes:
        """Sink one batch; the pack's state id."""
        call, init = self._call(request.execution_id, request.function_name)
        definition: TableBufferingDefinition = call.bound.definition
        params = make_params(
            call,
            init,
            request.execution_id,
            self.scopes,
            client_log=client_log,
            batch_index=request.batch_index,
        )
        batch = request.input_batch
        try:
            state_id = callback(definition.function_class, "process")(batch, params)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(call.qualified_name, exc) from exc
        if not isinstance(state_id, bytes | bytearray):
            raise FunctionError(
                f"{call.qualified_name}: process() returned {type(state_id).__name__}; it must return bytes "
                f"(the state id)"
            )
        return bytes(state_id)

    def combine(
        self, request: TableBufferingCombineRequest, client_log: Callable[..., None] | None
    ) -> list[bytes]:
        """Every state id in; the finalize ids, one per output stream."""
        call, init = self._call(request.execution_id, request.function_name)
        definition: TableBufferingDefinition = call.bound.definition
        params = make_params(call, init, request.execution_id, self.scopes, client_log=client_log)
        try:
            answer = callback(definition.function_class, "combine")(list(request.state_ids), params)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(call.qualified_name, exc) from exc
        ids = list(answer)
        for index, fid in enumerate(ids):
            if not isinstance(fid, bytes | bytearray):
                raise FunctionError(
                    f"{call.qualified_name}: combine() returned {type(fid).__name__} at index {index}; "
                    f"finalize ids must be bytes"
                )
        return [bytes(fid) for fid in ids]

    def destroy(self, request: TableBufferingDestructorRequest) -> None:
        """Forget the execution and drop its storage."""
        key = bytes(request.execution_id)
        with self._lock:
            self._calls.pop(key, None)
        with contextlib.suppress(StateStoreError):  # else the store's TTL removes it
            self.scopes.drop(key)
