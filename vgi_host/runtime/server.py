"""Assembling the RPC server from the installed packs."""

from __future__ import annotations

from vgi_rpc import RpcServer, rpc_methods

from vgi_host import __version__
from vgi_host.host.registry import PackRegistry
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime import error_logging
from vgi_host.runtime.containment import contained
from vgi_host.runtime.host_service import HostService
from vgi_host.runtime.startup_refusal import startup_refusal


def build_server(
    registry: PackRegistry | None = None,
    server_class: type[RpcServer] = RpcServer,
    *,
    stateless_streams: bool = True,
) -> tuple[RpcServer, PackRegistry]:
    """Load every pack (unless given a registry) and wrap the host service in an RpcServer.

    Error replies carry the message only: a traceback names the host's files
    and absolute paths, which are the operator's business, so it stays in the
    host log (vgi-rpc logs unexpected errors with their traceback).  The
    service is :func:`~vgi_host.runtime.containment.contained`, so pack code
    calling ``sys.exit()`` fails its call instead of ending the host.
    Transports that keep their connection (pipe, unix socket, TCP) pass
    ``stateless_streams=False``: see :class:`~vgi_host.runtime.host_service.HostService`.
    """
    error_logging.install()
    packs = registry if registry is not None else PackRegistry.load()
    service = contained(HostService, frozenset(rpc_methods(VgiProtocol)))(
        packs, stateless_streams=stateless_streams
    )
    server = server_class(
        VgiProtocol,
        service,
        server_version=f"vgi-host {__version__}",
        include_tracebacks=False,
    )
    return server, packs


def build_refusing_server(reason: str, server_class: type[RpcServer] = RpcServer) -> RpcServer:
    """A server whose every call answers that the host refused to start, and why."""
    error_logging.install()
    return server_class(
        VgiProtocol,
        startup_refusal(reason),
        server_version=f"vgi-host {__version__}",
        include_tracebacks=False,
    )
