"""Reading the host's catalog the way DuckDB does, and holding it to the documentation rules.

DuckDB learns a pack's functions from ``catalog_schemas`` and one
``catalog_schema_contents_functions`` call per listing type; these helpers make
the same calls, so a test sees exactly the ``FunctionInfo`` DuckDB registers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from vgi_host.protocol.catalog import SchemaInfo
from vgi_host.protocol.enums import SchemaObjectType
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.service import VgiProtocol
from vgi_host.testing.assertions import documentation_problems, example_problems
from vgi_host.testing.errors import rpc_call

__all__ = [
    "FUNCTION_LISTINGS",
    "assert_documented",
    "assert_examples_present",
    "find_function",
    "list_functions",
    "served_packs",
]

FUNCTION_LISTINGS = (
    SchemaObjectType.SCALAR_FUNCTION,
    SchemaObjectType.TABLE_FUNCTION,
    SchemaObjectType.AGGREGATE_FUNCTION,
)
"""The listing types DuckDB asks for, one call each (table-in-out functions list as table functions)."""


def served_packs(proxy: VgiProtocol, attach: bytes) -> list[str]:
    """The names of the packs the host serves (its schemas other than ``main``), sorted."""
    response = rpc_call(lambda: proxy.catalog_schemas(attach_opaque_data=attach))
    names = {info.path[-1] for info in response.decode_items(SchemaInfo) if info.path}
    return sorted(n for n in names if n != "main")


def list_functions(proxy: VgiProtocol, attach: bytes, pack: str) -> list[FunctionInfo]:
    """Every function of ``pack`` as the catalog describes it to DuckDB, sorted by name."""
    found: list[FunctionInfo] = []
    for kind in FUNCTION_LISTINGS:
        response = rpc_call(
            functools.partial(
                proxy.catalog_schema_contents_functions, attach_opaque_data=attach, path=[pack], type=kind
            )
        )
        found.extend(response.decode_items(FunctionInfo))
    return sorted(found, key=lambda info: info.name)


def find_function(functions: Sequence[FunctionInfo], pack: str, name: str) -> FunctionInfo:
    """The entry named ``name`` (any case); a ``LookupError`` naming the pack's functions if absent."""
    for info in functions:
        if info.name.lower() == name.lower():
            return info
    names = ", ".join(info.name for info in functions) or "none"
    raise LookupError(f"pack {pack!r} has no function {name!r}; its functions: {names}")


def assert_documented(functions: Sequence[FunctionInfo], pack: str) -> None:
    """Fail unless every function has a description, every argument a doc, and an example."""
    problems = documentation_problems(functions)
    if problems:
        raise AssertionError(f"pack {pack!r} is not fully documented:\n" + "\n".join(problems))


def assert_examples_present(functions: Sequence[FunctionInfo], pack: str) -> None:
    """Fail unless every function has at least one SQL example that calls it."""
    problems = example_problems(functions)
    if problems:
        raise AssertionError(f"pack {pack!r} lacks examples:\n" + "\n".join(problems))
