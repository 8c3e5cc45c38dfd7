"""The package's layering, checked from the source: dependencies point one way.

Every ``import`` in ``vgi_host`` counts - module level, inside functions, and
under ``TYPE_CHECKING`` - because a function-local import hides a cycle
without removing it.  A module may import from its own subpackage and from
any lower layer, never from a higher one or a sibling on its own layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import vgi_host

PACKAGE_ROOT = Path(vgi_host.__file__).parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "sql_types"}),
    frozenset({"protocol"}),
    frozenset({"sdk"}),
    frozenset({"state"}),
    frozenset({"model"}),
    frozenset({"kinds"}),
    frozenset({"catalog"}),
    frozenset({"packs"}),
    frozenset({"host"}),
    frozenset({"runtime"}),
    frozenset({"transports"}),
    frozenset({"cli", "testing"}),
)
"""Lowest first.  ``vgi_host/__init__.py`` (the lazy public API) and ``__main__`` sit above all."""

FACADES = frozenset({"__init__", "__main__"})


def _unit(module_path: Path) -> str:
    """The layering unit of a file: its subpackage, or its module name at the top level."""
    relative = module_path.relative_to(PACKAGE_ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_units(source: Path) -> set[str]:
    units: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "vgi_host":
                names = [f"vgi_host.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "vgi_host" and len(parts) > 1 and parts[1] != "__version__":
                units.add(parts[1])
    return units


def _layer_of(unit: str) -> int:
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    raise AssertionError(f"{unit!r} is in no layer: add it to LAYERS in {__file__}")


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for source in sorted(PACKAGE_ROOT.rglob("*.py")):
        unit = _unit(source)
        if unit in FACADES:
            continue
        for target in _imported_units(source):
            if target != unit and target not in FACADES:
                edges.setdefault((unit, target), []).append(str(source.relative_to(PACKAGE_ROOT)))
    return edges


def test_every_subpackage_has_a_layer():
    units = {_unit(p) for p in PACKAGE_ROOT.rglob("*.py")} - FACADES
    for unit in units:
        _layer_of(unit)


def test_imports_point_down_the_layers():
    upward = [
        f"{source} ({files[0]}) imports {target}"
        for (source, target), files in sorted(_edges().items())
        if _layer_of(target) >= _layer_of(source)
    ]
    assert not upward, "imports against the layering:\n" + "\n".join(upward)


def test_no_cycle_between_subpackages():
    graph: dict[str, set[str]] = {}
    for source, target in _edges():
        graph.setdefault(source, set()).add(target)
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        assert node not in visiting, "import cycle: " + " -> ".join([*visiting, node])
        visiting.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        visiting.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def test_the_checker_sees_function_local_and_type_checking_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from vgi_host.runtime import x\n"
        "def f():\n    import vgi_host.cli.app\n"
        "from vgi_host import errors\n"
    )
    assert _imported_units(module) == {"runtime", "cli", "errors"}
