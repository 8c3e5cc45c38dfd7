"""What a scalar function's optional ``on_bind`` receives and returns.

A scalar whose result type depends on its input types (``double(x)`` keeps
``x``'s numeric type) declares ``on_bind(cls, params) -> BindResult``.  The
host calls it once per call, after the argument checks, and uses the returned
type for the result column instead of the ``Returns`` annotation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError
from vgi_host.protocol.arguments import Arguments


@dataclass(frozen=True, slots=True)
class BindParameters:
    """One call as ``on_bind`` sees it: the argument types and constant values."""

    constant_arguments: Arguments
    arguments_schema: pa.Schema
    """One field per declared argument, in call order, typed as the caller sent it."""
    settings: pa.RecordBatch | None = None
    secrets: dict[str, Any] = field(default_factory=dict)
    attach_opaque_data: bytes | None = None
    transaction_opaque_data: bytes | None = None
    argument_names: list[str | None] | None = None
    """The names the caller gave its arguments; ``None`` when it passed them positionally."""


@dataclass(frozen=True, slots=True)
class BindResult:
    """The answer of ``on_bind``: the Arrow type of the result column."""

    output_type: pa.DataType
    opaque_data: Any = None


class ArgumentTypeError(BindError):
    """An argument's type is not one the function accepts (raised from ``on_bind`` or a bound check)."""
