"""The typer application: every `vgi-host` command except the serve fast path.

Exit codes, for scripts and CI:

* ``0``: success; for ``list``, every discovered pack loaded.
* ``1``: the command ran, but some pack failed to load (details are printed).
* ``2``: usage error (unknown option, bad argument).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from vgi_host import __version__

EXIT_OK = 0
EXIT_PACK_FAILURES = 1

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


@app.command("list")
def list_packs(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
    ] = False,
) -> None:
    """Show every discovered pack, its status and its functions.

    Packs that failed to load are listed with their error and a remedy.  Exits
    with 1 when any pack failed, so `vgi-host list` doubles as a quick check.
    """
    from vgi_host.catalog.describe import describe_registry
    from vgi_host.packs.registry import PackRegistry

    registry = PackRegistry.load()
    if as_json:
        typer.echo(
            json.dumps({"vgi_host_version": __version__, "packs": describe_registry(registry)}, indent=2)
        )
    else:
        from vgi_host.cli.render import render_registry

        render_registry(registry)
    raise typer.Exit(EXIT_PACK_FAILURES if registry.failed else EXIT_OK)


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
