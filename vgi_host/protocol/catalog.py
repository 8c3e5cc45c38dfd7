"""Catalog items other than functions: schemas, tables, views, macros, indexes, COPY formats.

Each item is listed as the IPC bytes of its own one-row batch (see
``vgi_host.protocol.listing``).  Field order matters on the wire — every item
starts with ``comment`` and ``tags`` (and, for objects inside a schema,
``name`` and ``schema_path``) exactly as the reference's base classes put them.
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import IndexConstraintType, MacroType
from vgi_host.protocol.invocation import BindResponse
from vgi_host.protocol.scan import ScanFunctionResult
from vgi_host.protocol.wire import wire_type

__all__ = [
    "CopyFromFormatInfo",
    "ForeignKeyInfo",
    "IndexInfo",
    "MacroInfo",
    "SchemaInfo",
    "TableInfo",
    "ViewInfo",
]

_INT32_LIST = pa.list_(pa.int32())
_INT32_LIST_LIST = pa.list_(pa.list_(pa.int32()))


@wire_type
class SchemaInfo(ArrowSerializableDataclass):
    """A schema of the attached catalog.

    ``estimated_object_count`` maps ``table``, ``view``, ``scalar_function``,
    ``aggregate_function``, ``table_function``, ``macro`` and ``index`` to a
    count.  An absent key reads as 1; **0 is a promise** that lets clients skip
    both the listing and per-name lookups for that kind.
    """

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    path: SchemaPath
    estimated_object_count: dict[str, int] | None = None


@wire_type
class ForeignKeyInfo(ArrowSerializableDataclass):
    """A foreign key, IPC-encoded into ``TableInfo.foreign_key_constraints``."""

    fk_columns: list[str]
    pk_columns: list[str]
    referenced_table: str
    referenced_schema_path: SchemaPath


@wire_type
class TableInfo(ArrowSerializableDataclass):
    """A table; its rows come from a scan function (inline it in ``scan_function`` to save a call).

    An empty ``write_result_modes`` means the table is read-only.
    """

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    name: str
    schema_path: SchemaPath
    columns: Annotated[pa.Schema, ArrowType(pa.binary())]
    not_null_constraints: Annotated[list[int], ArrowType(_INT32_LIST)] = field(default_factory=list)
    unique_constraints: Annotated[list[list[int]], ArrowType(_INT32_LIST_LIST)] = field(default_factory=list)
    check_constraints: list[str] = field(default_factory=list)
    primary_key_constraints: Annotated[list[list[int]], ArrowType(_INT32_LIST_LIST)] = field(
        default_factory=list
    )
    foreign_key_constraints: list[bytes] = field(default_factory=list)
    write_result_modes: dict[str, str] = field(default_factory=dict)
    supports_column_statistics: bool = False
    scan_function: Annotated[ScanFunctionResult | None, ArrowType(pa.binary())] = None
    insert_function: Annotated[ScanFunctionResult | None, ArrowType(pa.binary())] = None
    update_function: Annotated[ScanFunctionResult | None, ArrowType(pa.binary())] = None
    delete_function: Annotated[ScanFunctionResult | None, ArrowType(pa.binary())] = None
    cardinality_estimate: int | None = None
    cardinality_max: int | None = None
    column_statistics: bytes | None = None
    bind_result: Annotated[BindResponse | None, ArrowType(pa.binary())] = None
    required_filters: list[list[str]] = field(default_factory=list)


@wire_type
class ViewInfo(ArrowSerializableDataclass):
    """A view: DuckDB binds ``definition`` itself, so no worker call follows."""

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    name: str
    schema_path: SchemaPath
    definition: str
    column_comments: dict[str, str] = field(default_factory=dict)


@wire_type
class MacroInfo(ArrowSerializableDataclass):
    """A scalar or table SQL macro."""

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    name: str
    schema_path: SchemaPath
    macro_type: MacroType
    parameters: list[str] = field(default_factory=list)
    parameter_default_values: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    definition: str = ""
    arguments_schema: Annotated[pa.Schema | None, ArrowType(pa.binary())] = None


@wire_type
class IndexInfo(ArrowSerializableDataclass):
    """An index over a catalog table."""

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    name: str
    schema_path: SchemaPath
    table_name: str
    index_type: str = ""
    constraint_type: IndexConstraintType = IndexConstraintType.NONE
    expressions: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


@wire_type
class CopyFromFormatInfo(ArrowSerializableDataclass):
    """A custom ``COPY ... FROM/TO`` format handled by a worker function."""

    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    format_name: str
    handler: str
    options: Annotated[pa.Schema, ArrowType(pa.binary())]
    direction: str = "from"
    description: str = ""
    ordered: bool = False
