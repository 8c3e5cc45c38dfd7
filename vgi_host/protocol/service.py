"""The ``vgi.v2`` 2.2.0 service declaration that vgi-rpc serves.

vgi-rpc derives the whole wire contract from this class: one Arrow column per
parameter (named after it, nullable when the annotation allows None, defaults
filled in by clients), one ``result`` column per unary return, and the
``init`` stream header.  Names, parameter names, annotations and defaults
therefore have to match the reference protocol exactly — the parity test
compares ``vgi_rpc.rpc_methods`` of both, method by method.

``protocol_name`` is the routing key every request must carry and
``protocol_version`` is gated on MAJOR.MINOR; vgi-rpc reads both with
``vars()``, so a subclass has to redeclare them.

No ``from __future__ import annotations`` here, on purpose: vgi-rpc resolves
all 72 methods' annotations when a server is built, before the first request,
and string annotations would each be compiled by ``typing.get_type_hints``
there (about 4 ms of every start); evaluated once at import they cost less.
"""

from typing import ClassVar, Protocol

from vgi_rpc.rpc import Stream, StreamState

from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateBindResponse,
    AggregateCombineRequest,
    AggregateCombineResponse,
    AggregateDestructorRequest,
    AggregateDestructorResponse,
    AggregateFinalizeRequest,
    AggregateFinalizeResponse,
    AggregateStreamingChunkRequest,
    AggregateStreamingChunkResponse,
    AggregateStreamingCloseRequest,
    AggregateStreamingCloseResponse,
    AggregateStreamingOpenRequest,
    AggregateStreamingOpenResponse,
    AggregateUpdateRequest,
    AggregateUpdateResponse,
    AggregateWindowBatchRequest,
    AggregateWindowBatchResponse,
    AggregateWindowDestructorRequest,
    AggregateWindowDestructorResponse,
    AggregateWindowInitRequest,
    AggregateWindowInitResponse,
    AggregateWindowRequest,
    AggregateWindowResponse,
    TableBufferingCombineRequest,
    TableBufferingCombineResponse,
    TableBufferingDestructorRequest,
    TableBufferingDestructorResponse,
    TableBufferingProcessRequest,
    TableBufferingProcessResponse,
)
from vgi_host.protocol.attach import CatalogAttachRequest, CatalogAttachResult
from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.ddl import (
    CatalogCreateRequest,
    IndexCreateRequest,
    MacroCreateRequest,
    TableCreateRequest,
    TransactionBeginResponse,
)
from vgi_host.protocol.enums import OnConflict, SchemaObjectType
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
    CatalogContentsResponse,
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
from vgi_host.protocol.planning import PlanResponse, TableFunctionPlanRequest

__all__ = ["PROTOCOL_NAME", "PROTOCOL_VERSION", "VgiProtocol"]

PROTOCOL_NAME = "vgi.v2"
PROTOCOL_VERSION = "2.2.0"


