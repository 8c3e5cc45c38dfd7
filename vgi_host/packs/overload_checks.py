"""Which same-named registrations a pack may make: overloads of one kind with distinct argument types.

One SQL name may be served by several classes of the same kind (overloading
by signature, :mod:`vgi_host.sdk.overloads`).  Refused: two registrations
with the same argument types (one class registered twice included), and one
name used by two kinds (DuckDB resolves scalar, aggregate and table names in
separate catalogs, so a call could not tell them apart).
"""

from __future__ import annotations

from collections.abc import Sequence

from vgi_host.kinds.registry import spec_of
from vgi_host.sdk.definition import FunctionDefinition


def _signature(definition: FunctionDefinition) -> tuple[object, ...]:
    """What tells overloads apart: each argument's kind, type and name (named ones)."""
    return tuple((a.is_table, a.is_constant, str(a.arrow_type), a.named) for a in definition.arguments)


def overload_problems(definitions: Sequence[FunctionDefinition]) -> list[str]:
    """Problems with the same-named definitions among ``definitions``."""
    problems: list[str] = []
    by_name: dict[str, list[FunctionDefinition]] = {}
    for definition in definitions:
        by_name.setdefault(definition.name.lower(), []).append(definition)
    for group in by_name.values():
        if len(group) < 2:
            continue
        names = ", ".join(d.function_class.__name__ for d in group)
        seen: dict[tuple[object, ...], FunctionDefinition] = {}
        for definition in group:
            first = seen.setdefault(_signature(definition), definition)
            if first is not definition:
                problems.append(
                    f"function name {definition.name!r} is registered twice "
                    f"({first.function_class.__name__} and {definition.function_class.__name__}) "
                    f"with the same argument types; overloads must differ in them"
                )
        kinds = {spec_of(d).name for d in group}
        if len(kinds) > 1:
            problems.append(
                f"function name {group[0].name!r} is used by functions of different kinds "
                f"({', '.join(sorted(kinds))}: {names}); overloads must share one kind"
            )
    return problems
