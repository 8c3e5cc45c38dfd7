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
from vgi_host.cli.serve_options import add_transport_arguments

log = logging.getLogger("vgi_host.serve")


_EXAMPLES = """\
examples:
  vgi-host serve                                  stdin/stdout (DuckDB: LOCATION 'vgi-host serve')
  vgi-host serve --unix /tmp/vgi.sock             a warm worker (DuckDB: LOCATION 'launch:vgi-host serve')
  vgi-host serve --tcp 127.0.0.1:0                raw framing on TCP (DuckDB: LOCATION 'tcp://host:port')
  VGI_SIGNING_KEY=... vgi-host serve --http --host 0.0.0.0 --port 8080
                                                  HTTP replicas (DuckDB: LOCATION 'http://host:8080')
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vgi-host serve",
        description=(
            "Speak the VGI protocol (vgi.v2 2.2.0), serving every installed pack:\n"
            "on stdin/stdout by default, or on a unix socket, TCP or HTTP."
        ),
        epilog=_EXAMPLES,
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(prog, max_help_position=32),
    )
    add_transport_arguments(parser)
    logging_group = parser.add_argument_group("logging")
    logging_group.add_argument(
        "--log-level",
        default=None,
        metavar="{DEBUG,INFO,WARNING,ERROR}",
        help="stderr log level, any case (default: $VGI_HOST_LOG_LEVEL or WARNING)",
    )
    state_group = parser.add_argument_group("state")
    state_group.add_argument(
        "--state-store",
        default=None,
        metavar="URL",
        help="aggregate state store: sqlite:///path.db (default), redis://host:port/db or "
        "postgresql://user@host:port/db (default: $VGI_HOST_STATE_STORE; see docs/state-stores.md)",
    )
    add_selection_arguments(parser.add_argument_group("pack selection"))
    parser.add_argument("--version", action="version", version=f"vgi-host {__version__}")
    return parser


def add_selection_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """The pack-selection options every command shares (defined once in vgi_host.cli.options)."""
    from vgi_host.cli.options import SELECTION_OPTIONS

    for spec in SELECTION_OPTIONS:
        if spec.kind == "names":
            parser.add_argument(
                *spec.flags, dest=spec.dest, action="append", default=[], metavar=spec.metavar, help=spec.help
            )
        elif spec.kind == "path":
            parser.add_argument(*spec.flags, dest=spec.dest, type=Path, metavar=spec.metavar, help=spec.help)
        else:
            # None (not False) for --strict, so the environment and config file decide when it is absent.
            parser.add_argument(
                *spec.flags, dest=spec.dest, action="store_true", default=None, help=spec.help
            )


def serve_main(argv: list[str]) -> int:
    """Serve until the client closes stdin (or the socket server stops); return the exit code."""
    from vgi_host.cli import logs
    from vgi_host.cli import serve_network as network
    from vgi_host.transports import frame_reader, framing, pipe

    options = _parser().parse_args(argv)
    on_pipe = not network.wants_network(options)
    hint = pipe.terminal_hint() if on_pipe else None
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
    try:
        network.check_network_options(options)
    except network.ServeOptionError as exc:
        log.error("%s", exc)
        return 2
    endpoint = pipe.PipeEndpoint.claim(max_frame)

    from vgi_host.host.registry import PackRegistry
    from vgi_host.packs.selection import ConfigError, resolve_selection, split_names
    from vgi_host.runtime.server import build_refusing_server, build_server
    from vgi_host.state.config import StateStoreConfigError, configure_state_store

    try:
        selection = resolve_selection(
            enable=split_names(options.pack),
            disable=split_names(options.disable),
            strict=options.strict,
            config=options.config,
        )
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    try:
        configure_state_store(options.state_store)
    except StateStoreConfigError as exc:
        log.error("%s", exc)
        return 2
    if options.state_store:
        # Worker processes (granian) build their own service: they read the store from here.
        os.environ["VGI_HOST_STATE_STORE"] = options.state_store
    registry = PackRegistry.load(selection=selection, use_cache=not bool(options.no_cache))
    unknown = selection.unknown_names(r.pack for r in registry.records)
    for warning in (*selection.warnings, *unknown):
        log.warning("%s", warning)
    for record in registry.failed:
        log.warning(
            "pack %s (%s %s) not served: %s", record.name, record.distribution, record.version, record.error
        )
    if selection.strict and (registry.failed or unknown):
        names = ", ".join(record.name for record in registry.failed)
        problems = [f"{len(registry.failed)} pack(s) failed to load ({names})"] if registry.failed else []
        if unknown:
            problems.append(f"{len(unknown)} unknown pack name(s)")
        reason = f"vgi-host serve --strict: {', '.join(problems)}; not serving"
        log.error("%s", reason)
        if on_pipe:
            endpoint.serve(build_refusing_server(reason, framing.FramingPolicyServer))
        return 1

    if not on_pipe:
        chosen = network.selection_arguments(options, split_names(options.pack), split_names(options.disable))
        return network.serve_network(options, registry, endpoint.writer.fileno(), chosen)
    server, _ = build_server(registry, framing.FramingPolicyServer, stateless_streams=False)
    return endpoint.serve(server)
