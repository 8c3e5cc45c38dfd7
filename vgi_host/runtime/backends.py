"""Invocation backends: what actually runs a routed call.

The service decides *which pack* owns a call (routing); a backend decides
*how* that pack's code runs.  Today every pack runs in this process
(:class:`InProcessBackend`); a pack in its own process or a mounted remote
worker becomes another backend, chosen per pack by the service, with no
change to routing or to the kinds.  Every backend call receives the
request and a :class:`~vgi_host.kinds.spec.CallContext`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa
from vgi_rpc import Stream, StreamState

from vgi_host.host.routing import Router
from vgi_host.kinds.finish_states import FinishStates
from vgi_host.kinds.spec import BoundCall, CallContext, StreamSetup
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateBindResponse,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
    TableBufferingCombineRequest,
    TableBufferingDestructorRequest,
    TableBufferingProcessRequest,
)
from vgi_host.protocol.invocation import (
    BindRequest,
    BindResponse,
    GlobalInitResponse,
    InitRequest,
    TableCardinality,
)

log = logging.getLogger("vgi_host.calls")

if TYPE_CHECKING:
    import pyarrow as pa

    from vgi_host.kinds.aggregate_calls import Aggregates
    from vgi_host.kinds.table_buffering import BufferingCalls
    from vgi_host.state.call_storage import StorageScopes
    from vgi_host.state.store import StateStore


class InvocationBackend(Protocol):
    """Runs the calls of the packs routed to it."""

    def bind(self, request: BindRequest, context: CallContext) -> BindResponse:
        """Bind a scalar, table or table-in-out call."""
        ...

    def init(self, request: InitRequest, context: CallContext) -> Stream[StreamState, GlobalInitResponse]:
        """Open the call's execution stream."""
        ...

    def cardinality(self, request: BindRequest, context: CallContext) -> TableCardinality:
        """The function's row-count estimate."""
        ...

    def aggregate_bind(self, request: AggregateBindRequest, context: CallContext) -> AggregateBindResponse:
        """Bind an aggregate and record it for every process."""
        ...

    def aggregate_update(self, request: AggregateUpdateRequest, context: CallContext) -> None:
        """Fold one batch into the shared states."""
        ...

    def aggregate_combine(self, request: AggregateCombineRequest, context: CallContext) -> None:
        """Merge groups."""
        ...

    def aggregate_finalize(self, request: AggregateFinalizeRequest, context: CallContext) -> pa.RecordBatch:
        """One result row per group id."""
        ...

    def aggregate_destroy(self, request: AggregateDestructorRequest, context: CallContext) -> None:
        """Forget the execution."""
        ...

    def buffering_process(
        self,
        request: TableBufferingProcessRequest,
        context: CallContext,
        client_log: Callable[..., None] | None,
    ) -> bytes:
        """Sink one batch of a table-buffering call; the pack's state id."""
        ...

    def buffering_combine(
        self,
        request: TableBufferingCombineRequest,
        context: CallContext,
        client_log: Callable[..., None] | None,
    ) -> list[bytes]:
        """Combine a table-buffering call's state ids into finalize ids."""
        ...

    def buffering_destroy(self, request: TableBufferingDestructorRequest, context: CallContext) -> None:
        """Drop a table-buffering call's storage."""
        ...


