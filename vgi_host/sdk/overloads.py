"""Overloading by signature: one SQL name served by several classes of one kind.

Reference workers declare, say, ``format_number(x)``, ``format_number(x, p)``
and ``format_number(x, p, sep)`` as three classes with one ``Meta.name``.  The
catalog lists each class as its own entry (as the reference does); a call is
bound by trying every overload and keeping the one that binds with the most
argument types matching exactly, the earliest registered winning a tie.  So
``type_info(42::INTEGER)`` picks the ``int32`` class even though the ``int64``
one would accept the column by casting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from vgi_host.errors import BindError
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.sdk.metadata import FunctionMetadata
from vgi_host.sdk.signature import ArgumentSpec


def _exact_matches(
    arguments: Sequence[ArgumentSpec],
    input_schema: pa.Schema | None,
    positional: Sequence[pa.Scalar[Any] | None],
) -> int:
    """How many positional arguments arrive with exactly their declared type."""
    columns = [a for a in arguments if not a.is_constant and not a.is_table and a.named is None]
    constants = [a for a in arguments if a.is_constant and a.named is None]
    fields = list(input_schema) if input_schema is not None else []
    if columns and columns[-1].varargs and len(fields) > len(columns):
        columns += [columns[-1]] * (len(fields) - len(columns))
    score = sum(1 for spec, field in zip(columns, fields, strict=False) if spec.arrow_type == field.type)
    if constants and constants[-1].varargs and len(positional) > len(constants):
        constants += [constants[-1]] * (len(positional) - len(constants))
    score += sum(
        1
        for spec, value in zip(constants, positional, strict=False)
        if value is not None and spec.arrow_type == value.type
    )
    return score


def _arity_fits(
    arguments: Sequence[ArgumentSpec],
    input_schema: pa.Schema | None,
    positional: Sequence[pa.Scalar[Any] | None],
) -> bool:
    """Whether a call has as many columns and positional constants as the overload declares."""
    columns = [a for a in arguments if not a.is_constant and not a.is_table and a.named is None]
    constants = [a for a in arguments if a.is_constant and a.named is None]
    required = [a for a in constants if not a.has_default]
    takes_table = any(a.is_table for a in arguments)  # then the input schema is the table's, not columns
    if input_schema is not None and not takes_table:
        fixed = [a for a in columns if not a.varargs]
        if len(input_schema) < len(fixed) or (len(fixed) == len(columns) and len(input_schema) != len(fixed)):
            return False
    if constants and constants[-1].varargs:
        return len(positional) >= len(constants)
    return len(required) <= len(positional) <= len(constants)


class OverloadSet:
    """Several definitions of one kind sharing an SQL name; binds to the best-matching one.

    Anything else a kind asks of a definition (its catalog schema, its
    flags) is answered by the first overload; the catalog itself lists every
    overload through :attr:`members`.
    """

    def __init__(self, members: Sequence[FunctionDefinition]) -> None:
        if len(members) < 2:
            raise ValueError("an overload set needs at least two definitions")
        self.members: tuple[FunctionDefinition, ...] = tuple(members)

    @property
    def name(self) -> str:
        """The shared SQL name."""
        return self.members[0].name

    @property
    def metadata(self) -> FunctionMetadata:
        """The first overload's metadata."""
        return self.members[0].metadata

    @property
    def arguments(self) -> tuple[ArgumentSpec, ...]:
        """The first overload's arguments (each overload's are in its own catalog entry)."""
        return self.members[0].arguments

    @property
    def function_class(self) -> type:
        """The first overload's class (all share its kind)."""
        return self.members[0].function_class

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.members[0], attribute)

    def bind(self, *call: Any) -> Any:
        """Bind with the overload that fits best; ``call`` is what the kind passes to ``bind``.

        Table functions bind ``(positional, named)``; every other kind
        ``(input_schema, positional, named)``.
        """
        input_schema: pa.Schema | None = call[0] if len(call) == 3 else None
        positional: Sequence[pa.Scalar[Any] | None] = call[-2]
        named: Mapping[str, Any] = call[-1]
        best: tuple[int, Any] | None = None
        failures: list[str] = []
        fitting: list[Exception] = []
        for member in self.members:
            try:
                bound = member.bind(*call)  # type: ignore[attr-defined]
            except Exception as exc:  # a non-matching overload may fail in its own on_bind too
                failures.append(f"{member.function_class.__name__}: {exc}")
                if _arity_fits(member.arguments, input_schema, positional):
                    fitting.append(exc)
                continue
            score = _exact_matches(member.arguments, input_schema, positional)
            if best is None or score > best[0]:
                best = (score, bound)
        if best is None and len(fitting) == 1:
            raise fitting[0]  # the one overload of this shape rejected a value: its own message
        if best is None:
            raise BindError(
                f"no overload of {self.name!r} accepts these arguments"
                f"{' and named ' + str(sorted(named)) if named else ''}: " + "; ".join(failures)
            )
        return best[1]


def group_overloads(definitions: Sequence[FunctionDefinition]) -> list[FunctionDefinition]:
    """Same-named definitions as one :class:`OverloadSet`, others as they are (order kept)."""
    by_name: dict[str, list[FunctionDefinition]] = {}
    for definition in definitions:
        by_name.setdefault(definition.name.lower(), []).append(definition)
    return [group[0] if len(group) == 1 else OverloadSet(group) for group in by_name.values()]


def members_of(definition: FunctionDefinition) -> tuple[FunctionDefinition, ...]:
    """The overloads behind a definition (itself when it is not an overload set)."""
    return definition.members if isinstance(definition, OverloadSet) else (definition,)
