"""Records of the reference's aggregate API that worker code imports by name.

``AggregateBindParams`` is what an aggregate's ``on_bind`` receives (served:
see :mod:`vgi_host.sdk.aggregate`);
``WindowPartition`` is what its optional ``window`` method receives.  vgi-host
serves no window callback, so ``WindowPartition`` exists so that worker
modules import unchanged; such a class is served as a plain grouped
aggregate (its ``window`` method is not called).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from vgi_host.protocol.arguments import Arguments
from vgi_host.sdk.session import ResolvedSecrets, SecretsAccessor


@dataclass(frozen=True, slots=True)
class AggregateBindParams:
    """One aggregate call at bind: its constant arguments and value-column types."""

    args: Arguments | None
    input_schema: pa.Schema | None
    settings: dict[str, Any] = field(default_factory=dict)
    secrets: SecretsAccessor = field(
        default_factory=lambda: SecretsAccessor(ResolvedSecrets(), is_retry=True)
    )
    """Secrets the bind request carried; a lookup of one it did not carry finds nothing (no second round)."""
    argument_names: list[str | None] | None = None


@dataclass(frozen=True, slots=True)
class WindowPartition:
    """One window partition's rows, as a reference window aggregate sees them."""

    inputs: pa.RecordBatch
    row_count: int
    filter_mask: pa.BooleanArray
    frame_stats: tuple[tuple[int, int], tuple[int, int]]
    all_valid: list[bool]