class InProcessBackend:
    """Runs pack code in this process (the pack is imported on its first call)."""

    def __init__(self, router: Router, store: Callable[[], StateStore], scalar_workers: int) -> None:
        self.router = router
        self._store = store
        self.scalar_workers = scalar_workers
        self.finish_states = FinishStates(store)
        self._aggregates: Aggregates | None = None
        self._scopes: StorageScopes | None = None
        self._buffering: BufferingCalls | None = None

    @property
    def aggregates(self) -> Aggregates:
        """The aggregate calls, created on the first one (most hosts never see an aggregate)."""
        if self._aggregates is None:
            from vgi_host.kinds.aggregate_calls import Aggregates

            self._aggregates = Aggregates(self.router.resolve, self._store())
        return self._aggregates

    def storage_scopes(self) -> StorageScopes:
        """The per-call storage on the shared state store, opened on first use."""
        if self._scopes is None:
            from vgi_host.state.call_storage import StorageScopes
            from vgi_host.state.config import signer_for

            store = self._store()
            self._scopes = StorageScopes(store, signer_for(store))
        return self._scopes

    @property
    def buffering(self) -> BufferingCalls:
        """The table-buffering unary calls, created on the first one."""
        if self._buffering is None:
            from vgi_host.kinds.table_buffering import BufferingCalls

            self._buffering = BufferingCalls(self.router.bind, self.storage_scopes())
        return self._buffering

    def rebind_call(self, bind_request: bytes) -> BoundCall:
        """Bind again from a serialised bind request (a stream state crossing a stateless transport)."""
        return self.router.bind(BindRequest.deserialize_from_bytes(bind_request))

    def bind(self, request: BindRequest, context: CallContext) -> BindResponse:
        """Resolve and bind; the answer is the full output schema."""
        call = self.router.bind(request)
        log.info("bind %s (%s)", call.qualified_name, call.spec.label)
        lookups = getattr(call.bound, "secret_lookups", ())
        if lookups:  # the client resolves these secrets and binds again
            return BindResponse(
                output_schema=pa.schema([]),
                lookup_secret_types=[entry.secret_type for entry in lookups],
                lookup_scopes=[entry.scope or "" for entry in lookups],
                lookup_names=[entry.secret_name or "" for entry in lookups],
            )
        return BindResponse(output_schema=call.output_schema)

    def init(self, request: InitRequest, context: CallContext) -> Stream[StreamState, GlobalInitResponse]:
        """Bind again (init may reach another process than bind did) and let the kind open its stream."""
        call = self.router.bind(request.bind_call)
        log.info("init %s (%s)", call.qualified_name, call.spec.label)
        setup = StreamSetup(
            call=call,
            request=request,
            execution_id=request.execution_id or uuid.uuid4().bytes,
            is_secondary=request.execution_id is not None,
            scalar_workers=self.scalar_workers,
            finish_states=self.finish_states,
            storage=self.storage_scopes,
        )
        return call.spec.open_stream(setup)

    def cardinality(self, request: BindRequest, context: CallContext) -> TableCardinality:
        """The function's own estimate, when its kind offers one."""
        call = self.router.bind(request)
        return TableCardinality(estimate=call.spec.cardinality(call.bound), max=None)

    def aggregate_bind(self, request: AggregateBindRequest, context: CallContext) -> AggregateBindResponse:
        """Bind and record the execution in the shared store."""
        return self.aggregates.bind(request)

    def aggregate_update(self, request: AggregateUpdateRequest, context: CallContext) -> None:
        """Fold one batch."""
        self.aggregates.update(request)

    def aggregate_combine(self, request: AggregateCombineRequest, context: CallContext) -> None:
        """Merge groups."""
        self.aggregates.combine(request)

    def aggregate_finalize(self, request: AggregateFinalizeRequest, context: CallContext) -> pa.RecordBatch:
        """One result row per group id."""
        return self.aggregates.finalize(request)

    def aggregate_destroy(self, request: AggregateDestructorRequest, context: CallContext) -> None:
        """Drop the execution's states."""
        self.aggregates.destroy(request)

    def buffering_process(
        self,
        request: TableBufferingProcessRequest,
        context: CallContext,
        client_log: Callable[..., None] | None,
    ) -> bytes:
        """Sink one batch."""
        return self.buffering.process(request, client_log)

    def buffering_combine(
        self,
        request: TableBufferingCombineRequest,
        context: CallContext,
        client_log: Callable[..., None] | None,
    ) -> list[bytes]:
        """Combine state ids into finalize ids."""
        return self.buffering.combine(request, client_log)

    def buffering_destroy(self, request: TableBufferingDestructorRequest, context: CallContext) -> None:
        """Drop the execution's storage."""
        self.buffering.destroy(request)
