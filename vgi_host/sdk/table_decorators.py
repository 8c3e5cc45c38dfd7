"""The reference SDK's table-function class decorators and ``InitParams``, for ported code.

``@bind_fixed_schema`` gives a class an ``on_bind`` answering ``FIXED_SCHEMA``
and ``@init_single_worker`` keeps one call on one process.  vgi-host already
does both by default (a table function without ``on_bind`` is bound to its
``FIXED_SCHEMA``; ``Meta.max_workers`` defaults to 1), so the decorators
validate and mark the class rather than inject code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


def bind_fixed_schema[T: type](cls: T) -> T:
    """Bind ``cls`` to its ``FIXED_SCHEMA`` (which it must define) unless it has its own ``on_bind``."""
    if "on_bind" not in vars(cls) and not isinstance(getattr(cls, "FIXED_SCHEMA", None), pa.Schema):
        raise ValueError(f"{cls.__name__} must define FIXED_SCHEMA (a pa.Schema) to use @bind_fixed_schema")
    return cls


def init_single_worker[T: type](cls: T) -> T:
    """Serve each call of ``cls`` from one process (vgi-host's default for table functions)."""
    return cls


@dataclass(frozen=True, slots=True)
class InitParams[ArgsT = Any]:
    """What a reference ``on_init`` receives: the bound arguments and the schema to produce."""

    args: ArgsT
    output_schema: pa.Schema
    execution_id: bytes = b""
    settings: dict[str, Any] = field(default_factory=dict)
    init_call: Any = None
    """The raw init request of this execution."""
    secrets: Any = None
    """The secrets resolved for the call, by secret name."""
    storage: Any = None
    """The call's storage, shared by every worker of the call: ``on_init`` fills it (a work queue)."""
