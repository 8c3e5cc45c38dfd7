"""Port the reference SDK's example functions by the porting rule, at test time.

The rule (docs/porting.md): every ``from vgi... import X, Y`` in worker code
becomes ``from vgi_host import X, Y``; nothing else changes.  The reference
fixtures also import each other (``vgi._test_fixtures.scalar._common``), so
those imports are pointed at the ported copy instead.  Nothing produced here
is committed: the sources are read from the installed vgi-python wheel.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import vgi

REFERENCE_FIXTURES = Path(vgi.__file__).parent / "_test_fixtures"
PORTED_PACKAGE = "ported_fixtures"


def rewrite_imports(source: str) -> str:
    """Apply the porting rule to one module's source text (also used for third-party workers)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    # Replace each import statement's line span, last first so offsets stay valid.
    for node in sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom | ast.Import)),
        key=lambda n: n.lineno,
        reverse=True,
    ):
        if isinstance(node, ast.Import):
            if any(a.name == "vgi" or a.name.startswith("vgi.") for a in node.names):
                raise NotImplementedError(
                    f"line {node.lineno}: `import vgi...` binds a module; the rule covers "
                    f"`from vgi... import NAME`, port this line by hand"
                )
            continue
        module = node.module or ""
        if module.startswith("vgi._test_fixtures"):
            target = PORTED_PACKAGE + module.removeprefix("vgi._test_fixtures")
        elif module == "vgi" or module.startswith("vgi."):
            target = "vgi_host"
        else:
            continue
        names = ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names)
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        end = node.end_lineno or node.lineno
        lines[node.lineno - 1 : end] = [f"{indent}from {target} import {names}\n"] + [""] * (
            end - node.lineno
        )
    return "".join(lines)


def port_fixtures(destination: Path, subpackages: tuple[str, ...]) -> Path:
    """Write ported copies of the named fixture subpackages/modules under ``destination``.

    Returns the directory to put on ``sys.path``.
    """
    package = destination / PORTED_PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""Reference fixtures ported by the import rule."""\n')
    for name in subpackages:
        source = REFERENCE_FIXTURES / name
        if source.is_dir():
            for file in source.rglob("*.py"):
                target = package / file.relative_to(REFERENCE_FIXTURES)
                target.parent.mkdir(parents=True, exist_ok=True)
                if file.name == "__init__.py":
                    # A fixture package's __init__ only re-exports every sibling module; importing
                    # one module would then import all of them, so one unserved feature anywhere
                    # would hide every class.  Each module is ported and judged on its own instead.
                    target.write_text('"""Ported fixture package (re-exports left out)."""\n')
                    continue
                target.write_text(rewrite_imports(file.read_text()))
        else:
            (package / f"{name}.py").write_text(rewrite_imports((source.with_suffix(".py")).read_text()))
    return destination
