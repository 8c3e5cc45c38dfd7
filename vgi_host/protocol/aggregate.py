"""Wire types of aggregates (core, window, streaming) and of table-buffering functions.

All of these calls are unary.  Every ``*_batch`` field is a complete IPC stream
on the wire (``binary``) and surfaces here as a ``pa.RecordBatch``; the
``filter_mask`` / ``frame_stats`` / ``all_valid`` window fields are raw packed
bytes, not IPC.  Acknowledgement responses have no fields at all: they travel
as an empty-schema batch inside the outer ``result`` column.
"""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.wire import wire_type

__all__ = [
    "AggregateBindRequest",
    "AggregateBindResponse",
    "AggregateCombineRequest",
    "AggregateCombineResponse",
    "AggregateDestructorRequest",
    "AggregateDestructorResponse",
    "AggregateFinalizeRequest",
    "AggregateFinalizeResponse",
    "AggregateStreamingChunkRequest",
    "AggregateStreamingChunkResponse",
    "AggregateStreamingCloseRequest",
    "AggregateStreamingCloseResponse",
    "AggregateStreamingOpenRequest",
    "AggregateStreamingOpenResponse",
    "AggregateUpdateRequest",
    "AggregateUpdateResponse",
    "AggregateWindowBatchRequest",
    "AggregateWindowBatchResponse",
    "AggregateWindowDestructorRequest",
    "AggregateWindowDestructorResponse",
    "AggregateWindowInitRequest",
    "AggregateWindowInitResponse",
    "AggregateWindowRequest",
    "AggregateWindowResponse",
    "TableBufferingCombineRequest",
    "TableBufferingCombineResponse",
    "TableBufferingDestructorRequest",
    "TableBufferingDestructorResponse",
    "TableBufferingProcessRequest",
    "TableBufferingProcessResponse",
]

# A nested IPC stream holding one record batch.
_Batch = Annotated[pa.RecordBatch, ArrowType(pa.binary())]
_OptionalBatch = Annotated[pa.RecordBatch | None, ArrowType(pa.binary())]
_Schema = Annotated[pa.Schema, ArrowType(pa.binary())]
_OptionalSchema = Annotated[pa.Schema | None, ArrowType(pa.binary())]


# ---------------------------------------------------------------- core ----


@wire_type
class AggregateBindRequest(ArrowSerializableDataclass):
    """Binds an aggregate: value columns in ``input_schema``, constants in ``arguments``."""

    function_name: str
    arguments: Annotated[Arguments, ArrowType(pa.binary())]
    input_schema: _OptionalSchema = None
    settings: _OptionalBatch = None
    secrets: _OptionalBatch = None
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None
    argument_names: Annotated[list[str | None] | None, ArrowType(pa.list_(pa.string()))] = None


@wire_type
class AggregateBindResponse(ArrowSerializableDataclass):
    """The result type and the worker-minted id that keys all later state calls."""

    output_schema: _Schema
    execution_id: bytes


@wire_type
class AggregateUpdateRequest(ArrowSerializableDataclass):
    """Rows to fold into per-group state: ``__vgi_group_id`` then the value columns."""

    function_name: str
    execution_id: bytes
    input_batch: _Batch
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateUpdateResponse(ArrowSerializableDataclass):
    """Acknowledges an update."""


@wire_type
class AggregateCombineRequest(ArrowSerializableDataclass):
    """Merge pairs: ``source_group_id`` into ``target_group_id`` (source left as is)."""

    function_name: str
    execution_id: bytes
    merge_batch: _Batch
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateCombineResponse(ArrowSerializableDataclass):
    """Acknowledges a combine."""


@wire_type
class AggregateFinalizeRequest(ArrowSerializableDataclass):
    """Asks for the results of the listed ``group_id`` s, in that order."""

    function_name: str
    execution_id: bytes
    group_ids_batch: _Batch
    output_schema: _Schema
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateFinalizeResponse(ArrowSerializableDataclass):
    """One result row per requested group id, on the bound output schema."""

    result_batch: _Batch


@wire_type
class AggregateDestructorRequest(ArrowSerializableDataclass):
    """Drop all state of ``execution_id`` (the group id batch is vestigial)."""

    function_name: str
    execution_id: bytes
    group_ids_batch: _Batch
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateDestructorResponse(ArrowSerializableDataclass):
    """Acknowledges a destructor; the call must never fail."""


# -------------------------------------------------------------- window ----


