"""The typer application: every `vgi-host` command except the serve fast path.

Exit codes, for scripts and CI:

* ``0``: success; for ``list``, every discovered pack loaded.
* ``1``: the command ran, but some pack failed to load (details are printed).
  For ``new``: refused (the target directory exists).
* ``2``: usage error (unknown option, bad argument).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vgi_host import __version__

if TYPE_CHECKING:
    from vgi_host.host.registry import PackRegistry

EXIT_OK = 0
EXIT_PACK_FAILURES = 1
EXIT_REFUSED = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="vgi-host",
    help="Serve every installed VGI function pack to DuckDB through one ATTACH.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vgi-host {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Serve every installed VGI function pack to DuckDB through one ATTACH."""


PackOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pack", "-p", help="Only these packs (repeatable or comma-separated; overrides $VGI_HOST_PACKS)."
    ),
]
DisableOption = Annotated[
    list[str] | None, typer.Option("--disable", help="Never these packs (overrides $VGI_HOST_DISABLE).")
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Config file (default: $VGI_HOST_CONFIG or the user config dir)."),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat any pack failure as an error (for CI).")]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Ignore the manifest cache: import every pack.")
]


def load_registry(
    pack: list[str] | None, disable: list[str] | None, config: Path | None, strict: bool, no_cache: bool
) -> PackRegistry:
    """The registry for the selection the options (and environment, and config file) describe."""
    from vgi_host.host.registry import PackRegistry
    from vgi_host.packs.selection import ConfigError, resolve_selection

    def split(values: list[str] | None) -> list[str]:
        return [part for value in values or [] for part in value.split(",") if part.strip()]

    try:
        selection = resolve_selection(
            enable=split(pack), disable=split(disable), strict=strict or None, config=config
        )
    except ConfigError as exc:
        typer.echo(f"vgi-host: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    return PackRegistry.load(selection=selection, use_cache=not no_cache)


@app.command("list")
def list_packs(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
    ] = False,
    pack: PackOption = None,
    disable: DisableOption = None,
    config: ConfigOption = None,
    strict: StrictOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Show every discovered pack, its status and its functions.

    Packs that failed to load (or are incompatible) are listed with their error
    and a remedy, and make the command exit with 1, so `vgi-host list` doubles
    as a quick check.  Disabled packs are listed but never imported.  Listing
    imports no pack whose manifest is cached.
    """
    from vgi_host.catalog.describe import describe_records

    registry = load_registry(pack, disable, config, strict, no_cache)
    if as_json:
        document = {"vgi_host_version": __version__, "packs": describe_records(registry.records)}
        typer.echo(json.dumps(document, indent=2))
    else:
        from vgi_host.cli.render import render_registry

        render_registry(registry)
    raise typer.Exit(EXIT_PACK_FAILURES if registry.failed else EXIT_OK)


@app.command("check")
def check(
    packs: Annotated[
        list[str] | None, typer.Argument(help="Packs to check (default: all discovered).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Import packs and validate them: hooks, documentation, names, types, compatibility, conflicts.

    Always imports (the manifest cache is bypassed).  Prints every finding with
    a remedy and exits with 1 when any error was found: run it in a pack's CI.
    """
    from vgi_host.cli.render import render_check
    from vgi_host.host.checks import run_check

    registry = load_registry(None, None, config, False, True)
    known = {r.name.lower() for r in registry.records}
    unknown = [p for p in packs or [] if p.lower() not in known]
    if unknown:
        typer.echo(f"vgi-host: no such pack(s): {', '.join(unknown)}", err=True)
        raise typer.Exit(EXIT_PACK_FAILURES)
    report = run_check(registry, packs)
    render_check(report)
    raise typer.Exit(EXIT_PACK_FAILURES if report.errors else EXIT_OK)


@app.command("info")
def info(
    target: Annotated[str, typer.Argument(help="PACK or PACK.FUNCTION")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Everything about one pack or one function: signature, docs, examples, distribution, load time."""
    from vgi_host.catalog.describe import describe_pack
    from vgi_host.cli.render import render_function, render_pack

    registry = load_registry(None, None, config, False, False)
    pack_name, _, function_name = target.partition(".")
    record = next((r for r in registry.records if r.name.lower() == pack_name.lower()), None)
    if record is None:
        typer.echo(f"vgi-host: no pack named {pack_name!r}", err=True)
        raise typer.Exit(EXIT_PACK_FAILURES)
    described = describe_pack(record)
    if function_name:
        entry = record.entry(function_name)
        if entry is None:
            typer.echo(f"vgi-host: pack {record.name!r} has no function {function_name!r}", err=True)
            raise typer.Exit(EXIT_PACK_FAILURES)
        if as_json:
            typer.echo(json.dumps({**entry.description.as_json(), "pack": record.name}, indent=2))
        else:
            render_function(record, entry.description.as_json())
    elif as_json:
        typer.echo(json.dumps(described, indent=2))
    else:
        render_pack(record, described)
    raise typer.Exit(EXIT_OK)


@app.command("new")
def new(
    name: Annotated[
        str,
        typer.Argument(
            help="Pack name: a lower-case SQL identifier such as `weather`; also the DuckDB schema.",
            metavar="NAME",
            show_default=False,
        ),
    ],
    path: Annotated[
        Path, typer.Option("--path", help="Directory to create the pack in.", file_okay=False)
    ] = Path("."),
) -> None:
    """Create a pack distribution `vgi-pack-NAME`, ready to test, build and publish.

    It has a pyproject (hatchling, the `vgi.functions` entry point, a compatible
    vgi-host range), one example function of each kind (scalar, table,
    table-in-out, aggregate), tests that use the `vgi` pytest fixture, and a
    README.  An existing directory is never overwritten (exit code 1).
    """
    from vgi_host.cli.scaffold import InvalidPackNameError, ScaffoldError, scaffold_pack

    try:
        target, files = scaffold_pack(name, path)
    except InvalidPackNameError as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from exc
    except ScaffoldError as exc:
        typer.echo(f"vgi-host: {exc}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc
    typer.echo(f"Created {target} ({len(files)} files):")
    for file in files:
        typer.echo(f"  {file}")
    typer.echo(
        "\nNext:\n"
        f"  cd {target}\n"
        "  uv venv && uv pip install -e . pytest   # or: pip install -e . pytest\n"
        "  uv run pytest                           # the functions, through a real `vgi-host serve`\n"
        "  uv build                                # a wheel and an sdist in dist/, for `uv publish`"
    )
    raise typer.Exit(EXIT_OK)


@app.command(
    "serve",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
)
def serve(ctx: typer.Context) -> None:
    """Speak the VGI protocol on stdin/stdout (what DuckDB's LOCATION runs).

    Use it as `ATTACH 'packs' (TYPE vgi, LOCATION 'vgi-host serve')`.  Run
    `vgi-host serve --help` for its options.
    """
    from vgi_host.cli.serve import serve_main

    raise typer.Exit(serve_main(list(ctx.args)))
