"""The host's implementation of the `vgi.v2` protocol: the catalog, and routing calls to packs.

Every call names its function by ``schema_path`` (the pack) and
``function_name``.  The service answers catalog questions from
:class:`~vgi_host.host.catalog.HostCatalog` and hands each invocation, with a
per-call :class:`~vgi_host.kinds.spec.CallContext`, to the backend that runs
the owning pack (:mod:`vgi_host.runtime.backends`).  It holds no per-call
state: DuckDB may send ``bind`` to one pooled process and ``init`` to another.
"""

from __future__ import annotations

import functools
import logging
import operator
import os
from typing import TYPE_CHECKING

from vgi_rpc import Stream, StreamState

from vgi_host.errors import RoutingError
from vgi_host.host.catalog import HostCatalog
from vgi_host.host.registry import PackRegistry
from vgi_host.host.routing import Router
from vgi_host.kinds.registry import all_specs
from vgi_host.kinds.spec import BoundCall, CallContext
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateBindResponse,
    AggregateCombineRequest,
    AggregateCombineResponse,
    AggregateDestructorRequest,
    AggregateDestructorResponse,
    AggregateFinalizeRequest,
    AggregateFinalizeResponse,
    AggregateUpdateRequest,
    AggregateUpdateResponse,
    TableBufferingCombineRequest,
    TableBufferingCombineResponse,
    TableBufferingDestructorRequest,
    TableBufferingDestructorResponse,
    TableBufferingProcessRequest,
    TableBufferingProcessResponse,
)
from vgi_host.protocol.attach import CatalogAttachRequest, CatalogAttachResult
from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import SchemaObjectType
from vgi_host.protocol.invocation import (
    BindRequest,
    BindResponse,
    GlobalInitResponse,
    InitRequest,
    TableCardinality,
    TableFunctionCardinalityRequest,
    TableFunctionDynamicToStringRequest,
    TableFunctionDynamicToStringResponse,
    TableFunctionStatisticsRequest,
)
from vgi_host.protocol.listing import (
    CatalogsResponse,
    CatalogVersionResponse,
    CopyFromFormatsResponse,
    FunctionsResponse,
    IndexesResponse,
    MacrosResponse,
    SchemasResponse,
    TablesResponse,
    ViewsResponse,
)
from vgi_host.runtime.backends import InProcessBackend, InvocationBackend
from vgi_host.runtime.refusals import RefusingMethods

if TYPE_CHECKING:
    from vgi_rpc import CallContext as RpcContext

    from vgi_host.kinds.finish_states import FinishStates
    from vgi_host.state.call_storage import StorageScopes
    from vgi_host.state.store import StateStore

log = logging.getLogger("vgi_host.service")

SCALAR_MAX_WORKERS = os.cpu_count() or 1
"""Scalar batches are independent, so a client may fan out; one process per core is plenty."""


def _default_store() -> StateStore:
    from vgi_host.state.config import default_state

    return default_state()[0]


