"""What "documented" means for a pack, checked on the catalog entries DuckDB receives.

The checks read :class:`~vgi_host.protocol.functions.FunctionInfo` (what
``duckdb_functions()`` shows), not the pack's classes, so they hold for
whatever the host actually serves.  Each returns a list of problems, one line
each, naming the function; an empty list means all is well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vgi_host.protocol.functions import FunctionInfo

__all__ = ["documentation_problems", "example_problems"]

_DOC_KEY = b"vgi_doc"


def _qualified(info: FunctionInfo) -> str:
    return ".".join([*info.schema_path, info.name])


def example_problems(functions: Sequence[FunctionInfo]) -> list[str]:
    """Functions without an SQL example that calls them by name."""
    if not functions:
        return ["  - the pack serves no functions"]
    problems: list[str] = []
    for info in functions:
        calls = re.compile(rf"\b{re.escape(info.name)}\s*\(", re.IGNORECASE)
        if not info.examples:
            problems.append(f"  - {_qualified(info)}: no example (add `examples` to its Meta)")
        elif not any(calls.search(example.sql) for example in info.examples):
            problems.append(f"  - {_qualified(info)}: no example's SQL calls {info.name}(...)")
    return problems


def documentation_problems(functions: Sequence[FunctionInfo]) -> list[str]:
    """Missing descriptions, argument docs and examples."""
    if not functions:
        return ["  - the pack serves no functions"]
    problems: list[str] = []
    for info in functions:
        name = _qualified(info)
        if not info.description.strip():
            problems.append(f"  - {name}: no description (give the class a docstring or Meta.description)")
        for argument in info.arguments:
            doc = (argument.metadata or {}).get(_DOC_KEY, b"")
            if not doc.strip():
                problems.append(
                    f"  - {name}: argument {argument.name!r} has no doc (doc=... in its Param/Arg)"
                )
    return problems + example_problems(functions)
