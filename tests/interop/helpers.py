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
