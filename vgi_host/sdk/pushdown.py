"""Filter-pushdown records of the reference SDK, importable so that ported code loads.

A reference table function may inspect ``params.pushdown_filters`` to skip
rows DuckDB will discard anyway.  vgi-host does not push filters down yet:
every function sees ``None`` there and DuckDB applies the filters after the
scan, which is always correct.  The records below exist so that modules
which name them (``isinstance(f, AndFilter)``) import and run unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class ConstantFilter:
    """``column <op> value``."""

    column_name: str
    op: str
    value: pa.Scalar[Any]


@dataclass(frozen=True, slots=True)
class InFilter:
    """``column IN (values)``."""

    column_name: str
    values: pa.Array[Any]


@dataclass(frozen=True, slots=True)
class AndFilter:
    """All children hold."""

    children: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class OrFilter:
    """At least one child holds."""

    children: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class V2ExpressionFilter:
    """An arbitrary expression filter (the reference's filter protocol v2)."""

    expression: Any
    evaluation_context: Any = None


@dataclass(frozen=True, slots=True)
class PushdownFilters:
    """The filters of one scan, by column (always empty under vgi-host)."""

    filters: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.filters)


@contextmanager
def replaying_accepted_state() -> Iterator[None]:
    """A no-op context: vgi-host has no accepted filter documents to replay."""
    yield
