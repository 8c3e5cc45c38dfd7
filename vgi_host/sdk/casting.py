"""Casting a value to a declared Arrow type, or saying in SQL terms why it cannot be.

Three places convert a value to the type a function declared: a constant
argument at bind, a scalar's ``compute`` result, an aggregate's ``finalize``
result.  Each wants the same thing — no work when the type already matches, a
cast when Arrow can do one, and otherwise an error of the caller's choosing
whose text names both types the way DuckDB does (``BIGINT``, ``DOUBLE``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

import pyarrow as pa

from vgi_host.sql_types import sql_type

CAST_FAILURES: tuple[type[Exception], ...] = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)
"""What pyarrow raises when a value cannot be cast (overflow, unparsable text, no kernel)."""


@overload
def cast_or_raise(
    value: pa.Scalar[Any], target: pa.DataType, failure: Callable[[str, str], Exception]
) -> pa.Scalar[Any]: ...
@overload
def cast_or_raise(
    value: pa.Array[Any], target: pa.DataType, failure: Callable[[str, str], Exception]
) -> pa.Array[Any]: ...
def cast_or_raise(
    value: pa.Scalar[Any] | pa.Array[Any], target: pa.DataType, failure: Callable[[str, str], Exception]
) -> pa.Scalar[Any] | pa.Array[Any]:
    """``value`` as ``target``; ``failure(got, wanted)`` (DuckDB type names) is raised when Arrow cannot cast.

    The raised error is chained to pyarrow's, whose text says which value failed.
    """
    if value.type == target:
        return value
    try:
        return value.cast(target)
    except CAST_FAILURES as exc:
        raise failure(sql_type(value.type), sql_type(target)) from exc
