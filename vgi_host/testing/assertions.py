"""What "documented" means for a pack, checked on the catalog entries DuckDB receives.

The rules are :mod:`vgi_host.catalog.lint`'s, the same ones `vgi-host check`
applies, read from :class:`~vgi_host.protocol.functions.FunctionInfo` (what
``duckdb_functions()`` shows) rather than the pack's classes, so they hold for
whatever the host actually serves.  Each function returns a list of
problems, one line each, naming the function and the rule's code; an empty
list means all is well.
"""

from __future__ import annotations

from collections.abc import Sequence

from vgi_host.catalog.lint import DOCUMENTATION_CODES, EXAMPLE_CODES, function_lints, problem_lines
from vgi_host.protocol.functions import FunctionInfo

__all__ = ["documentation_problems", "example_problems"]


def _problems(functions: Sequence[FunctionInfo], codes: frozenset[str]) -> list[str]:
    if not functions:
        return ["  - the pack serves no functions"]
    lints = [lint for info in functions for lint in function_lints(info) if lint.code in codes]
    return problem_lines(lints)


def example_problems(functions: Sequence[FunctionInfo]) -> list[str]:
    """Functions without an SQL example that calls them by name."""
    return _problems(functions, EXAMPLE_CODES)


def documentation_problems(functions: Sequence[FunctionInfo]) -> list[str]:
    """Missing descriptions, argument docs and examples."""
    return _problems(functions, DOCUMENTATION_CODES)
