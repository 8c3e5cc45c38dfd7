"""Every Python example in docs/ runs, and the generated CLI reference covers every command.

The ```python blocks of each page are executed in order in one namespace, so a
page's examples must be self-contained and correct.  A block preceded by an
`<!-- skip-test -->` line is skipped (for code that needs an installed pack or
a running host); use it sparingly.  Blocks that define `test_*` functions taking
the `vgi` fixture are only defined here, not run: the interop suite runs the
plugin itself.
"""

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
SKIP_MARKER = "<!-- skip-test -->"
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.MULTILINE | re.DOTALL
)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block not marked to be skipped."""
    blocks = []
    for match in FENCE.finditer(text):
        if match.group("info").strip().split(" ")[0] not in ("python", "py"):
            continue
        before = text[: match.start()].rstrip().splitlines()
        if before and before[-1].strip() == SKIP_MARKER:
            continue
        line = text.count("\n", 0, match.start()) + 2
        blocks.append((line, textwrap.dedent(match.group("body"))))
    return blocks


PAGES = sorted(p for p in DOCS.rglob("*.md") if python_blocks(p.read_text(encoding="utf-8")))


def test_the_extractor_finds_blocks_and_honours_the_marker():
    text = (
        "```python\na = 1\n```\n\n"
        "<!-- skip-test -->\n```python\nraise SystemExit\n```\n\n"
        "```toml\nx = 1\n```\n"
    )
    assert python_blocks(text) == [(2, "a = 1\n")]
    assert {p.name for p in PAGES} >= {"pack-authors.md", "porting.md", "testing.md"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_examples_run(page):
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for line, code in python_blocks(page.read_text(encoding="utf-8")):
        try:
            exec(compile(code, f"{page.relative_to(DOCS)}:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{page.name}, block at line {line}: {type(exc).__name__}: {exc}\n\n{code}")


def test_cli_reference_covers_every_command():
    spec = importlib.util.spec_from_file_location("cli_reference", DOCS / "hooks" / "cli_reference.py")
    assert spec is not None
    assert spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    page = hook.render_cli_reference()
    import typer

    from vgi_host.cli.app import app

    commands = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"list", "check", "info", "new", "serve"} <= set(commands)
    for command in commands:
        assert f"## vgi-host {command}\n" in page
    assert "vgi-host new [OPTIONS] NAME" in page
    assert "--log-level" in page  # serve's own argparse options
    assert "`--json`" in page
