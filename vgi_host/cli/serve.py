"""`vgi-host serve`: speak the VGI protocol on stdin/stdout.

Kept free of typer and rich (see :mod:`vgi_host.cli.main`).  This module only
reads options, loads the packs and picks what to serve; the pipe itself (its
descriptors, the terminal hint, the policy for a broken stream and the exit
status) is :mod:`vgi_host.transports.pipe`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from vgi_host import __version__

log = logging.getLogger("vgi_host.serve")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vgi-host serve",
        description=(
            "Speak the VGI protocol (vgi.v2 2.2.0) on stdin/stdout, serving every installed pack. "
            "DuckDB runs this for ATTACH 'packs' (TYPE vgi, LOCATION 'vgi-host serve')."
        ),
    )
    parser.add_argument(
        "--log-level",
        default=None,
        metavar="{DEBUG,INFO,WARNING,ERROR}",
        help="stderr log level, any case (default: $VGI_HOST_LOG_LEVEL or WARNING)",
    )
    add_selection_arguments(parser)
    parser.add_argument("--version", action="version", version=f"vgi-host {__version__}")
    return parser


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The pack-selection options `serve` shares with `list` (see vgi_host.packs.selection)."""
    parser.add_argument(
        "-p",
        "--pack",
        action="append",
        default=[],
        metavar="NAME",
        help="serve only these packs (repeatable or comma-separated; overrides $VGI_HOST_PACKS)",
    )
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="NAME",
        help="never serve these packs (overrides $VGI_HOST_DISABLE)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default: $VGI_HOST_CONFIG or the user config dir)",
    )
    parser.add_argument(
        "--strict", action="store_true", default=None, help="any pack failure is a startup error"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="ignore the manifest cache: import every pack"
    )


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def serve_main(argv: list[str]) -> int:
    """Run the serve loop until the client closes stdin; return the exit code."""
    from vgi_host.cli import logs
    from vgi_host.transports import frame_reader, framing, pipe

    options = _parser().parse_args(argv)
    hint = pipe.terminal_hint()
    if hint is not None:
        print(hint, file=sys.stderr)
        return 2
    try:
        if options.log_level is not None:
            level = logs.parse_level(options.log_level)
        else:
            level = logs.parse_level(os.environ.get("VGI_HOST_LOG_LEVEL") or "WARNING", "VGI_HOST_LOG_LEVEL")
        max_frame = frame_reader.max_frame_bytes()
    except ValueError as exc:
        print(f"vgi-host serve: {exc}", file=sys.stderr)
        return 2
    logs.configure(level)
    endpoint = pipe.PipeEndpoint.claim(max_frame)

    from vgi_host.host.registry import PackRegistry
    from vgi_host.packs.selection import ConfigError, resolve_selection
    from vgi_host.runtime.server import build_refusing_server, build_server

    try:
        selection = resolve_selection(
            enable=_split(options.pack),
            disable=_split(options.disable),
            strict=options.strict,
            config=options.config,
        )
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    registry = PackRegistry.load(selection=selection, use_cache=not options.no_cache)
    for record in registry.failed:
        log.warning(
            "pack %s (%s %s) not served: %s", record.name, record.distribution, record.version, record.error
        )
    if selection.strict and registry.failed:
        names = ", ".join(record.name for record in registry.failed)
        reason = (
            f"vgi-host serve --strict: {len(registry.failed)} pack(s) failed to load ({names}); not serving"
        )
        log.error("%s", reason)
        endpoint.serve(build_refusing_server(reason, framing.FramingPolicyServer))
        return 1

    server, _ = build_server(registry, framing.FramingPolicyServer)
    return endpoint.serve(server)
