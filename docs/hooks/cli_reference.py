"""mkdocs hook: the command-line reference page (``cli.md``), generated from the CLI at build time.

The page is never written to the repository, so it cannot go stale: every
``mkdocs build`` renders it again from the typer application (commands, their
help, arguments and options) and from the argument parser of ``vgi-host serve``
(which bypasses typer for start-up speed).  ``render_cli_reference`` is plain
Python, so a unit test can check it without mkdocs.
"""

from __future__ import annotations

import argparse
import inspect
from typing import Any

PAGE = "cli.md"

INTRO = """\
# Command line

`vgi-host` is installed with the `vgi-host` distribution. This page is generated from the
command-line code each time the documentation is built.

| exit code | meaning |
| --- | --- |
| `0` | success: for `list`, every listed pack loaded (also when a pipe's reader stopped early) |
| `1` | some pack failed to load, a check found errors, `info` found nothing, `new` refused |
| `2` | usage error: bad option or argument, a PACK that is not installed, a bad config file |

Under `--strict`, an unknown pack name or config table is a usage error too (2).
`list` and `check` print a table on a terminal and tab-separated lines (`--format plain`) in a pipe;
`--format json` (or `--json`) for programs. Pack-supplied text is always printed as written.
"""


def _usage(command: Any, path: str) -> str:
    pieces = [path, "[OPTIONS]"]
    for param in command.params:
        if param.param_type_name == "argument":
            name = (param.metavar or param.name or "ARG").upper()
            if param.nargs == -1 and not name.endswith("..."):
                name += "..."
            pieces.append(name if param.required else f"[{name}]")
    return " ".join(pieces)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _parameters(command: Any) -> list[str]:
    # Duck-typed: typer ships its own copy of click, so click's classes are not typer's.
    rows: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument":
            name = f"`{(param.metavar or param.name or '').upper()}`"
        elif param.param_type_name == "option":
            name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        else:
            continue
        help_text = _cell(getattr(param, "help", None) or "")
        default = param.default
        if param.param_type_name == "option" and not param.is_flag and default not in (None, (), []):
            help_text += f" (default: `{default}`)"
        rows.append(f"| {name} | {help_text} |")
    if not rows:
        return []
    return ["| argument or option | what |", "| --- | --- |", *rows, ""]


def _serve_help() -> str:
    from vgi_host.cli import serve

    parser = serve._parser()
    parser.formatter_class = lambda prog: argparse.RawDescriptionHelpFormatter(
        prog, width=100, max_help_position=32
    )
    return parser.format_help()


def render_cli_reference() -> str:
    """The whole page, as Markdown."""
    import typer
    import typer.main

    from vgi_host.cli.app import app

    root: Any = typer.main.get_command(app)
    context = typer.Context(root, info_name="vgi-host")
    lines = [INTRO]
    lines += ["## vgi-host", "", inspect.cleandoc(root.help or ""), "", *_parameters(root)]
    for name in sorted(root.list_commands(context)):
        command = root.get_command(context, name)
        if command is None or command.hidden:
            continue
        path = f"vgi-host {name}"
        lines += [f"## {path}", "", "```text", _usage(command, path), "```", ""]
        lines += [inspect.cleandoc(command.help or ""), ""]
        if name == "serve":
            lines += ["Its options (it parses them itself, without typer):", ""]
            lines += ["```text", _serve_help(), "```", ""]
        else:
            lines += _parameters(command)
    return "\n".join(lines).rstrip() + "\n"


def on_files(files: Any, config: Any) -> Any:
    """Add the generated page to the site's files (mkdocs calls this before building the nav)."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=render_cli_reference()))
    return files
