"""Wire types of a function call: bind, init and the table-function side calls.

Every class here must keep the exact Arrow schema (field names, order, types,
nullability) of the reference SDK's class of the same name: the DuckDB
extension compares response schemas field by field and rejects any drift.
The parity test in ``tests/unit/test_protocol_parity.py`` guards that.
"""

from __future__ import annotations

import uuid
from dataclasses import field
from typing import Annotated

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import (
    FunctionType,
    OrderByDirection,
    OrderByNullOrder,
    TableInOutFunctionInitPhase,
)
from vgi_host.protocol.wire import wire_type

__all__ = [
    "DEFAULT_MAX_WORKERS",
    "BindRequest",
    "BindResponse",
    "CopyFromContext",
    "CopyToContext",
    "GlobalInitResponse",
    "InitRequest",
    "TableCardinality",
    "TableFunctionCardinalityRequest",
    "TableFunctionDynamicToStringRequest",
    "TableFunctionDynamicToStringResponse",
    "TableFunctionStatisticsRequest",
]

#: The reference SDK's default fan-out bound.  Clients open up to this many
#: parallel streams, so a producer that does not partition its work must send 1.
DEFAULT_MAX_WORKERS = 99999


def _new_execution_id() -> bytes:
    return uuid.uuid4().bytes


@wire_type
class CopyFromContext(ArrowSerializableDataclass):
    """COPY ... FROM details riding on a bind; carried as a struct, not as nested IPC."""

    format: str
    file_path: str
    expected_schema: Annotated[pa.Schema, ArrowType(pa.binary())]


@wire_type
class CopyToContext(ArrowSerializableDataclass):
    """COPY ... TO details riding on a bind; carried as a struct."""

    format: str
    file_path: str


@wire_type
class BindRequest(ArrowSerializableDataclass):
    """What the client knows when it binds one function call.

    ``arguments`` decodes straight to :class:`~vgi_host.protocol.arguments.Arguments`;
    ``input_schema`` is a ``pa.Schema`` (None for a plain table function).
    """

    function_name: str
    arguments: Annotated[Arguments, ArrowType(pa.binary())]
    function_type: FunctionType
    input_schema: Annotated[pa.Schema | None, ArrowType(pa.binary())] = None
    settings: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    secrets: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    attach_opaque_data: bytes | None = None
    transaction_opaque_data: bytes | None = None
    resolved_secrets_provided: bool = False
    at_unit: str | None = None
    at_value: str | None = None
    copy_from: CopyFromContext | None = None
    copy_to: CopyToContext | None = None
    schema_path: SchemaPath | None = None
    argument_names: Annotated[list[str | None] | None, ArrowType(pa.list_(pa.string()))] = None


@wire_type
class BindResponse(ArrowSerializableDataclass):
    """The bound output schema, or (when ``lookup_secret_types`` is set) a secret-scope request."""

    output_schema: Annotated[pa.Schema, ArrowType(pa.binary())]
    opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None
    lookup_secret_types: list[str] = field(default_factory=list)
    lookup_scopes: list[str] = field(default_factory=list)
    lookup_names: list[str] = field(default_factory=list)


@wire_type
class InitRequest(ArrowSerializableDataclass):
    """Opens an execution stream; ``execution_id`` set means secondary or FINALIZE init.

    The filter, join-key and split columns are ``large_binary`` on the wire,
    unlike every other nested payload; the annotations keep that.
    """

    bind_call: Annotated[BindRequest, ArrowType(pa.binary())]
    output_schema: Annotated[pa.Schema, ArrowType(pa.binary())]
    bind_opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None
    projection_ids: list[int] | None = None
    pushdown_filters: Annotated[pa.RecordBatch | None, ArrowType(pa.large_binary())] = None
    join_keys: Annotated[list[pa.RecordBatch] | None, ArrowType(pa.list_(pa.large_binary()))] = None
    split_tokens: Annotated[list[bytes] | None, ArrowType(pa.list_(pa.large_binary()))] = None
    row_limit: int | None = None
    phase: TableInOutFunctionInitPhase | None = None
    finalize_state_id: bytes | None = None
    execution_id: bytes | None = None
    init_opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None
    substream_id: bytes | None = None
    order_by_column_name: str | None = None
    order_by_direction: OrderByDirection | None = None
    order_by_null_order: OrderByNullOrder | None = None
    order_by_limit: int | None = None
    tablesample_percentage: float | None = None
    tablesample_seed: int | None = None


@wire_type
class GlobalInitResponse(ArrowSerializableDataclass):
    """Header of the ``init`` stream.

    ``max_workers`` defaults to the reference's 99999 for parity; pass 1 for any
    stream whose work is not partitioned, or clients duplicate the output.
    """

    execution_id: bytes = field(default_factory=_new_execution_id)
    opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None
    max_workers: int = DEFAULT_MAX_WORKERS


@wire_type
class TableFunctionCardinalityRequest(ArrowSerializableDataclass):
    """Asks for a row-count estimate of a bound table function."""

    bind_call: Annotated[BindRequest, ArrowType(pa.binary())]
    bind_opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None


@wire_type
class TableCardinality(ArrowSerializableDataclass):
    """Row-count hints for the planner; None means unknown / unbounded."""

    estimate: int | None = None
    max: int | None = None


@wire_type
class TableFunctionStatisticsRequest(ArrowSerializableDataclass):
    """Asks for per-column statistics of a bound table function."""

    bind_call: Annotated[BindRequest, ArrowType(pa.binary())]
    bind_opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None


@wire_type
class TableFunctionDynamicToStringRequest(ArrowSerializableDataclass):
    """EXPLAIN ANALYZE asks for diagnostics of one finished execution."""

    bind_call: Annotated[BindRequest, ArrowType(pa.binary())]
    bind_opaque_data: Annotated[bytes | None, ArrowType(pa.binary())] = None
    global_execution_id: bytes


@wire_type
class TableFunctionDynamicToStringResponse(ArrowSerializableDataclass):
    """Diagnostics as two parallel lists, so their order survives the wire."""

    keys: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
