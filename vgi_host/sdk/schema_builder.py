"""``schema(n=pa.int64(), ...)``: the reference SDK's shorthand for an Arrow schema.

Worker code builds its ``FIXED_SCHEMA`` and bind results with it, so it is
part of the porting surface.  A field is given as an Arrow type, or as
``(type, metadata)`` to attach field metadata (row-id markers, comments).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

FieldSpec = pa.DataType | tuple[pa.DataType, Mapping[bytes | str, bytes | str]]


def _field(name: str, spec: Any) -> pa.Field[Any]:
    if isinstance(spec, pa.DataType):
        return pa.field(name, spec)
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], pa.DataType):
        return pa.field(name, spec[0], metadata=dict(spec[1]))
    raise TypeError(
        f"schema(): field {name!r} must be a pyarrow DataType or (DataType, metadata); got {spec!r}"
    )


def schema(fields: Mapping[str, FieldSpec] | None = None, /, **more: FieldSpec) -> pa.Schema:
    """An Arrow schema with the given fields, in the order written."""
    merged: dict[str, Any] = dict(fields or {})
    merged.update(more)
    return pa.schema([_field(name, spec) for name, spec in merged.items()])


PARTITION_COLUMN_KEY = b"vgi.partition_column"
"""Field metadata marking a partition column in a bind schema."""


def partition_field(
    name: str,
    type: pa.DataType,
    *,
    nullable: bool = True,
    metadata: Mapping[bytes | str, bytes | str] | None = None,
) -> pa.Field[Any]:
    """A field marked as a partition column (extra ``metadata`` merged in)."""
    merged: dict[bytes | str, bytes | str] = {PARTITION_COLUMN_KEY: b"true"}
    merged.update(metadata or {})
    return pa.field(name, type, nullable=nullable, metadata=merged)
