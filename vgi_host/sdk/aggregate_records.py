"""Records of the reference's aggregate API that worker code imports by name.

``AggregateBindParams`` is what a reference aggregate's ``on_bind`` receives;
``WindowPartition`` is what its optional ``window`` method receives.  vgi-host
serves aggregates through update/combine/finalize only, so these exist so
that worker modules import unchanged; a class is served as a plain grouped
aggregate (its ``window`` method is not called).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from vgi_host.protocol.arguments import Arguments


@dataclass(frozen=True, slots=True)
class AggregateBindParams:
    """One aggregate call at bind: its constant arguments and value-column types."""

    args: Arguments | None
    input_schema: pa.Schema | None
    settings: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Any] = field(default_factory=dict)
    argument_names: list[str | None] | None = None


@dataclass(frozen=True, slots=True)
class WindowPartition:
    """One window partition's rows, as a reference window aggregate sees them."""

    inputs: pa.RecordBatch
    row_count: int
    filter_mask: pa.BooleanArray
    frame_stats: tuple[tuple[int, int], tuple[int, int]]
    all_valid: list[bool]