class VgiProtocol(Protocol):
    """All 72 methods of ``vgi.v2``; vgi-host implements a read-only subset for real."""

    protocol_name: ClassVar[str] = PROTOCOL_NAME
    protocol_version: ClassVar[str] = PROTOCOL_VERSION

    # ------------------------------------------------------ invocation ----

    def bind(self, request: BindRequest) -> BindResponse:
        """Resolve a call's output schema from its arguments and input schema."""
        ...

    def init(self, request: InitRequest) -> Stream[StreamState, GlobalInitResponse]:
        """Open the data stream of a bound call (the only streaming method)."""
        ...

    def table_function_plan(self, request: TableFunctionPlanRequest) -> PlanResponse:
        """Split a table-function scan into independently redeemable units."""
        ...

    def table_function_cardinality(self, request: TableFunctionCardinalityRequest) -> TableCardinality:
        """Estimate how many rows a bound table function yields."""
        ...

    def table_function_statistics(self, request: TableFunctionStatisticsRequest) -> bytes | None:
        """Return per-column min/max statistics as an IPC batch, or None."""
        ...

    def table_function_dynamic_to_string(
        self, request: TableFunctionDynamicToStringRequest
    ) -> TableFunctionDynamicToStringResponse:
        """Describe a finished execution for EXPLAIN ANALYZE."""
        ...

    # ------------------------------------------------------- aggregates ----

    def aggregate_bind(self, request: AggregateBindRequest) -> AggregateBindResponse:
        """Bind an aggregate and mint the id of its state."""
        ...

    def aggregate_update(self, request: AggregateUpdateRequest) -> AggregateUpdateResponse:
        """Fold input rows into per-group state."""
        ...

    def aggregate_combine(self, request: AggregateCombineRequest) -> AggregateCombineResponse:
        """Merge group states pairwise."""
        ...

    def aggregate_finalize(self, request: AggregateFinalizeRequest) -> AggregateFinalizeResponse:
        """Produce the results of some groups."""
        ...

    def aggregate_destructor(self, request: AggregateDestructorRequest) -> AggregateDestructorResponse:
        """Forget all state of an execution."""
        ...

    def aggregate_window_init(self, request: AggregateWindowInitRequest) -> AggregateWindowInitResponse:
        """Receive a window partition."""
        ...

    def aggregate_window(self, request: AggregateWindowRequest) -> AggregateWindowResponse:
        """Evaluate one window output row."""
        ...

    def aggregate_window_batch(self, request: AggregateWindowBatchRequest) -> AggregateWindowBatchResponse:
        """Evaluate several window output rows."""
        ...

    def aggregate_window_destructor(
        self, request: AggregateWindowDestructorRequest
    ) -> AggregateWindowDestructorResponse:
        """Drop a window partition."""
        ...

    def aggregate_streaming_open(
        self, request: AggregateStreamingOpenRequest
    ) -> AggregateStreamingOpenResponse:
        """Start a streaming-partitioned aggregate session."""
        ...

    def aggregate_streaming_chunk(
        self, request: AggregateStreamingChunkRequest
    ) -> AggregateStreamingChunkResponse:
        """Feed one chunk to a streaming session."""
        ...

    def aggregate_streaming_close(
        self, request: AggregateStreamingCloseRequest
    ) -> AggregateStreamingCloseResponse:
        """End a streaming session."""
        ...

    # -------------------------------------------------- table buffering ----

    def table_buffering_process(self, request: TableBufferingProcessRequest) -> TableBufferingProcessResponse:
        """Sink one input batch of a buffering table function."""
        ...

    def table_buffering_combine(self, request: TableBufferingCombineRequest) -> TableBufferingCombineResponse:
        """Signal end of input; answer the finalize partitions."""
        ...

    def table_buffering_destructor(
        self, request: TableBufferingDestructorRequest
    ) -> TableBufferingDestructorResponse:
        """Clean up after a buffering execution."""
        ...

    # ------------------------------------------------- catalog lifecycle ----

    def catalog_catalogs(self) -> CatalogsResponse:
        """List the catalogs that can be attached."""
        ...

    def catalog_attach(self, request: CatalogAttachRequest) -> CatalogAttachResult:
        """Attach a catalog."""
        ...

    def catalog_detach(self, attach_opaque_data: bytes) -> None:
        """Detach a catalog."""
        ...

    def catalog_create(self, request: CatalogCreateRequest) -> None:
        """Create a catalog."""
        ...

    def catalog_drop(self, name: str) -> None:
        """Drop a catalog."""
        ...

    def catalog_version(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> CatalogVersionResponse:
        """Report the catalog version that clients key their caches on."""
        ...

    def catalog_transaction_begin(self, attach_opaque_data: bytes) -> TransactionBeginResponse:
        """Begin a catalog transaction."""
        ...

    def catalog_transaction_commit(self, attach_opaque_data: bytes, transaction_opaque_data: bytes) -> None:
        """Commit a catalog transaction."""
        ...

    def catalog_transaction_rollback(self, attach_opaque_data: bytes, transaction_opaque_data: bytes) -> None:
        """Roll back a catalog transaction."""
        ...

    # --------------------------------------------------------- schemas ----

    def catalog_schemas(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> SchemasResponse:
        """List the schemas of the attached catalog."""
        ...

    def catalog_schema_get(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> SchemasResponse:
        """Look up one schema (zero or one item)."""
        ...

    def catalog_schema_create(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        on_conflict: OnConflict = OnConflict.ERROR,
        comment: str | None = None,
        tags: dict[str, str] | None = None,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Create a schema."""
        ...

    def catalog_schema_drop(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        ignore_not_found: bool = False,
        cascade: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a schema."""
        ...

    def catalog_schema_contents_tables(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> TablesResponse:
        """List the tables of a schema."""
        ...

    def catalog_schema_contents_views(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> ViewsResponse:
        """List the views of a schema."""
        ...

    def catalog_schema_contents_functions(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        type: SchemaObjectType,
        transaction_opaque_data: bytes | None = None,
    ) -> FunctionsResponse:
        """List the functions of one kind in a schema."""
        ...

    def catalog_schema_contents_macros(
        self,
        attach_opaque_data: bytes,
        path: SchemaPath,
        type: SchemaObjectType,
        transaction_opaque_data: bytes | None = None,
    ) -> MacrosResponse:
        """List the macros of one kind in a schema."""
        ...

    def catalog_schema_contents_indexes(
        self, attach_opaque_data: bytes, path: SchemaPath, transaction_opaque_data: bytes | None = None
    ) -> IndexesResponse:
        """List the indexes of a schema."""
        ...

    def catalog_contents(
        self, attach_opaque_data: bytes, if_none_match: str | None = None
    ) -> CatalogContentsResponse:
        """Return the whole catalog at once (only when advertised at attach)."""
        ...

    def catalog_copy_from_formats(
        self, attach_opaque_data: bytes, transaction_opaque_data: bytes | None = None
    ) -> CopyFromFormatsResponse:
        """List custom COPY formats."""
        ...

    # ---------------------------------------------------------- tables ----

    def catalog_table_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        at_unit: str | None = None,
        at_value: str | None = None,
        transaction_opaque_data: bytes | None = None,
    ) -> TablesResponse:
        """Look up one table (zero or one item)."""
        ...

    def catalog_table_create(self, request: TableCreateRequest) -> None:
        """Create a table."""
        ...

    def catalog_table_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        ignore_not_found: bool = False,
        cascade: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a table."""
        ...

    def catalog_table_scan_function_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        at_unit: str | None = None,
        at_value: str | None = None,
        transaction_opaque_data: bytes | None = None,
    ) -> bytes:
        """Name the function that scans a table (ScanFunctionResult IPC bytes)."""
        ...

    def catalog_table_scan_branches_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        at_unit: str | None = None,
        at_value: str | None = None,
        transaction_opaque_data: bytes | None = None,
    ) -> bytes:
        """List the scan branches of a table (ScanBranchesResult IPC bytes)."""
        ...

    def catalog_table_column_statistics_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> bytes | None:
        """Return a table's column statistics as an IPC batch, or None."""
        ...

    def catalog_table_insert_function_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
        writable_branch_function_name: str | None = None,
    ) -> bytes:
        """Name the function that inserts into a table."""
        ...

    def catalog_table_update_function_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> bytes:
        """Name the function that updates a table."""
        ...

    def catalog_table_delete_function_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> bytes:
        """Name the function that deletes from a table."""
        ...

    def catalog_table_comment_set(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        comment: str | None = None,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Set a table comment."""
        ...

    def catalog_table_column_comment_set(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        comment: str | None = None,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Set a column comment."""
        ...

    def catalog_table_rename(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        new_name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Rename a table."""
        ...

    def catalog_table_column_add(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_definition: bytes,
        ignore_not_found: bool = False,
        if_column_not_exists: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Add a column."""
        ...

    def catalog_table_column_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        ignore_not_found: bool = False,
        if_column_exists: bool = False,
        cascade: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a column."""
        ...

    def catalog_table_column_rename(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        new_column_name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Rename a column."""
        ...

    def catalog_table_column_default_set(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        expression: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Set a column default."""
        ...

    def catalog_table_column_default_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a column default."""
        ...

    def catalog_table_column_type_change(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_definition: bytes,
        expression: str | None = None,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Change a column's type."""
        ...

    def catalog_table_not_null_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a NOT NULL constraint."""
        ...

    def catalog_table_not_null_set(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        column_name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Add a NOT NULL constraint."""
        ...

    # ----------------------------------------------------------- views ----

    def catalog_view_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> ViewsResponse:
        """Look up one view (zero or one item)."""
        ...

    def catalog_view_create(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        definition: str,
        on_conflict: OnConflict,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Create a view."""
        ...

    def catalog_view_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        ignore_not_found: bool = False,
        cascade: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a view."""
        ...

    def catalog_view_rename(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        new_name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Rename a view."""
        ...

    def catalog_view_comment_set(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        comment: str | None = None,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Set a view comment."""
        ...

    # ---------------------------------------------------------- macros ----

    def catalog_macro_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> MacrosResponse:
        """Look up one macro (zero or one item)."""
        ...

    def catalog_macro_create(self, request: MacroCreateRequest) -> None:
        """Create a macro."""
        ...

    def catalog_macro_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        ignore_not_found: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop a macro."""
        ...

    # --------------------------------------------------------- indexes ----

    def catalog_index_get(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        transaction_opaque_data: bytes | None = None,
    ) -> IndexesResponse:
        """Look up one index (zero or one item)."""
        ...

    def catalog_index_create(self, request: IndexCreateRequest) -> None:
        """Create an index."""
        ...

    def catalog_index_drop(
        self,
        attach_opaque_data: bytes,
        schema_path: SchemaPath,
        name: str,
        ignore_not_found: bool = False,
        cascade: bool = False,
        transaction_opaque_data: bytes | None = None,
    ) -> None:
        """Drop an index."""
        ...
