"""Catalog entries (``TableInfo``, ``ViewInfo``) for the tables and views packs register."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from vgi_host.protocol.catalog import TableInfo, ViewInfo
from vgi_host.protocol.invocation import BindResponse
from vgi_host.protocol.scan import ScanArguments, ScanFunctionResult


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
        columns=columns,
        scan_function=scan,
        bind_result=BindResponse(output_schema=columns),
        cardinality_estimate=cardinality,
    )


def view_info(schema: str, name: str, sql: str, description: str) -> ViewInfo:
    """A view DuckDB binds itself."""
    return ViewInfo(name=name, schema_path=[schema], definition=sql, comment=description or None)
