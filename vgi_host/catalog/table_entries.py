"""Catalog entries (``TableInfo``, ``ViewInfo``) for the tables and views packs register."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from vgi_host.model.entries import ColumnDescription, TableDescription, TableEntry, ViewDescription, ViewEntry
from vgi_host.model.tags import object_tags
from vgi_host.protocol.catalog import TableInfo, ViewInfo
from vgi_host.protocol.common import encode_catalog_item
from vgi_host.protocol.invocation import BindResponse
from vgi_host.protocol.scan import ScanArguments, ScanFunctionResult
from vgi_host.protocol.wire import frozen_record
from vgi_host.sdk.objects import PackTable, PackView
from vgi_host.sdk.table import BoundTable, TableDefinition
from vgi_host.sql_types import sql_type


@frozen_record
class DeclaredTable:
    """A registered table with its function bound: columns are known."""

    table: PackTable
    function: TableDefinition
    bound: BoundTable
    positional: tuple[pa.Scalar[Any], ...]
    named: dict[str, pa.Scalar[Any]]


def table_info(
    schema: str,
    name: str,
    function: str,
    columns: pa.Schema,
    positional: Sequence[pa.Scalar[Any]],
    named: Mapping[str, pa.Scalar[Any]],
    description: str,
    cardinality: int | None,
) -> TableInfo:
    """A read-only table whose rows come from ``schema.function(args)``.

    The scan function and its bind result are inlined, so DuckDB neither asks
    ``catalog_table_scan_function_get`` nor sends a ``bind`` before scanning.
    """
    scan = ScanFunctionResult(
        function_name=function,
        arguments=ScanArguments(positional=tuple(positional), named=dict(named)),
        schema_path=[schema],
    )
    return TableInfo(
        name=name,
        schema_path=[schema],
        comment=description or None,
        tags=object_tags(name, description),
        columns=columns,
        scan_function=scan,
        bind_result=BindResponse(output_schema=columns),
        cardinality_estimate=cardinality,
    )


def view_info(schema: str, name: str, sql: str, description: str) -> ViewInfo:
    """A view DuckDB binds itself."""
    return ViewInfo(
        name=name,
        schema_path=[schema],
        definition=sql,
        comment=description or None,
        tags=object_tags(name, description),
    )


def table_entry(schema: str, declared: DeclaredTable) -> TableEntry:
    """Capture one registered table (cache misses only)."""
    columns = declared.bound.output_schema
    info = table_info(
        schema,
        declared.table.name,
        declared.function.name,
        columns,
        declared.positional,
        declared.named,
        declared.table.description,
        declared.function.function_class.cardinality(declared.bound.bind_params()),
    )
    description = TableDescription(
        declared.table.name,
        declared.table.description,
        declared.function.name,
        tuple(ColumnDescription(f.name, sql_type(f.type)) for f in columns),
    )
    return TableEntry(declared.table.name, encode_catalog_item(info), description)


def view_entry(schema: str, view: PackView) -> ViewEntry:
    """Capture one registered view."""
    info = encode_catalog_item(view_info(schema, view.name, view.sql, view.description))
    return ViewEntry(view.name, info, ViewDescription(view.name, view.description, view.sql))


def object_entries(
    schema: str, tables: Sequence[DeclaredTable], views: Sequence[PackView]
) -> tuple[tuple[TableEntry, ...], tuple[ViewEntry, ...]]:
    """Capture a pack's registered tables and views as entries of ``schema``."""
    return tuple(table_entry(schema, t) for t in tables), tuple(view_entry(schema, v) for v in views)