class HostService(RefusingMethods):
    """Serves the merged catalog and routes invocations to the owning pack's backend."""

    def __init__(
        self, registry: PackRegistry, store: StateStore | None = None, *, stateless_streams: bool = True
    ) -> None:
        """Serve ``registry``; ``stateless_streams=False`` for a transport that keeps its connection.

        Only vgi-rpc's stateless (HTTP) transport needs :func:`declare_stream_states`,
        which imports every kind and its SDK module; the pipe and socket
        transports skip it, so a kind is imported on its first call instead of
        before the first answer.
        """
        if stateless_streams:
            declare_stream_states()
        self.registry = registry
        self.catalog = HostCatalog(registry)
        self.router = Router(registry)
        opened: list[StateStore] = [store] if store is not None else []

        def shared_store() -> StateStore:
            """The state store, opened on first use (most host processes never need it)."""
            if not opened:
                opened.append(_default_store())
            return opened[0]

        self.in_process = InProcessBackend(self.router, shared_store, SCALAR_MAX_WORKERS)

    def backend_for(self, schema_path: list[str] | None, function_name: str) -> InvocationBackend:
        """The backend running the pack that owns the call (every pack runs in-process today)."""
        return self.in_process

    @staticmethod
    def _context(execution_id: bytes | None = None) -> CallContext:
        return CallContext(execution_id=execution_id)

    # ------------------------------------------------- stateless streams ----

    def rebind_call(self, bind_request: bytes) -> BoundCall:
        """Rebuild a bound call from its serialised bind request (stream states on stateless transports)."""
        return self.in_process.rebind_call(bind_request)

    @property
    def finish_states(self) -> FinishStates:
        """Where table-in-out instances wait for FINALIZE."""
        return self.in_process.finish_states

    @property
    def storage_scopes(self) -> StorageScopes:
        """The per-call storage of table-buffering functions (shared state store)."""
        return self.in_process.storage_scopes()

    # --------------------------------------------------------- invocation ----

    def bind(self, request: BindRequest) -> BindResponse:
        """Resolve the output schema, or fail with a message naming pack, function and argument."""
        backend = self.backend_for(request.schema_path, request.function_name)
        return backend.bind(request, self._context())

    def init(self, request: InitRequest) -> Stream[StreamState, GlobalInitResponse]:
        """Open the execution stream of the call's kind (primary, secondary or FINALIZE)."""
        call = request.bind_call
        backend = self.backend_for(call.schema_path, call.function_name)
        return backend.init(request, self._context(request.execution_id))

    def table_function_cardinality(self, request: TableFunctionCardinalityRequest) -> TableCardinality:
        """The function's own estimate, when it offers one."""
        call = request.bind_call
        return self.backend_for(call.schema_path, call.function_name).cardinality(call, self._context())

    def table_function_statistics(self, request: TableFunctionStatisticsRequest) -> bytes | None:
        """No column statistics are offered."""
        return None

    def table_function_dynamic_to_string(
        self, request: TableFunctionDynamicToStringRequest
    ) -> TableFunctionDynamicToStringResponse:
        """Nothing to add to EXPLAIN ANALYZE."""
        return TableFunctionDynamicToStringResponse(keys=[], values=[])

    # ---------------------------------------------------------- aggregates ----

    def aggregate_bind(self, request: AggregateBindRequest) -> AggregateBindResponse:
        """Bind an aggregate and record it where every host process can find it."""
        backend = self.backend_for(request.schema_path, request.function_name)
        return backend.aggregate_bind(request, self._context())

    def aggregate_update(self, request: AggregateUpdateRequest) -> AggregateUpdateResponse:
        """Fold one batch into the shared per-group states."""
        self.in_process.aggregate_update(request, self._context(request.execution_id))
        return AggregateUpdateResponse()

    def aggregate_combine(self, request: AggregateCombineRequest) -> AggregateCombineResponse:
        """Merge source groups into target groups."""
        self.in_process.aggregate_combine(request, self._context(request.execution_id))
        return AggregateCombineResponse()

    def aggregate_finalize(self, request: AggregateFinalizeRequest) -> AggregateFinalizeResponse:
        """One result row per requested group id."""
        batch = self.in_process.aggregate_finalize(request, self._context(request.execution_id))
        return AggregateFinalizeResponse(result_batch=batch)

    def aggregate_destructor(self, request: AggregateDestructorRequest) -> AggregateDestructorResponse:
        """Drop the execution's states; best effort, never raises."""
        try:
            self.in_process.aggregate_destroy(request, self._context(request.execution_id))
        except Exception:
            log.exception("aggregate_destructor failed; states will age out of the store")
        return AggregateDestructorResponse()

    # ---------------------------------------------------- table buffering ----

    def table_buffering_process(
        self, request: TableBufferingProcessRequest, ctx: RpcContext | None = None
    ) -> TableBufferingProcessResponse:
        """Sink one input batch of a buffering call; any process may receive any batch."""
        state_id = self.in_process.buffering_process(
            request, self._context(request.execution_id), ctx.client_log if ctx is not None else None
        )
        return TableBufferingProcessResponse(state_id=state_id)

    def table_buffering_combine(
        self, request: TableBufferingCombineRequest, ctx: RpcContext | None = None
    ) -> TableBufferingCombineResponse:
        """Every sink's state id in; one finalize id per output stream out."""
        ids = self.in_process.buffering_combine(
            request, self._context(request.execution_id), ctx.client_log if ctx is not None else None
        )
        return TableBufferingCombineResponse(finalize_state_ids=ids)

    def table_buffering_destructor(
        self, request: TableBufferingDestructorRequest
    ) -> TableBufferingDestructorResponse:
        """Drop the call's storage; best effort, never raises."""
        try:
            self.in_process.buffering_destroy(request, self._context(request.execution_id))
        except Exception:
            log.exception("table_buffering_destructor failed; the call's storage will age out of the store")
        return TableBufferingDestructorResponse()

    # ------------------------------------------------------------ catalog ----

    def catalog_catalogs(self) -> CatalogsResponse:
        """The merged catalog, then each pack's own (a Worker pack's, as its worker lists it)."""
        return CatalogsResponse.from_items(self.catalog.catalog_infos())

    def catalog_attach(self, request: CatalogAttachRequest) -> CatalogAttachResult:
        """Attach; the returned token is meaningful to every host process."""
        return self.catalog.attach_request(request)

    def catalog_detach(self, attach_opaque_data: bytes) -> None:
        """Nothing is held per attach, so there is nothing to release."""

    def catalog_version(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> CatalogVersionResponse:
        """A fingerprint of the served pack set."""
        return CatalogVersionResponse(version=self.catalog.version)

    def catalog_schemas(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> SchemasResponse:
        """``main`` plus one schema per loaded pack."""
        return SchemasResponse.from_items(self.catalog.schemas_of(attach_opaque_data))

    def catalog_schema_get(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> SchemasResponse:
        """Zero or one schema."""
        found = self.catalog.schema(path, attach_opaque_data)
        return SchemasResponse.from_items([found] if found is not None else [])

    def catalog_schema_contents_functions(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        type: SchemaObjectType,
        transaction_opaque_data: bytes | None = None,
    ) -> FunctionsResponse:
        """The functions of one kind in one pack's schema."""
        return FunctionsResponse.from_items(self.catalog.functions(path, type, attach_opaque_data))

    def catalog_schema_contents_tables(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> TablesResponse:
        """The tables of one schema (pack tables; ``vgi_packs``/``vgi_functions`` in ``main``)."""
        return TablesResponse.from_items(self.catalog.tables(path, attach=attach_opaque_data))

    def catalog_schema_contents_views(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> ViewsResponse:
        """The views of one schema."""
        return ViewsResponse.from_items(self.catalog.views(path, attach=attach_opaque_data))

    def catalog_schema_contents_macros(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        type: SchemaObjectType,
        transaction_opaque_data: bytes | None = None,
    ) -> MacrosResponse:
        """Packs define no macros."""
        return MacrosResponse.from_items([])

    def catalog_schema_contents_indexes(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> IndexesResponse:
        """Packs define no indexes."""
        return IndexesResponse.from_items([])

    def catalog_copy_from_formats(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> CopyFromFormatsResponse:
        """No custom COPY formats."""
        return CopyFromFormatsResponse.from_items([])

    def catalog_table_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        at_unit: str | None = None,
        at_value: str | None = None,
        transaction_opaque_data: bytes | None = None,
    ) -> TablesResponse:
        """Per-name probe: zero or one table."""
        return TablesResponse.from_items(self.catalog.tables(schema_path, name, attach_opaque_data))

    def catalog_table_scan_function_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        at_unit: str | None = None,
        at_value: str | None = None,
        transaction_opaque_data: bytes | None = None,
    ) -> bytes:
        """The table function that produces a table's rows (also inlined in its TableInfo)."""
        scan = self.catalog.scan_function(schema_path, name, attach_opaque_data)
        if scan is None:
            raise RoutingError(f"no table {'.'.join([*schema_path, name])!r}")
        return scan

    def catalog_view_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> ViewsResponse:
        """Per-name probe: zero or one view."""
        return ViewsResponse.from_items(self.catalog.views(schema_path, name, attach_opaque_data))

    def catalog_macro_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> MacrosResponse:
        """Per-name probe: no such macro (zero items)."""
        return MacrosResponse.from_items([])

    def catalog_index_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> IndexesResponse:
        """Per-name probe: no such index (zero items)."""
        return IndexesResponse.from_items([])


@functools.cache
def declare_stream_states() -> None:
    """Name every kind's stream states in ``init``'s return annotation, in registry order (once).

    vgi-rpc's stateless (HTTP) transport reads that annotation when its app is
    made, to know which concrete state classes a token may hold, and tags each
    token with the class's position in the union: the order must be the same
    on every replica, which the fixed order of the kind registry guarantees.
    The annotation dict is changed in place, so wrappers that share it
    (:func:`~vgi_host.runtime.containment.contained`) see the union too.
    """
    states = [state for kind in all_specs() for state in kind.stream_states]
    union = functools.reduce(operator.or_, states)
    HostService.init.__annotations__["return"] = Stream[union, GlobalInitResponse]  # type: ignore[valid-type]
