"""``serve --http``: vgi-rpc's WSGI app for the host, under waitress or granian.

vgi-rpc provides the protocol routes (``/vgi.v2/<method>``, ``.../init``,
``.../exchange``), stream-state tokens, request/response caps, compression and
``GET /health`` (always open, for load balancers).  This module adds what makes
it a deployment: the shared signing key, optional bearer tokens, our landing
page at ``/`` instead of vgi-rpc's generic one, and the choice of server.

waitress (one process, threads) is the default; ``--server granian`` runs N
worker processes with HTTP I/O in Rust.  Either way ``PORT:<n>`` is printed once
the port is bound.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vgi_host.transports.auth import bearer_authenticator, load_bearer_tokens
from vgi_host.transports.discovery import DiscoveryLine
from vgi_host.transports.http_settings import SETTINGS_ENV, HttpSettings
from vgi_host.transports.signing import SIGNING_KEY_ENV, resolve_signing_key

if TYPE_CHECKING:
    import falcon
    from vgi_rpc import RpcServer

    from vgi_host.host.registry import PackRegistry

log = logging.getLogger("vgi_host.transports")

HTTP_EXTRA_HINT = "serve --http needs the HTTP extra: pip install 'vgi-host[http]'"
GRANIAN_EXTRA_HINT = "serve --http --server granian needs: pip install 'vgi-host[granian]'"


class HttpUnavailableError(RuntimeError):
    """The HTTP server libraries are not installed; the message names the extra to install."""


def build_wsgi_app(server: RpcServer, registry: PackRegistry, settings: HttpSettings) -> falcon.App[Any, Any]:
    """The WSGI app one process serves: protocol routes, /health, landing page, auth and limits."""
    try:
        from vgi_rpc.http import make_wsgi_app
    except ImportError as exc:
        raise HttpUnavailableError(HTTP_EXTRA_HINT) from exc

    key = resolve_signing_key(
        Path(settings.signing_key_file) if settings.signing_key_file else None, processes=settings.workers
    )
    tokens = load_bearer_tokens(Path(settings.bearer_tokens_file) if settings.bearer_tokens_file else None)
    app = make_wsgi_app(
        server,
        token_key=key.key,
        max_request_bytes=settings.max_request_bytes,
        max_response_bytes=settings.max_response_bytes,
        authenticate=bearer_authenticator(tokens),
        enable_landing_page=False,
        enable_health_endpoint=True,
    )
    if settings.landing_page:
        from vgi_host.transports.landing import LandingPage

        app.add_route("/", LandingPage(registry, auth_required=bool(tokens)))
    log.info(
        "HTTP app ready: signing key from %s, %s, request cap %s bytes, response cap %s",
        key.source,
        f"{len(tokens)} bearer token(s)" if tokens else "no authentication",
        settings.max_request_bytes,
        settings.max_response_bytes,
    )
    return app


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _announce_when_listening(host: str, port: int, announce: DiscoveryLine, timeout: float = 120.0) -> None:
    """Send ``PORT:<n>`` once a connection to ``host:port`` succeeds, so a reader never races the bind."""
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((target, port), timeout=1.0):
                announce.send(f"PORT:{port}")
                return
        except OSError:
            time.sleep(0.05)
    log.error("HTTP server did not accept connections on %s:%d within %.0f s", host, port, timeout)


def serve_waitress(app: falcon.App[Any, Any], settings: HttpSettings, announce: DiscoveryLine) -> None:
    """Bind with waitress (the port is known once bound, also for port 0), announce it, serve forever."""
    try:
        import waitress.server  # type: ignore[import-untyped]
        from vgi_rpc.http.server._serve import _tame_queue_depth_logger, waitress_arrow_tuning
    except ImportError as exc:
        raise HttpUnavailableError(HTTP_EXTRA_HINT) from exc

    _tame_queue_depth_logger()
    options: dict[str, Any] = {"host": settings.host, "port": settings.port}
    options.update(waitress_arrow_tuning(settings.max_request_bytes))
    if settings.threads is not None:
        options["threads"] = settings.threads
    httpd = waitress.server.create_server(app, **options)
    port = int(httpd.effective_port)
    announce.send(f"PORT:{port}")
    log.info("serving HTTP on http://%s:%d/ (waitress)", settings.host, port)
    try:
        httpd.run()
    finally:
        httpd.close()


def serve_granian(settings: HttpSettings, announce: DiscoveryLine) -> None:
    """Start ``settings.workers`` granian processes; each builds its app from the exported settings."""
    try:
        from granian import Granian
        from granian.constants import Interfaces
    except ImportError as exc:
        raise HttpUnavailableError(GRANIAN_EXTRA_HINT) from exc

    port = settings.port or _free_port(settings.host)
    if settings.signing_key_file is None and not os.environ.get(SIGNING_KEY_ENV):
        # One process may mint its own key; say so once here rather than per worker.
        resolve_signing_key(None, processes=settings.workers)
    exported = HttpSettings(**{**settings.__dict__, "port": port})
    os.environ[SETTINGS_ENV] = exported.to_json()
    # granian binds in serve(), which never returns: announce from a thread once it accepts.
    threading.Thread(
        target=_announce_when_listening, args=(settings.host, port, announce), daemon=True
    ).start()
    log.info("starting HTTP on http://%s:%d/ (granian, %d worker(s))", settings.host, port, settings.workers)
    Granian(
        "vgi_host.transports.granian_app:app_factory",
        address=settings.host,
        port=port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        blocking_threads=settings.threads or 1,
        factory=True,
        log_enabled=False,
    ).serve()
