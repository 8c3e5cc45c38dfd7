"""Assembling the RPC server from the installed packs."""

from __future__ import annotations

from vgi_rpc import RpcServer

from vgi_host import __version__
from vgi_host.host.registry import PackRegistry
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime import error_logging
from vgi_host.runtime.host_service import HostService


def build_server(registry: PackRegistry | None = None) -> tuple[RpcServer, PackRegistry]:
    """Load every pack (unless given a registry) and wrap the host service in an RpcServer."""
    error_logging.install()
    packs = registry if registry is not None else PackRegistry.load()
    server = RpcServer(VgiProtocol, HostService(packs), server_version=f"vgi-host {__version__}")
    return server, packs
