"""``serve --unix / --tcp / --http``: check the options, then hand the host to a transport.

Options that can be wrong (a missing signing key for several workers, an
unreadable token file, HTTP libraries not installed) are checked before any
pack is loaded, so a misconfigured deployment fails in milliseconds with one
clear line instead of after start-up.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from vgi_host.transports.auth import BearerTokenError, load_bearer_tokens
from vgi_host.transports.discovery import DiscoveryLine
from vgi_host.transports.http import GRANIAN_EXTRA_HINT, HTTP_EXTRA_HINT, HttpUnavailableError
from vgi_host.transports.http_settings import HttpSettings
from vgi_host.transports.signing import SigningKeyError, resolve_signing_key

if TYPE_CHECKING:
    from vgi_host.host.registry import PackRegistry

log = logging.getLogger("vgi_host.serve")


class ServeOptionError(ValueError):
    """A transport option that cannot work; the message says which and what to do."""


def wants_network(options: argparse.Namespace) -> bool:
    """Whether a socket transport was asked for (else serve stdin/stdout)."""
    return bool(options.unix or options.tcp or options.http)


def http_settings(options: argparse.Namespace, selection: dict[str, object]) -> HttpSettings:
    """The HTTP deployment's settings from the parsed options."""
    return HttpSettings(
        host=options.host,
        port=options.port,
        workers=max(options.workers, 1),
        server=options.server,
        threads=options.threads,
        signing_key_file=str(options.signing_key_file) if options.signing_key_file else None,
        bearer_tokens_file=str(options.bearer_tokens_file) if options.bearer_tokens_file else None,
        max_request_bytes=options.max_request_bytes or None,
        max_response_bytes=options.max_response_bytes or None,
        landing_page=not options.no_landing_page,
        selection=selection,
        use_cache=not options.no_cache,
    )


def check_network_options(options: argparse.Namespace) -> None:
    """Raise :class:`ServeOptionError` for options that cannot work, before packs are loaded."""
    if not options.http:
        return
    if importlib.util.find_spec("falcon") is None or importlib.util.find_spec("waitress") is None:
        raise ServeOptionError(HTTP_EXTRA_HINT)
    if options.server == "granian" and importlib.util.find_spec("granian") is None:
        raise ServeOptionError(GRANIAN_EXTRA_HINT)
    if options.workers > 1 and options.server != "granian":
        raise ServeOptionError(
            f"--workers {options.workers} needs --server granian (waitress runs one process; "
            "use --threads for concurrency within it)"
        )
    try:
        if options.workers > 1 or options.signing_key_file is not None:
            resolve_signing_key(options.signing_key_file, processes=options.workers)
        load_bearer_tokens(options.bearer_tokens_file)
    except (SigningKeyError, BearerTokenError) as exc:
        raise ServeOptionError(str(exc)) from None


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve_network(
    options: argparse.Namespace, registry: PackRegistry, announce_fd: int, selection: dict[str, object]
) -> int:
    """Serve ``registry`` on the requested socket until idle timeout or interrupt; the exit code."""
    from vgi_host.runtime.server import build_server

    announce = DiscoveryLine(announce_fd)
    # SIGTERM (systemd, Kubernetes, the launcher's tooling) should end the serve loop the way
    # Ctrl-C does, so vgi-rpc's cleanup runs: the unix socket file is removed, the port closed.
    # granian installs its own handlers for its worker processes.
    if not (options.http and options.server == "granian"):
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    idle = options.idle_timeout or None
    connections = options.max_connections or None
    try:
        if options.unix:
            from vgi_host.transports.stream_loop import StreamLoopServer
            from vgi_host.transports.unix import serve_unix_socket

            server, _ = build_server(registry, StreamLoopServer, stateless_streams=False)
            serve_unix_socket(
                server, options.unix, announce=announce, idle_timeout=idle, max_connections=connections
            )
        elif options.tcp:
            from vgi_host.transports.stream_loop import StreamLoopServer
            from vgi_host.transports.tcp import serve_tcp_socket

            host, port = options.tcp
            server, _ = build_server(registry, StreamLoopServer, stateless_streams=False)
            serve_tcp_socket(
                server, host, port, announce=announce, idle_timeout=idle, max_connections=connections
            )
        else:
            settings = http_settings(options, selection)
            if settings.server == "granian":
                from vgi_host.transports.http import serve_granian

                serve_granian(settings, announce)
            else:
                from vgi_host.transports.http import build_wsgi_app, serve_waitress

                server, _ = build_server(registry)
                serve_waitress(build_wsgi_app(server, registry, settings), settings, announce)
    except KeyboardInterrupt:
        return 130
    except (HttpUnavailableError, SigningKeyError, BearerTokenError) as exc:
        log.error("%s", exc)
        return 2
    except (RuntimeError, OSError) as exc:
        # e.g. "another process is already listening", address in use, permission denied.
        log.error("cannot serve: %s", exc)
        return 1
    return 0


def selection_arguments(
    options: argparse.Namespace, enabled: list[str], disabled: list[str]
) -> dict[str, object]:
    """The selection keyword arguments, JSON-ready, for worker processes that rebuild the registry."""
    config: Path | None = options.config
    return {
        "enable": enabled,
        "disable": disabled,
        "strict": options.strict,
        "config": str(config) if config else None,
    }