@wire_type
class AggregateWindowInitRequest(ArrowSerializableDataclass):
    """Ships one whole window partition before its frames are evaluated."""

    function_name: str
    execution_id: bytes
    partition_id: int
    row_count: int
    partition_batch: _Batch
    output_schema: _Schema
    filter_mask: bytes
    frame_stats: bytes
    all_valid: bytes
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateWindowInitResponse(ArrowSerializableDataclass):
    """Acknowledges a window partition."""


@wire_type
class AggregateWindowRequest(ArrowSerializableDataclass):
    """Evaluates one output row over 1-3 partition-relative subframes."""

    function_name: str
    execution_id: bytes
    partition_id: int
    rid: int
    frame_starts: list[int]
    frame_ends: list[int]
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateWindowResponse(ArrowSerializableDataclass):
    """The one-row result of a window evaluation."""

    result_batch: _Batch


@wire_type
class AggregateWindowDestructorRequest(ArrowSerializableDataclass):
    """Evicts a window partition."""

    function_name: str
    execution_id: bytes
    partition_id: int
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateWindowDestructorResponse(ArrowSerializableDataclass):
    """Acknowledges an eviction."""


@wire_type
class AggregateWindowBatchRequest(ArrowSerializableDataclass):
    """Evaluates ``count`` output rows; frames are flattened, ``frames_per_row`` splits them."""

    function_name: str
    execution_id: bytes
    partition_id: int
    row_idx: int
    count: int
    frames_per_row: list[int]
    frame_starts: list[int]
    frame_ends: list[int]
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateWindowBatchResponse(ArrowSerializableDataclass):
    """``count`` result rows."""

    result_batch: _Batch


# ----------------------------------------------------------- streaming ----


@wire_type
class AggregateStreamingOpenRequest(ArrowSerializableDataclass):
    """Opens a streaming-partitioned aggregate session (partition keys lead the input)."""

    function_name: str
    arguments: Annotated[Arguments, ArrowType(pa.binary())]
    input_schema: _Schema
    partition_key_count: int
    order_key_count: int
    output_schema: _Schema
    settings: _OptionalBatch = None
    secrets: _OptionalBatch = None
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateStreamingOpenResponse(ArrowSerializableDataclass):
    """The session id for the chunk and close calls."""

    execution_id: bytes


@wire_type
class AggregateStreamingChunkRequest(ArrowSerializableDataclass):
    """One input chunk of a streaming session."""

    function_name: str
    execution_id: bytes
    input_batch: _Batch
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateStreamingChunkResponse(ArrowSerializableDataclass):
    """One output row per input row of the chunk."""

    result_batch: _Batch


@wire_type
class AggregateStreamingCloseRequest(ArrowSerializableDataclass):
    """Ends a streaming session."""

    function_name: str
    execution_id: bytes
    attach_opaque_data: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class AggregateStreamingCloseResponse(ArrowSerializableDataclass):
    """Acknowledges the close."""


# ----------------------------------------------------- table buffering ----


@wire_type
class TableBufferingProcessRequest(ArrowSerializableDataclass):
    """Sinks one input batch of a buffering (sink+source) table function."""

    function_name: str
    execution_id: bytes
    input_batch: _Batch
    attach_opaque_data: bytes | None = None
    transaction_id: bytes | None = None
    batch_index: int | None = None
    schema_path: SchemaPath | None = None


@wire_type
class TableBufferingProcessResponse(ArrowSerializableDataclass):
    """The worker-chosen id of the state that sink call produced."""

    state_id: bytes


@wire_type
class TableBufferingCombineRequest(ArrowSerializableDataclass):
    """End of input: every state id produced by the sink calls."""

    function_name: str
    execution_id: bytes
    state_ids: list[bytes]
    attach_opaque_data: bytes | None = None
    transaction_id: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class TableBufferingCombineResponse(ArrowSerializableDataclass):
    """One id per finalize stream the client should open."""

    finalize_state_ids: list[bytes]


@wire_type
class TableBufferingDestructorRequest(ArrowSerializableDataclass):
    """Best-effort cleanup of a buffering execution."""

    function_name: str
    execution_id: bytes
    attach_opaque_data: bytes | None = None
    transaction_id: bytes | None = None
    schema_path: SchemaPath | None = None


@wire_type
class TableBufferingDestructorResponse(ArrowSerializableDataclass):
    """Acknowledges the cleanup."""
