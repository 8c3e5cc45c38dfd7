"""Mapping annotation types to Arrow types.

Pack authors annotate ``compute`` parameters with pyarrow array classes
(``pa.Int64Array``) or, for constants, plain Python types (``int``).  The host
needs the Arrow type behind each annotation for the catalog, for bind-time
checks and for casting inputs; this module is the single place that knows the
correspondence.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import pyarrow as pa

ANY_ARRAY_CLASSES: frozenset[type] = frozenset({pa.Array})
"""Annotations that accept a column of any type (narrowed by ``type_bound``)."""

_ARRAY_CLASS_TYPES: dict[type, pa.DataType] = {
    pa.BooleanArray: pa.bool_(),
    pa.Int8Array: pa.int8(),
    pa.Int16Array: pa.int16(),
    pa.Int32Array: pa.int32(),
    pa.Int64Array: pa.int64(),
    pa.UInt8Array: pa.uint8(),
    pa.UInt16Array: pa.uint16(),
    pa.UInt32Array: pa.uint32(),
    pa.UInt64Array: pa.uint64(),
    pa.HalfFloatArray: pa.float16(),
    pa.FloatArray: pa.float32(),
    pa.DoubleArray: pa.float64(),
    pa.StringArray: pa.string(),
    pa.LargeStringArray: pa.large_string(),
    pa.BinaryArray: pa.binary(),
    pa.LargeBinaryArray: pa.large_binary(),
    pa.Date32Array: pa.date32(),
}

_NESTED_ARRAY_CLASSES: frozenset[type] = frozenset(
    {pa.StructArray, pa.ListArray, pa.LargeListArray, pa.MapArray, pa.TimestampArray, pa.Decimal128Array}
)

_PYTHON_TYPES: dict[type, pa.DataType] = {
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    str: pa.string(),
    bytes: pa.binary(),
}

_SCALAR_CLASS_TYPES: dict[type, pa.DataType] = {
    pa.BooleanScalar: pa.bool_(),
    pa.Int64Scalar: pa.int64(),
    pa.Int32Scalar: pa.int32(),
    pa.DoubleScalar: pa.float64(),
    pa.StringScalar: pa.string(),
    pa.BinaryScalar: pa.binary(),
}


class AnnotationTypeError(TypeError):
    """An annotation the SDK cannot turn into an Arrow type."""


def _explicit(arrow_type: pa.DataType | type | None) -> pa.DataType | None:
    """Accept ``Param(pa.int64())`` and the reference's ``Param(int)`` alike."""
    if arrow_type is None or isinstance(arrow_type, pa.DataType):
        return arrow_type
    if arrow_type in _PYTHON_TYPES:
        return _PYTHON_TYPES[arrow_type]
    raise AnnotationTypeError(
        f"arrow_type={arrow_type!r} is neither a pyarrow DataType nor bool/int/float/str/bytes"
    )


def column_type(annotated: Any, explicit: pa.DataType | type | None) -> pa.DataType | None:
    """Arrow type of a column parameter; ``None`` means "any type"."""
    declared = _explicit(explicit)
    if declared is not None:
        return declared
    if annotated in _ARRAY_CLASS_TYPES:
        return _ARRAY_CLASS_TYPES[annotated]
    if annotated in ANY_ARRAY_CLASSES:
        return None
    if annotated in _NESTED_ARRAY_CLASSES:
        raise AnnotationTypeError(
            f"{annotated.__name__} does not say its element types; spell the type out, "
            f"e.g. Param(arrow_type=pa.list_(pa.int64()))"
        )
    raise AnnotationTypeError(
        f"cannot infer an Arrow type from annotation {annotated!r}; use a pyarrow array class"
    )


def _without_none(annotated: Any) -> Any:
    """``int | None`` -> ``int``: a constant may always be SQL NULL, so ``None`` adds no type."""
    if typing.get_origin(annotated) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotated) if m is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotated


def constant_type(annotated: Any, explicit: pa.DataType | type | None) -> pa.DataType:
    """Arrow type of a constant parameter (always concrete: DuckDB must cast to it)."""
    annotated = _without_none(annotated)
    declared = _explicit(explicit)
    if declared is not None:
        return declared
    if annotated in _PYTHON_TYPES:
        return _PYTHON_TYPES[annotated]
    if annotated in _SCALAR_CLASS_TYPES:
        return _SCALAR_CLASS_TYPES[annotated]
    raise AnnotationTypeError(
        f"cannot infer an Arrow type for a constant annotated {annotated!r}; "
        f"use bool/int/float/str/bytes or ConstParam(arrow_type=...)"
    )


def wants_scalar_object(annotated: Any) -> bool:
    """True when the author asked for the ``pa.Scalar`` itself rather than its Python value."""
    annotated = _without_none(annotated)
    return isinstance(annotated, type) and issubclass(annotated, pa.Scalar)


def return_type(annotated: Any, explicit: pa.DataType | None) -> pa.DataType:
    """Arrow type of the result column; scalar functions must declare a concrete one."""
    if explicit is not None:
        return explicit
    inferred = column_type(annotated, None)
    if inferred is None:
        raise AnnotationTypeError("a result annotated pa.Array needs Returns(arrow_type=...)")
    return inferred
