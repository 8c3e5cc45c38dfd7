"""docs/protocol.md's method table names exactly the methods the served implementation answers.

The implementation is found the way a client meets it: build the RPC server
and ask it which object serves the protocol, so the test follows the service
class wherever it moves.  A method counts as served when a class of the
implementation defines it without being the catch-all base that refuses every
method of the protocol.
"""

import re
from pathlib import Path

from vgi_host.host.registry import PackRegistry
from vgi_host.runtime.server import build_server

PAGE = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
GENERIC_ROWS = ("every write and DDL method", "every other method")


def served_methods() -> set[str]:
    server, _ = build_server(PackRegistry(()))
    protocol = set(server.methods)
    implementation = type(server.implementation)
    served = set()
    for klass in implementation.__mro__:
        defined = protocol & set(vars(klass))
        if defined == protocol:  # the base that answers every method with a refusal
            continue
        served |= defined
    return served


def documented_methods() -> dict[str, str]:
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## What the host serves", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("methods", "---") or cells[0].startswith(GENERIC_ROWS):
            continue
        for name in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


def test_the_method_table_matches_the_served_implementation():
    served = served_methods()
    documented = documented_methods()
    assert len(served) > 20  # the introspection found the real service
    assert sorted(set(documented) - served) == [], "documented as served, but refused by the service"
    assert sorted(served - set(documented)) == [], "served, but missing from docs/protocol.md's table"


def test_rows_do_not_call_served_objects_empty():
    documented = documented_methods()
    for method in ("catalog_schema_contents_tables", "catalog_schema_contents_views", "catalog_table_get"):
        assert "empty" not in documented[method], method
