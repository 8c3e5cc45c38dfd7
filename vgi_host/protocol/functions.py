"""``FunctionInfo``: how a function is described to the client, plus its nested records.

DuckDB registers one overload per ``FunctionInfo`` row and validates all 42
columns by position and type, so the field list below is the reference's, in
its order.  The two schema columns are ``dictionary<int32, binary>`` on the
wire (not plain ``binary``) yet surface here as ``pa.Schema``.
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import (
    ArgumentMonotonicity,
    CatalogFunctionType,
    DistinctDependence,
    FunctionStability,
    NullHandling,
    OrderDependence,
    OrderPreservation,
    PartitionKind,
)
from vgi_host.protocol.wire import wire_type

__all__ = [
    "CatalogExample",
    "EvaluationContextCapability",
    "FilterFunctionCapability",
    "FunctionInfo",
    "RuntimeFilterAlgorithmCapability",
    "SecretLookupEntry",
]

_DICT_BINARY = pa.dictionary(pa.int32(), pa.binary())

# Inside FunctionInfo the capability version is uint64, while the standalone
# capability records (below) use the default int64 — both as in the reference.
_FILTER_IDENTITY_LIST = pa.list_(
    pa.struct(
        [
            pa.field("namespace", pa.string(), nullable=False),
            pa.field("name", pa.string(), nullable=False),
            pa.field("version", pa.uint64(), nullable=False),
        ]
    )
)
_FILTER_CONTEXT_LIST = pa.list_(
    pa.struct(
        [
            pa.field("profile", pa.string(), nullable=False),
            pa.field("provider_fingerprint", pa.string(), nullable=True),
        ]
    )
)


@wire_type
class CatalogExample(ArrowSerializableDataclass):
    """A usage example shown in function documentation."""

    sql: str
    description: str = ""
    expected_output: str | None = None


@wire_type
class FilterFunctionCapability(ArrowSerializableDataclass):
    """A versioned extension filter function the function can evaluate."""

    namespace: str
    name: str
    version: int


@wire_type
class RuntimeFilterAlgorithmCapability(ArrowSerializableDataclass):
    """A versioned runtime-filter algorithm the function understands."""

    namespace: str
    name: str
    version: int


@wire_type
class EvaluationContextCapability(ArrowSerializableDataclass):
    """An evaluation-context profile the function's filters may rely on."""

    profile: str
    provider_fingerprint: str | None = None


@wire_type
class SecretLookupEntry(ArrowSerializableDataclass):
    """A secret the function needs, by type and optionally scope or name."""

    secret_type: str
    scope: str | None = None
    secret_name: str | None = None


def _no_arguments() -> pa.Schema:
    return pa.schema([])


@wire_type
class FunctionInfo(ArrowSerializableDataclass):
    """One function overload as listed in a schema (or published globally).

    Only ``name``, ``schema_path``, ``function_type`` and ``output_schema`` are
    required; ``arguments`` defaults to "takes no arguments".  Argument fields
    carry their roles in field metadata (``vgi_const``, ``vgi_arg``,
    ``vgi_type`` ...).  Set ``max_workers=1`` on a table-in-out function that
    keeps state across batches, so DuckDB takes its serial path.
    """

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    name: str
    schema_path: SchemaPath
    function_type: CatalogFunctionType
    arguments: Annotated[pa.Schema, ArrowType(_DICT_BINARY)] = field(default_factory=_no_arguments)
    output_schema: Annotated[pa.Schema, ArrowType(_DICT_BINARY)]
    parameter_default_values: Annotated[pa.RecordBatch | None, ArrowType(_DICT_BINARY)] = None
    stability: FunctionStability | None = None
    null_handling: NullHandling | None = None
    argument_monotonicity: Annotated[list[ArgumentMonotonicity] | None, ArrowType(pa.list_(pa.string()))] = (
        None
    )
    description: str = ""
    examples: list[CatalogExample] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    projection_pushdown: bool | None = None
    filter_pushdown: bool | None = None
    sampling_pushdown: bool | None = None
    late_materialization: bool | None = None
    filter_semantic_profiles: list[str] = field(default_factory=list)
    additional_filter_functions: Annotated[
        list[FilterFunctionCapability], ArrowType(_FILTER_IDENTITY_LIST)
    ] = field(default_factory=list)
    runtime_filter_algorithms: Annotated[
        list[RuntimeFilterAlgorithmCapability], ArrowType(_FILTER_IDENTITY_LIST)
    ] = field(default_factory=list)
    filter_evaluation_contexts: Annotated[
        list[EvaluationContextCapability], ArrowType(_FILTER_CONTEXT_LIST)
    ] = field(default_factory=list)
    order_preservation: OrderPreservation | None = None
    max_workers: Annotated[int | None, ArrowType(pa.int32())] = None
    supports_batch_index: bool = False
    supports_splits: bool = False
    filters_exactly_applied: bool = False
    supports_positions: bool = False
    split_token_ttl_seconds: int | None = None
    partition_kind: PartitionKind = PartitionKind.NOT_PARTITIONED
    order_dependent: OrderDependence = OrderDependence.NOT_ORDER_DEPENDENT
    distinct_dependent: DistinctDependence = DistinctDependence.NOT_DISTINCT_DEPENDENT
    supports_window: bool = False
    streaming_partitioned: bool = False
    has_finalize: bool = False
    source_order_dependent: bool = False
    sink_order_dependent: bool = False
    requires_input_batch_index: bool = False
    input_from_args: bool = False
    input_rows_per_call: int | None = None
    required_settings: list[str] = field(default_factory=list)
    required_secrets: list[SecretLookupEntry] = field(default_factory=list)
