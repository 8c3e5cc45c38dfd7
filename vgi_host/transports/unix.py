"""``serve --unix PATH``: vgi-rpc's AF_UNIX accept loop under the launcher contract.

The contract (vgi-rpc's launcher and DuckDB's ``launch:`` LOCATION):
the worker is started with ``--unix PATH --idle-timeout SECONDS`` appended,
binds the socket, prints exactly ``UNIX:<absolute path>`` on stdout, serves
any number of concurrent connections (each on its own thread), and exits once
it has had no connection for the idle timeout.  The launcher derives PATH from
a hash of the worker's argv, working directory and ``VGI_RPC_*`` environment,
so every client of one user asking for ``vgi-host serve`` reaches one warm
process.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from vgi_host.transports.discovery import DiscoveryLine

if TYPE_CHECKING:
    from vgi_rpc import RpcServer

log = logging.getLogger("vgi_host.transports")


def serve_unix_socket(
    server: RpcServer,
    path: str,
    *,
    announce: DiscoveryLine,
    idle_timeout: float | None,
    max_connections: int | None,
) -> None:
    """Bind ``path``, announce it, and serve until the idle timeout (None: forever)."""
    from vgi_rpc.rpc import serve_unix

    absolute = os.path.abspath(path)

    def bound(bound_path: str) -> None:
        announce.send(f"UNIX:{bound_path}")
        log.info("serving on unix socket %s (idle timeout %s s)", bound_path, idle_timeout)

    serve_unix(
        server,
        absolute,
        threaded=True,
        max_connections=max_connections,
        idle_timeout=idle_timeout,
        on_bound=bound,
    )
