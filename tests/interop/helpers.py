"""Small helpers shared by the interop tests."""

from typing import Any

import pyarrow as pa
from vgi import Arguments


def call_scalar(client, schema: str, function: str, columns: dict[str, Any], constants=(), batches: int = 1):
    """Call a scalar function like DuckDB does (value columns + constant arguments); return all rows."""
    batch = pa.RecordBatch.from_pydict(columns)
    arguments = Arguments(
        positional=tuple(pa.scalar(c) if not isinstance(c, pa.Scalar) else c for c in constants)
    )
    results = client.scalar_function(
        function_name=function, schema_path=[schema], input=iter([batch] * batches), arguments=arguments
    )
    rows: list[Any] = []
    for result in results:
        assert result.num_columns == 1
        rows.extend(result.column(0).to_pylist())
    return rows


def registered_counts(pack_module) -> dict[str, int]:
    """How many objects of each catalog kind a pack registers, read from its own hooks.

    The host's counts (``vgi_packs``, schema counts, ``vgi-host list``) are
    checked against these, so a test states no pack's numbers by hand.
    """
    from vgi_host import (
        AggregateFunction,
        ScalarFunction,
        TableBufferingFunction,
        TableFunctionGenerator,
        TableInOutFunction,
    )

    functions: list[type] = []
    pack_module.register_functions(functions.append)
    tables: list[object] = []
    views: list[object] = []
    if hasattr(pack_module, "register_tables"):
        pack_module.register_tables(tables.append)
    if hasattr(pack_module, "register_views"):
        pack_module.register_views(views.append)
    return {
        "scalar_function": sum(issubclass(f, ScalarFunction) for f in functions),
        # table-in-out and table-buffering functions are table functions to DuckDB
        "table_function": sum(
            issubclass(f, TableFunctionGenerator | TableInOutFunction | TableBufferingFunction)
            for f in functions
        ),
        "aggregate_function": sum(issubclass(f, AggregateFunction) for f in functions),
        "functions": len(functions),
        "table": len(tables),
        "view": len(views),
    }
