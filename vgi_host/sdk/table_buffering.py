"""The reference's table-buffering kind, by name only: not served by vgi-host yet.

``TableBufferingFunction`` reads its whole input, then produces output.  The
names are importable so that a worker module defining such a class still
imports and its other functions are still served; registering a buffering
class is refused with a message naming the missing kind (see issue 10,
Phase B).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import pyarrow as pa

from vgi_host.errors import FunctionDefinitionError


@dataclass(slots=True)
class TableBufferingParams[ArgsT = Any]:
    """What a buffering function's callbacks receive for one execution."""

    args: Any
    output_schema: pa.Schema
    input_schema: pa.Schema | None = None
    execution_id: bytes = b""
    extras: dict[str, Any] = field(default_factory=dict)


class TableBufferingFunction[ArgsT = Any, StateT = Any]:
    """Base class of the reference's table-buffering functions (not served yet)."""

    @classmethod
    def definition(cls) -> NoReturn:
        """Always refuses: the kind has no runtime in vgi-host yet."""
        raise FunctionDefinitionError(
            f"{cls.__name__}: the table-buffering kind (TableBufferingFunction) is not served by vgi-host yet"
        )
