"""``serve --tcp [HOST:]PORT``: vgi-rpc's raw-framing TCP accept loop.

The same framing as the pipe, on a socket: no authentication and no
encryption, so the host defaults to loopback and binding anything else is the
operator's explicit choice (use HTTP, with bearer tokens behind TLS, on an
untrusted network).  Prints ``TCP:<host>:<port>`` once listening, with the
port the OS picked when asked for port 0.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from vgi_host.transports.discovery import DiscoveryLine

if TYPE_CHECKING:
    from vgi_rpc import RpcServer

log = logging.getLogger("vgi_host.transports")

DEFAULT_TCP_HOST = "127.0.0.1"


def parse_tcp_address(text: str) -> tuple[str, int]:
    """``[HOST:]PORT`` (IPv6 hosts in brackets) -> (host, port); raises ValueError with the expected form."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = DEFAULT_TCP_HOST, text
    host = host.strip("[]") or DEFAULT_TCP_HOST
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"--tcp expects [HOST:]PORT (e.g. 7000 or 127.0.0.1:0), got {text!r}") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"--tcp port must be 0-65535 (0 picks a free one), got {port}")
    return host, port


def serve_tcp_socket(
    server: RpcServer,
    host: str,
    port: int,
    *,
    announce: DiscoveryLine,
    idle_timeout: float | None,
    max_connections: int | None,
) -> None:
    """Listen on ``host:port``, announce the bound address, serve each connection on its own thread."""
    from vgi_rpc.rpc import serve_tcp

    def bound(bound_host: str, bound_port: int) -> None:
        announce.send(f"TCP:{bound_host}:{bound_port}")
        log.info("serving on tcp %s:%d", bound_host, bound_port)

    if host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("--tcp on %s: raw framing, no authentication or encryption; trusted networks only", host)
    serve_tcp(
        server,
        host,
        port,
        threaded=True,
        max_connections=max_connections,
        idle_timeout=idle_timeout,
        on_bound=bound,
    )
