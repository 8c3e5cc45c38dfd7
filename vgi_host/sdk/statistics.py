"""``ColumnStatistics``: what a table function may say about one output column.

Reference-era table functions return these from a ``statistics`` classmethod
so the planner can prune and estimate.  vgi-host accepts the declaration (so
the code ports) and does not yet forward it to DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class ColumnStatistics:
    """Bounds and counts for one output column; unknown values stay None."""

    column_name: str
    min: pa.Scalar[Any] | None = None
    max: pa.Scalar[Any] | None = None
    has_null: bool = True
    has_not_null: bool = True
    distinct_count: int | None = None
    contains_unicode: bool | None = None
    max_string_length: int | None = None
