"""The typer application: every `vgi-host` command except the serve fast path.

Exit codes, for scripts and CI:

* ``0``: success; for ``list``, every discovered pack loaded.  Also when the
  reader of our output went away (``vgi-host list | head -1``).
* ``1``: the command ran, but some pack failed to load or a check found errors
  (details are printed).  For ``new``: refused (the target directory exists).
* ``2``: usage error (unknown option, bad argument, unknown pack named as an
  argument, unreadable config file).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vgi_host import __version__
from vgi_host.cli import options
from vgi_host.cli.output import console, emit_lines, quiet_broken_pipe

if TYPE_CHECKING:
    from vgi_host.host.registry import PackRegistry
    from vgi_host.model.records import PackRecord

EXIT_OK = 0
EXIT_PACK_FAILURES = 1
EXIT_REFUSED = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="vgi-host",
    help="Serve every installed VGI function pack to DuckDB through one ATTACH.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    """How `list` and `check` print."""

    TABLE = "table"
    PLAIN = "plain"
    JSON = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vgi-host {__version__}")
        raise typer.Exit()


VersionOption = Annotated[
    bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
]
"""Accepted by every command as well as by `vgi-host` itself (`vgi-host list --version`)."""


@app.callback()
def _root(version: VersionOption = False) -> None:
    """Serve every installed VGI function pack to DuckDB through one ATTACH."""


def _names_option(spec: options.OptionSpec) -> Any:
    return typer.Option(*spec.flags, help=spec.help, metavar=spec.metavar, show_default=False)


PackOption = Annotated[list[str] | None, _names_option(options.PACK)]
DisableOption = Annotated[list[str] | None, _names_option(options.DISABLE)]
ConfigOption = Annotated[
    Path | None,
    typer.Option(*options.CONFIG.flags, help=options.CONFIG.help, metavar=options.CONFIG.metavar),
]
StrictOption = Annotated[bool, typer.Option(*options.STRICT.flags, help=options.STRICT.help)]
NoCacheOption = Annotated[bool, typer.Option(*options.NO_CACHE.flags, help=options.NO_CACHE.help)]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="table, plain (tab-separated, a line per record) or json [default: table on a tty, else plain]",
        show_default=False,
        case_sensitive=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
PacksArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Only these packs (default: every discovered pack).", metavar="PACK...", show_default=False
    ),
]


def _format(chosen: OutputFormat | None, as_json: bool) -> OutputFormat:
    if as_json:
        return OutputFormat.JSON
    if chosen is not None:
        return chosen
    return OutputFormat.TABLE if sys.stdout.isatty() else OutputFormat.PLAIN


def _warn(message: str) -> None:
    typer.echo(f"vgi-host: warning: {message}", err=True)


def load_registry(
    pack: list[str] | None,
    disable: list[str] | None,
    config: Path | None,
    strict: bool,
    no_cache: bool,
) -> PackRegistry:
    """The registry for the selection the options (and environment, and config file) describe.

    Unknown pack names and config tables are warned about, naming what exists;
    under ``--strict`` (or ``strict = true`` in the config) they are usage errors.
    """
    from vgi_host.host.registry import PackRegistry
    from vgi_host.packs.selection import ConfigError, resolve_selection, split_names

    try:
        selection = resolve_selection(
            enable=split_names(pack), disable=split_names(disable), strict=strict or None, config=config
        )
    except ConfigError as exc:
        typer.echo(f"vgi-host: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    registry = PackRegistry.load(selection=selection, use_cache=not no_cache)
    unknown = selection.unknown_names(r.pack for r in registry.records)
    for warning in (*selection.warnings, *unknown):
        _warn(warning)
    if unknown and selection.strict:
        typer.echo("vgi-host: unknown pack names are errors under --strict", err=True)
        raise typer.Exit(EXIT_USAGE)
    return registry


def _chosen(registry: PackRegistry, names: list[str] | None) -> tuple[PackRecord, ...]:
    """The records the positional PACK arguments name (all when none); unknown names are usage errors."""
    if not names:
        return registry.records
    wanted = {n.lower() for n in names}
    known = {r.name.lower() for r in registry.records} | {r.pack.lower() for r in registry.records}
    unknown = sorted(wanted - known)
    if unknown:
        installed = ", ".join(r.name for r in registry.records) or "none"
        typer.echo(f"vgi-host: no such pack(s): {', '.join(unknown)} (installed: {installed})", err=True)
        raise typer.Exit(EXIT_USAGE)
    return tuple(r for r in registry.records if r.name.lower() in wanted or r.pack.lower() in wanted)


@app.command("list")
def list_packs(
    packs: PacksArgument = None,
    output: FormatOption = None,
    as_json: JsonOption = False,
    brief: Annotated[
        bool, typer.Option("--brief", "-b", help="One line (or table row) per pack, without its functions.")
    ] = False,
    pack: PackOption = None,
    disable: DisableOption = None,
    config: ConfigOption = None,
    strict: StrictOption = False,
    no_cache: NoCacheOption = False,
    version: VersionOption = False,
) -> None:
    """Show every discovered pack, its status and its functions.

    Packs that failed to load (or are incompatible) are listed with their error
    and a remedy, and make the command exit with 1, so `vgi-host list` doubles
    as a quick check.  Disabled packs are listed but never imported.  Listing
    imports no pack whose manifest is cached.
    """
    registry = load_registry(pack, disable, config, strict, no_cache)
    records = _chosen(registry, packs)
    chosen = _format(output, as_json)
    with quiet_broken_pipe():
        if chosen is OutputFormat.JSON:
            from vgi_host.catalog.describe import describe_records

            described = {(d["pack"], d["name"]): d for d in describe_records(registry.records)}
            document = {
                "vgi_host_version": __version__,
                "packs": [described[(r.pack, r.name)] for r in records],
            }
            typer.echo(json.dumps(document, indent=2))
        elif chosen is OutputFormat.PLAIN:
            from vgi_host.cli.render import plain_registry

            emit_lines(plain_registry(records, brief=brief))
        else:
            from vgi_host.cli.render import render_registry

            render_registry(records, console(), brief=brief)
    failed = any(r in registry.failed for r in records)
    raise typer.Exit(EXIT_PACK_FAILURES if failed else EXIT_OK)


@app.command("check")
def check(
    packs: PacksArgument = None,
    output: FormatOption = None,
    as_json: JsonOption = False,
    pack: PackOption = None,
    disable: DisableOption = None,
    config: ConfigOption = None,
    strict: Annotated[
        bool,
        typer.Option(
            *options.STRICT.flags,
            help="Warnings are errors too (the metadata linter's strict profile), and unknown pack names.",
        ),
    ] = False,
    version: VersionOption = False,
) -> None:
    """Import packs and validate them: hooks, documentation, catalog metadata, types, compatibility.

    Always imports (the manifest cache is bypassed).  Every finding has a
    stable code and a remedy.  Exits with 1 when any error was found (with
    --strict, any finding at all): run it in a pack's CI.  Packs deselected
    with --pack/--disable (or the environment or config file) are skipped,
    not failed.
    """
    from vgi_host.host.checks import run_check

    registry = load_registry(pack, disable, config, strict, True)
    chosen_records = _chosen(registry, packs)
    report = run_check(registry, [r.name for r in chosen_records], strict=strict)
    chosen = _format(output, as_json)
    with quiet_broken_pipe():
        if chosen is OutputFormat.JSON:
            from vgi_host.cli.render import check_json

            typer.echo(check_json(report, __version__))
        elif chosen is OutputFormat.PLAIN:
            from vgi_host.cli.render import plain_check

            emit_lines(plain_check(report))
        else:
            from vgi_host.cli.render import render_check

            render_check(report, console())
    raise typer.Exit(EXIT_PACK_FAILURES if report.errors else EXIT_OK)


@app.command("info")
def info(
    target: Annotated[
        str,
        typer.Argument(
            help="PACK, PACK.FUNCTION, PACK.TABLE, PACK.VIEW, or a function name only one pack defines.",
            metavar="TARGET",
            show_default=False,
        ),
    ],
    as_json: JsonOption = False,
    config: ConfigOption = None,
    version: VersionOption = False,
) -> None:
    """Everything about one pack, function, table or view: signature, docs, examples, distribution."""
    from vgi_host.cli.lookup import TargetNotFoundError, resolve_target

    registry = load_registry(None, None, config, False, False)
    try:
        found = resolve_target(registry, target)
    except TargetNotFoundError as exc:
        typer.echo(f"vgi-host: {exc}", err=True)
        raise typer.Exit(EXIT_PACK_FAILURES) from exc
    from vgi_host.cli.lookup import pack_facts

    with quiet_broken_pipe():
        if found.entry is None:
            from vgi_host.catalog.describe import describe_pack

            described = describe_pack(found.record)
            if as_json:
                typer.echo(json.dumps(described, indent=2))
            else:
                from vgi_host.cli.render import render_pack

                render_pack(found.record, pack_facts(found.record), console())
        elif as_json:
            typer.echo(json.dumps({**found.entry.description.as_json(), "pack": found.record.name}, indent=2))
        elif not found.is_function:
            from vgi_host.cli.render import render_object

            render_object(found.record, found.entry.description.as_json(), console())
        else:
            from vgi_host.cli.render import render_function

            render_function(found.record, found.entry.description.as_json(), console())
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
        Path,
        typer.Option("--path", help="Directory to create the pack in.", file_okay=False, metavar="DIR"),
    ] = Path("."),
    version: VersionOption = False,
) -> None:
    """Create a pack distribution `vgi-pack-NAME`, ready to test, build and publish.

    It has a pyproject (hatchling, the `vgi.functions` entry point, a compatible
    vgi-host range), one example function of each kind (scalar, table,
    table-in-out, aggregate), tests that use the `vgi` pytest fixture, and a
    README.  When vgi-host itself was installed from a local checkout or wheel,
    the pack's pyproject points uv there, so the printed steps work before
    vgi-host is published.  An existing directory is never overwritten (exit code 1).
    """
    from vgi_host.cli.scaffold import InvalidPackNameError, ScaffoldError, name_warnings, scaffold_pack

    try:
        warnings = name_warnings(name)
        target, files, steps = scaffold_pack(name, path)
    except InvalidPackNameError as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from exc
    except ScaffoldError as exc:
        typer.echo(f"vgi-host: {exc}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc
    for warning in warnings:
        _warn(warning)
    typer.echo(f"Created {target} ({len(files)} files):")
    for file in files:
        typer.echo(f"  {file}")
    typer.echo("\nNext:\n" + "\n".join(f"  {step}" for step in steps))
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
