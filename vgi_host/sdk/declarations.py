"""Reading ``Annotated[T, Arg(...)]`` class attributes into argument specs.

Table, table-in-out and aggregate functions declare their constant arguments
as class annotations (the reference SDK's shape); scalar functions declare
them on ``compute`` instead (see :mod:`vgi_host.sdk.signature`).  Both end as
:class:`~vgi_host.sdk.signature.ArgumentSpec` records, so binding and catalog
code is shared.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from typing import Any

import pyarrow as pa

from vgi_host.errors import FunctionDefinitionError
from vgi_host.sdk.annotations import class_hints
from vgi_host.sdk.duckdb_types import refuse_declared_type
from vgi_host.sdk.params import Arg, TableInput
from vgi_host.sdk.signature import NO_DEFAULT, ArgumentSpec
from vgi_host.sdk.types import AnnotationTypeError, constant_type
from vgi_host.sdk.values import AnyArrow


def arguments_holder(cls: type) -> type:
    """The class whose annotations declare ``cls``'s arguments.

    vgi-host's own shape declares them on the function class.  The reference
    SDK declares them on a separate dataclass, named by a ``FunctionArguments``
    attribute or given as the first type argument of the base
    (``TableFunctionGenerator[MyArgs, MyState]``).
    """
    holder = getattr(cls, "FunctionArguments", None)
    if isinstance(holder, type):
        return holder
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            arguments = typing.get_args(base)
            if arguments and isinstance(arguments[0], type) and dataclasses.is_dataclass(arguments[0]):
                return arguments[0]
    return cls


def _declared(cls: type) -> list[tuple[str, Any, Arg]]:
    source = arguments_holder(cls)
    try:
        hints = class_hints(source)
    except Exception as exc:
        raise FunctionDefinitionError(f"{cls.__name__}: cannot resolve annotations: {exc}") from exc
    found = []
    for attribute, hint in hints.items():
        if typing.get_origin(hint) is not typing.Annotated:
            continue
        base, *extras = typing.get_args(hint)
        marker = next((e for e in extras if isinstance(e, Arg)), None)
        if marker is not None:
            found.append((attribute, base, marker))
    return found


def _element(base: Any) -> Any:
    """``list[float]`` -> ``float``: a variadic argument is annotated with the list of its values."""
    if typing.get_origin(base) in (list, tuple, collections.abc.Sequence):
        members = typing.get_args(base)
        if members:
            return members[0]
    return base


def _declared_type(cls: type, attribute: str, base: Any, arg: Arg) -> pa.DataType | None:
    """A row-transform column's or a variadic constant's type.

    ``AnyArrow`` is ``None`` (any type, listed as ``vgi_type=any``); a bare
    ``Any`` is Arrow's null type, as the reference lists it.
    """
    element = _element(base) if arg.varargs else base
    if arg.arrow_type is None and element is AnyArrow:
        return None
    if arg.arrow_type is None and element is Any:
        return pa.null()
    try:
        return constant_type(element, arg.arrow_type)
    except AnnotationTypeError as exc:
        raise FunctionDefinitionError(f"{cls.__name__}.{attribute}: {exc}") from exc


def read_declared_arguments(
    cls: type, *, allow_table: bool, input_columns: bool = False
) -> tuple[ArgumentSpec, ...]:
    """Positional arguments in position order, then named ones by name (the reference's order).

    With ``input_columns`` (a row-transform function) the positional arguments
    are the call's input columns, not constants, and each may be ``AnyArrow``.
    The last positional argument may be variadic: it stands for every remaining
    column or constant.
    """
    positional: list[ArgumentSpec] = []
    named: list[ArgumentSpec] = []
    for attribute, base, arg in _declared(cls):
        column = input_columns and isinstance(arg.position, int)
        if arg.varargs and (not isinstance(arg.position, int) or arg.has_default):
            raise FunctionDefinitionError(
                f"{cls.__name__}.{attribute}: a variadic argument (Arg(varargs=True)) is positional "
                f"and has no default (it takes at least one value)"
            )
        is_table = base is TableInput
        if is_table and not allow_table:
            raise FunctionDefinitionError(
                f"{cls.__name__}.{attribute}: only table-in-out functions take a TABLE"
            )
        if column or arg.varargs:
            arrow_type = _declared_type(cls, attribute, base, arg)
        else:
            try:
                arrow_type = None if is_table else constant_type(base, arg.arrow_type)
            except AnnotationTypeError as exc:
                raise FunctionDefinitionError(f"{cls.__name__}.{attribute}: {exc}") from exc
        refuse_declared_type(f"{cls.__name__}.{attribute}", arrow_type)
        spec = ArgumentSpec(
            name=attribute,
            position=arg.position if isinstance(arg.position, int) else -1,
            is_constant=not column,
            varargs=arg.varargs,
            arrow_type=arrow_type,
            doc=arg.doc,
            constraint=arg.as_constraint(),
            default=arg.default if arg.has_default else NO_DEFAULT,
            named=arg.position if isinstance(arg.position, str) else None,
            is_table=is_table,
            declared_on_class=True,
        )
        (named if spec.named is not None else positional).append(spec)
    positional.sort(key=lambda s: s.position)
    named.sort(key=lambda s: s.named or s.name)  # the reference lists named arguments by name
    if [s.position for s in positional] != list(range(len(positional))):
        raise FunctionDefinitionError(
            f"{cls.__name__}: positional Arg positions must be 0, 1, 2, ... without gaps; "
            f"got {[s.position for s in positional]}"
        )
    if any(s.varargs for s in positional[:-1]):
        raise FunctionDefinitionError(f"{cls.__name__}: only the last positional argument may be variadic")
    tables = [s for s in positional if s.is_table]
    if tables and tables[0] is not positional[-1]:
        raise FunctionDefinitionError(
            f"{cls.__name__}.{tables[0].name}: the TABLE argument must be the last positional argument "
            f"(DuckDB leaves it out of the argument list, so later positions would shift)"
        )
    late = [s.name for s in positional if not s.is_table][
        next((i for i, s in enumerate(positional) if s.has_default), len(positional)) :
    ]
    if any(not s.has_default for s in positional if s.name in late and not s.is_table):
        raise FunctionDefinitionError(f"{cls.__name__}: positional arguments with defaults must come last")
    return (*positional, *named)


def read_table_kind_arguments(cls: type) -> tuple[ArgumentSpec, ...]:
    """A table-in-out or table-buffering class's arguments, with its TABLE input always present.

    Both kinds read a whole input relation; a class that declares no ``TableInput`` still gets one,
    after the positional arguments, so the catalog and binding see the same signature.
    """
    arguments = read_declared_arguments(cls, allow_table=True)
    if any(a.is_table for a in arguments):
        return arguments
    positional = [a for a in arguments if a.named is None]
    table = ArgumentSpec(
        name="input",
        position=len(positional),
        is_constant=False,
        arrow_type=None,
        doc="The input rows",
        default=NO_DEFAULT,
        is_table=True,
    )
    return (*positional, table, *(a for a in arguments if a.named is not None))
