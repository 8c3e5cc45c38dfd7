"""The two errors a pack's tests meet: the host refused a call, or never started.

Kept apart from the client so the drivers, the catalog helpers and the process
code raise the same classes without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable

import vgi_rpc

__all__ = ["HostStartError", "VgiCallError", "rpc_call"]


class VgiCallError(Exception):
    """The host answered a call with an error.

    ``str(error)`` is the host's message, which names the pack and function
    (``geo.haversine_km: lat1 must be within [-90, 90]; row 2 is 91.0``), so
    ``pytest.raises(VgiCallError, match=...)`` reads like the SQL error a
    DuckDB user would see.
    """

    def __init__(self, message: str, *, error_type: str = "", remote_traceback: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        """The exception class the host raised (``BindError``, ``FunctionError``, ...)."""
        self.remote_traceback = remote_traceback

    @classmethod
    def from_rpc(cls, error: vgi_rpc.RpcError) -> VgiCallError:
        """Wrap a vgi-rpc error, keeping the host's message as the message."""
        return cls(
            error.error_message or str(error),
            error_type=error.error_type,
            remote_traceback=error.remote_traceback,
        )


class HostStartError(RuntimeError):
    """``vgi-host serve`` did not start, or does not serve a pack the test asked for."""


def rpc_call[T](call: Callable[[], T]) -> T:
    """Run one protocol call, turning the host's error answer into :class:`VgiCallError`."""
    try:
        return call()
    except vgi_rpc.RpcError as exc:
        raise VgiCallError.from_rpc(exc) from exc
