"""The host's implementation of the `vgi.v2` protocol: routing calls to packs.

Every call names its function by ``schema_path`` (the pack) and
``function_name``; this class resolves that against the registry, lets the SDK
bind it, and answers catalog questions from :class:`HostCatalog`.  It holds no
per-call state: DuckDB may send ``bind`` to one pooled process and ``init`` to
another, so ``init`` binds again from the request it carries.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from vgi_rpc import Stream, StreamState

from vgi_host.catalog.host_catalog import HostCatalog
from vgi_host.packs.registry import PackRegistry, RoutingError
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
from vgi_host.runtime.invocation import bind_call, open_stream
from vgi_host.runtime.refusals import RefusingMethods
from vgi_host.sdk.scalar import BoundScalar
from vgi_host.sdk.table import BoundTable

if TYPE_CHECKING:
    from vgi_host.runtime.aggregates import Aggregates
    from vgi_host.state.store import StateStore

log = logging.getLogger("vgi_host.service")

SCALAR_MAX_WORKERS = os.cpu_count() or 1
"""Scalar batches are independent, so a client may fan out; one process per core is plenty."""


class HostService(RefusingMethods):
    """Serves the merged catalog and routes invocations to the owning pack."""

    def __init__(self, registry: PackRegistry, store: StateStore | None = None) -> None:
        self._store = store
        self.registry = registry
        self.catalog = HostCatalog(registry)
        self._aggregates: Aggregates | None = None

    @property
    def aggregates(self) -> Aggregates:
        """The aggregate half, created on the first aggregate call.

        Most host processes never see an aggregate; they skip importing the
        state store (SQLite) and the state codec.
        """
        if self._aggregates is None:
            from vgi_host.runtime.aggregates import Aggregates
            from vgi_host.state.config import default_state

            store, signer = default_state() if self._store is None else (self._store, None)
            self._aggregates = Aggregates(self.registry, store, signer)
        return self._aggregates

    # --------------------------------------------------------- invocation ----

    def rebind_scalar(self, bind_request: bytes) -> BoundScalar:
        """Rebuild a bound scalar from its serialised bind request (stateless transports)."""
        bound = bind_call(self.registry, BindRequest.deserialize_from_bytes(bind_request)).bound
        assert isinstance(bound, BoundScalar)
        return bound

    def bind(self, request: BindRequest) -> BindResponse:
        """Resolve the output schema, or fail with a message naming pack, function and argument."""
        return BindResponse(output_schema=bind_call(self.registry, request).output_schema)

    def init(self, request: InitRequest) -> Stream[StreamState, GlobalInitResponse]:
        """Open the execution stream: scalar exchange, table producer, table-in-out input or finalize."""
        return open_stream(self.registry, request, SCALAR_MAX_WORKERS)

    def table_function_cardinality(self, request: TableFunctionCardinalityRequest) -> TableCardinality:
        """The function's own estimate, when it offers one."""
        call = bind_call(self.registry, request.bind_call)
        if not isinstance(call.bound, BoundTable):
            return TableCardinality(estimate=None, max=None)
        estimate = call.bound.definition.function_class.cardinality(call.bound.bind_params())
        return TableCardinality(estimate=estimate, max=None)

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
        return self.aggregates.bind(request)

    def aggregate_update(self, request: AggregateUpdateRequest) -> AggregateUpdateResponse:
        """Fold one batch into the shared per-group states."""
        self.aggregates.update(request)
        return AggregateUpdateResponse()

    def aggregate_combine(self, request: AggregateCombineRequest) -> AggregateCombineResponse:
        """Merge source groups into target groups."""
        self.aggregates.combine(request)
        return AggregateCombineResponse()

    def aggregate_finalize(self, request: AggregateFinalizeRequest) -> AggregateFinalizeResponse:
        """One result row per requested group id."""
        return AggregateFinalizeResponse(result_batch=self.aggregates.finalize(request))

    def aggregate_destructor(self, request: AggregateDestructorRequest) -> AggregateDestructorResponse:
        """Drop the execution's states; best effort, never raises."""
        try:
            self.aggregates.destroy(request)
        except Exception:
            log.exception("aggregate_destructor failed; states will age out of the store")
        return AggregateDestructorResponse()

    # ------------------------------------------------------------ catalog ----

    def catalog_catalogs(self) -> CatalogsResponse:
        """The single merged catalog."""
        return CatalogsResponse.from_items([self.catalog.catalog_info()])

    def catalog_attach(self, request: CatalogAttachRequest) -> CatalogAttachResult:
        """Attach; the returned token is meaningful to every host process."""
        return self.catalog.attach(request.name)

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
        return SchemasResponse.from_items(self.catalog.schemas)

    def catalog_schema_get(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> SchemasResponse:
        """Zero or one schema."""
        found = self.catalog.schema(path)
        return SchemasResponse.from_items([found] if found is not None else [])

    def catalog_schema_contents_functions(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        type: SchemaObjectType,
        transaction_opaque_data: bytes | None = None,
    ) -> FunctionsResponse:
        """The functions of one kind in one pack's schema."""
        return FunctionsResponse.from_items(self.catalog.functions(path, type))

    def catalog_schema_contents_tables(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> TablesResponse:
        """The tables of one schema (pack tables; ``vgi_packs``/``vgi_functions`` in ``main``)."""
        return TablesResponse.from_items(self.catalog.tables(path))

    def catalog_schema_contents_views(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> ViewsResponse:
        """The views of one schema."""
        return ViewsResponse.from_items(self.catalog.views(path))

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
        return TablesResponse.from_items(self.catalog.tables(schema_path, name))

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
        scan = self.catalog.scan_function(schema_path, name)
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
        return ViewsResponse.from_items(self.catalog.views(schema_path, name))

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
