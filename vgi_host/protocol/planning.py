"""Wire types of ``table_function_plan``: splitting a scan into redeemable units.

vgi-host does not plan scans (it refuses the method), but the types are part of
the protocol surface and must match the reference byte for byte so the service
declaration stays identical.  ``PlanResponse`` carries its splits, partition
transforms and sort fields as nested IPC items (``list<binary>``).
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.enums import OrderByDirection, OrderByNullOrder
from vgi_host.protocol.invocation import BindRequest
from vgi_host.protocol.wire import wire_type

__all__ = ["PartitionTransform", "PlanResponse", "ScanSplit", "SortField", "TableFunctionPlanRequest"]

#: The reference's name for a plan whose tokens stay valid for the whole catalog version.
CACHE_SCOPE_CATALOG = "catalog"


@wire_type
class PartitionTransform(ArrowSerializableDataclass):
    """How one partition column is derived (identity, bucket, truncate, ...)."""

    column: str
    transform: str
    param: int | None = None


@wire_type
class SortField(ArrowSerializableDataclass):
    """An ordering that holds within each split."""

    column: str
    direction: OrderByDirection
    nulls: OrderByNullOrder


@wire_type
class ScanSplit(ArrowSerializableDataclass):
    """One independently redeemable unit of scan work."""

    payload: bytes = b""
    token: bytes = b""
    estimated_rows: int | None = None
    rows_exact: bool = False
    estimated_bytes: int | None = None
    partition_bounds: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    column_statistics: bytes | None = None
    location_ids: list[int] | None = None
    start_position: bytes | None = None
    end_position: bytes | None = None


@wire_type
class TableFunctionPlanRequest(ArrowSerializableDataclass):
    """Asks a table function to enumerate its splits under the pushed-down filters."""

    bind_call: Annotated[BindRequest, ArrowType(pa.binary())]
    bind_opaque_data: bytes | None = None
    projection_ids: list[int] | None = None
    pushdown_filters: Annotated[pa.RecordBatch | None, ArrowType(pa.large_binary())] = None
    join_keys: Annotated[list[pa.RecordBatch] | None, ArrowType(pa.list_(pa.large_binary()))] = None
    row_limit: int | None = None
    target_split_bytes: int | None = None
    min_splits: int | None = None
    max_splits_per_response: int | None = None
    cursor: bytes | None = None
    refined_filters: Annotated[pa.RecordBatch | None, ArrowType(pa.large_binary())] = None
    filters_complete: bool = True
    start_position: bytes | None = None
    end_position: bytes | None = None
    order_by_column_name: str | None = None
    order_by_direction: OrderByDirection | None = None
    order_by_null_order: OrderByNullOrder | None = None
    order_by_limit: int | None = None
    tablesample_percentage: float | None = None
    tablesample_seed: int | None = None


@wire_type
class PlanResponse(ArrowSerializableDataclass):
    """Named splits plus plan-wide facts; splits are IPC-encoded ``ScanSplit`` items."""

    splits: list[bytes] = field(default_factory=list)
    next_cursors: list[bytes] | None = None
    execution_id: bytes | None = None
    init_opaque_data: bytes | None = None
    max_workers: int | None = None
    estimated_total_splits: int | None = None
    estimated_total_rows: int | None = None
    estimated_total_bytes: int | None = None
    catalog_version: int | None = None
    scope: str = CACHE_SCOPE_CATALOG
    locations: list[str] | None = None
    partitioning: list[bytes] | None = None
    sort_order: list[bytes] | None = None
    cache_max_age_seconds: int | None = None
    start_position: bytes | None = None
    end_position: bytes | None = None
