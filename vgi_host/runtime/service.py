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
import uuid

import pyarrow as pa
from vgi_rpc import Stream

from vgi_host.catalog.host_catalog import HostCatalog
from vgi_host.packs.records import PackRecord
from vgi_host.packs.registry import PackRegistry, RoutingError
from vgi_host.protocol.attach import CatalogAttachRequest, CatalogAttachResult
from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import FunctionType, SchemaObjectType
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
from vgi_host.runtime.refusals import RefusingMethods
from vgi_host.runtime.scalar_stream import ScalarExchangeState
from vgi_host.sdk.errors import BindError
from vgi_host.sdk.scalar import BoundScalar

log = logging.getLogger("vgi_host.service")

SCALAR_MAX_WORKERS = os.cpu_count() or 1
"""Scalar batches are independent, so a client may fan out; one process per core is plenty."""


class HostService(RefusingMethods):
    """Serves the merged catalog and routes invocations to the owning pack."""

    def __init__(self, registry: PackRegistry) -> None:
        self.registry = registry
        self.catalog = HostCatalog(registry)

    # ------------------------------------------------------------ routing ----

    def _resolve(self, function_name: str, schema_path: SchemaPath | None) -> PackRecord:
        """The pack that owns ``function_name``: named by the path, or unique across packs."""
        if schema_path:
            record, _ = self.registry.find(schema_path[-1], function_name)
            return record
        owners = [r for r in self.registry.loaded if r.function(function_name) is not None]
        if len(owners) == 1:
            return owners[0]
        if owners:
            names = ", ".join(f"{r.name}.{function_name}" for r in owners)
            raise RoutingError(f"function {function_name!r} is defined by several packs; qualify it: {names}")
        raise RoutingError(f"no pack defines a function named {function_name!r}")

    def _bind_scalar(self, request: BindRequest) -> tuple[str, BoundScalar]:
        record = self._resolve(request.function_name, request.schema_path)
        definition = record.function(request.function_name)
        assert definition is not None
        qualified = f"{record.name}.{definition.name}"
        if request.function_type is not FunctionType.SCALAR:
            raise BindError(
                f"{qualified} is a scalar function; it cannot be called as a "
                f"{request.function_type.name.lower()} function"
            )
        arguments = request.arguments
        try:
            bound = definition.bind(request.input_schema, arguments.positional, arguments.named)
        except BindError as exc:
            raise BindError(f"{qualified}: {exc}") from exc
        log.debug("bound %s -> %s", qualified, bound.output_schema.field(0).type)
        return qualified, bound

    def rebind_scalar(self, bind_request: bytes) -> BoundScalar:
        """Rebuild a bound scalar from its serialised bind request (stateless transports)."""
        return self._bind_scalar(BindRequest.deserialize_from_bytes(bind_request))[1]

    # --------------------------------------------------------- invocation ----

    def bind(self, request: BindRequest) -> BindResponse:
        """Resolve the output schema, or fail with a message naming pack, function and argument."""
        _, bound = self._bind_scalar(request)
        return BindResponse(output_schema=bound.output_schema)

    def init(self, request: InitRequest) -> Stream[ScalarExchangeState, GlobalInitResponse]:
        """Open the per-batch exchange stream for a scalar call (primary or secondary alike)."""
        bind_call = request.bind_call
        if request.phase is not None:
            raise BindError(
                f"{bind_call.function_name}: init phase {request.phase.name} is not for scalar functions"
            )
        qualified, bound = self._bind_scalar(bind_call)
        state = ScalarExchangeState(
            qualified_name=qualified, bind_request=bind_call.serialize_to_bytes(), bound=bound
        )
        header = GlobalInitResponse(
            execution_id=request.execution_id or uuid.uuid4().bytes,
            opaque_data=request.init_opaque_data,
            max_workers=SCALAR_MAX_WORKERS,
        )
        return Stream(
            output_schema=bound.output_schema,
            state=state,
            input_schema=bind_call.input_schema if bind_call.input_schema is not None else pa.schema([]),
            header=header,
        )

    def table_function_cardinality(self, request: TableFunctionCardinalityRequest) -> TableCardinality:
        """No estimate: the host serves no table functions yet."""
        return TableCardinality(estimate=None, max=None)

    def table_function_statistics(self, request: TableFunctionStatisticsRequest) -> bytes | None:
        """No statistics available."""
        return None

    def table_function_dynamic_to_string(
        self, request: TableFunctionDynamicToStringRequest
    ) -> TableFunctionDynamicToStringResponse:
        """Nothing to add to EXPLAIN ANALYZE."""
        return TableFunctionDynamicToStringResponse(keys=[], values=[])

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
        """No tables yet."""
        return TablesResponse.from_items([])

    def catalog_schema_contents_views(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> ViewsResponse:
        """No views yet."""
        return ViewsResponse.from_items([])

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
        """Per-name probe: no such table (zero items)."""
        return TablesResponse.from_items([])

    def catalog_view_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> ViewsResponse:
        """Per-name probe: no such view (zero items)."""
        return ViewsResponse.from_items([])

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
