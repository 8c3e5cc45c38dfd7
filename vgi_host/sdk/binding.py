"""Turning constant arguments (Arrow scalars from the wire) into checked Python values.

Shared by every function kind: scalar ``ConstParam``s, table-function ``Arg``s
and aggregate constants all arrive as ``pa.Scalar`` values in
``Arguments.positional`` / ``Arguments.named`` and get the same treatment — cast
to the declared type, range- and choice-checked, defaulted when omitted — with
errors that name the argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError
from vgi_host.sdk.casting import CAST_FAILURES, cast_or_raise
from vgi_host.sdk.signature import ArgumentSpec
from vgi_host.sdk.values import TaggedUnion
from vgi_host.sql_types import sql_type


def _column_step(spec: ArgumentSpec, index: int, field: pa.Field[Any]) -> tuple[str, int, pa.DataType | None]:
    """Check one incoming column; answer (parameter, column index, cast target or None)."""
    for bound in spec.type_bounds:
        if not bound(field.type):
            raise BindError(
                f"argument {spec.name!r}: column {field.name!r} has type {sql_type(field.type)}, "
                f"but the type bound requires {getattr(bound, '__name__', repr(bound))}"
            )
    target = spec.arrow_type
    if target is None or field.type == target:
        return spec.name, index, None
    if not implicitly_castable(field.type, target):
        got, wanted = sql_type(field.type), sql_type(target)
        raise BindError(
            f"argument {spec.name!r}: column {field.name!r} has type {got}, expected {wanted} "
            f"(no implicit cast from {got} to {wanted})"
        )
    return spec.name, index, target


def implicitly_castable(source: pa.DataType, target: pa.DataType) -> bool:
    """Whether a column may be cast to a parameter's type without the caller asking.

    The reference SDK's rule (vgi-python 0.47.0): any column whose type differs
    from the declared one is cast with Arrow's ``cast`` before the function
    sees it, text to numbers included; values that do not convert fail that
    batch, with Arrow's message.  vgi-host follows it, and checks at bind that
    Arrow has a cast at all, so a column that can never convert (a struct to
    an integer) is refused before any data moves.
    """
    if pa.types.is_null(source):
        return True
    try:
        pa.array([], type=source).cast(target)
    except CAST_FAILURES:
        return False
    return True


ColumnPlan = tuple[tuple[str, int, pa.DataType | None], ...]
"""Per column argument: (parameter name, batch column index, cast target or None)."""


def plan_columns(specs: Sequence[ArgumentSpec], input_schema: pa.Schema | None) -> ColumnPlan:
    """Check the incoming columns against the column parameters, by position.

    Clients name columns as they like (DuckDB sends ``col_0, col_1, ...``), so
    only count, types and type bounds are checked; castable types are cast per
    batch.  A variadic last parameter takes every remaining column (at least
    one, as in the reference): its plan entries repeat its name.
    """
    received = list(input_schema) if input_schema is not None else []
    variadic = specs[-1] if specs and specs[-1].varargs else None
    fixed = specs[:-1] if variadic is not None else specs
    if variadic is not None and len(received) > len(fixed):
        specs = [*fixed, *([variadic] * (len(received) - len(fixed)))]
    elif variadic is not None:
        if len(received) == len(fixed):
            raise BindError(f"Varargs parameter {variadic.name!r} requires at least 1 value.")
        specs = list(fixed)
    if len(received) != len(specs):
        expected = ", ".join(f"{a.name} {a.sql_type}" for a in specs) or "none"
        raise BindError(f"expects {len(specs)} column argument(s) ({expected}); got {len(received)}")
    return tuple(
        _column_step(spec, index, field)
        for index, (spec, field) in enumerate(zip(specs, received, strict=True))
    )


def variadic_name(specs: Sequence[ArgumentSpec]) -> str | None:
    """The name of the variadic column parameter, if the last one is."""
    return specs[-1].name if specs and specs[-1].varargs else None


def gather_columns(
    plan: ColumnPlan, variadic: str | None, column: Callable[[int], pa.Array[Any]]
) -> dict[str, Any]:
    """Keyword arguments from one batch: each parameter its column, the variadic one a list of them."""
    values: dict[str, Any] = {}
    for name, index, cast_to in plan:
        array = column(index) if cast_to is None else column(index).cast(cast_to)
        if name == variadic:
            values.setdefault(name, []).append(array)
        else:
            values[name] = array
    return values


def bind_constants(
    specs: Sequence[ArgumentSpec], supplied: Sequence[pa.Scalar[Any] | None]
) -> dict[str, Any]:
    """Resolve, type-check and range-check the constant arguments."""
    if len(supplied) > len(specs):
        raise BindError(f"takes {len(specs)} constant argument(s); got {len(supplied)}")
    values: dict[str, Any] = {}
    for position, spec in enumerate(specs):
        # ``None`` is an argument that was not supplied at all; an SQL NULL
        # arrives as an invalid scalar and is handled by _constant_value.
        scalar = supplied[position] if position < len(supplied) else None
        if scalar is None:
            if not spec.has_default:
                raise BindError(f"missing constant argument {spec.name!r} ({spec.sql_type})")
            values[spec.name] = spec.default
            continue
        values[spec.name] = constant_value(spec, scalar)
    return values


def constant_value(spec: ArgumentSpec, scalar: pa.Scalar[Any]) -> Any:
    """One supplied constant, cast to the declared type and checked; NULL becomes None."""
    if spec.arrow_type is not None:
        supplied = scalar
        scalar = cast_or_raise(
            scalar,
            spec.arrow_type,
            lambda got, wanted: BindError(
                f"constant argument {spec.name!r} must be {wanted}; got {got} {supplied.as_py()!r}"
            ),
        )
    if not scalar.is_valid:
        return scalar if spec.passes_scalar else None
    value = scalar.as_py()
    _check_constraint(spec, value)
    return scalar if spec.passes_scalar else value


def variadic_value(scalar: pa.Scalar[Any] | None) -> Any:
    """One value of a variadic table argument, as the reference passes it.

    The Arrow scalar as sent, so a function can read its type; a UNION's as a
    :class:`TaggedUnion` naming its active member.
    """
    if scalar is None or not isinstance(scalar, pa.UnionScalar):
        return scalar
    if not scalar.is_valid:
        return None
    code: Any = scalar.type_code
    member = scalar.type.field(list(scalar.type.type_codes).index(code))
    inner = scalar.value
    return TaggedUnion(tag=member.name, value=inner.as_py() if inner is not None else None)


def _check_constraint(spec: ArgumentSpec, value: Any) -> None:
    rule = spec.constraint
    if rule is None:
        return
    # Each message opens with the reference SDK's sentence, so errors read the same under both.
    if rule.choices is not None and value not in rule.choices:
        raise BindError(
            f"Argument {spec.name!r} has an invalid value. "
            f"constant argument {spec.name!r} must be one of {list(rule.choices)}; got {value!r}"
        )
    checks: tuple[tuple[float | None, str, str, Callable[[Any, float], bool]], ...] = (
        (rule.ge, ">=", "small", lambda v, b: v >= b),
        (rule.le, "<=", "large", lambda v, b: v <= b),
        (rule.gt, ">", "small", lambda v, b: v > b),
        (rule.lt, "<", "large", lambda v, b: v < b),
    )
    is_nan = isinstance(value, float) and math.isnan(value)
    for bound, symbol, size, holds in checks:
        if bound is not None and (is_nan or not holds(value, bound)):
            raise BindError(
                f"Argument {spec.name!r} is too {size}. "
                f"constant argument {spec.name!r} must be {symbol} {bound}; got {value!r}"
            )


def bind_declared(
    specs: Sequence[ArgumentSpec],
    positional: Sequence[pa.Scalar[Any] | None],
    named: Mapping[str, pa.Scalar[Any]],
) -> dict[str, Any]:
    """Bind positional and named ``Arg`` declarations; keys are the declared attribute names.

    The TABLE input of a table-in-out function is not a value: DuckDB leaves it
    out of ``positional`` and the Python client may send a placeholder in its
    slot, so a trailing entry at the table's position is ignored.
    """
    ordered = [s for s in specs if s.named is None and not s.is_table]
    table_slot = next((s.position for s in specs if s.is_table), None)
    supplied = list(positional)
    if table_slot is not None and len(supplied) > table_slot:
        del supplied[table_slot]
    if ordered and ordered[-1].varargs:
        variadic, ordered = ordered[-1], ordered[:-1]
        rest = supplied[len(ordered) :]
        values = bind_constants(ordered, supplied[: len(ordered)])
        if not rest:
            raise BindError(f"Argument {variadic.name!r} requires at least 1 value.")
        values[variadic.name] = tuple(variadic_value(s) for s in rest)
    else:
        values = bind_constants(ordered, supplied)
    by_key = {s.named: s for s in specs if s.named is not None}
    # A named argument the function does not declare is ignored, as vgi-python 0.47.0 does for
    # table functions: DuckDB already refuses an undeclared ``key := value`` at bind (it knows
    # the catalog's named parameters), so only a hand-written client can send one, and the
    # reference answers it.  Refusing here made ported workers fail where the original works.
    for key, spec in by_key.items():
        scalar = named.get(key)
        if scalar is None:
            if not spec.has_default:
                raise BindError(f"missing named argument {key!r} ({spec.sql_type})")
            values[spec.name] = spec.default
        else:
            values[spec.name] = constant_value(spec, scalar)
    return values
