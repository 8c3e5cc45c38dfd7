"""What stream states need from the service that runs them, and helpers they share.

Stream states are rebuilt from tokens on stateless transports: vgi-rpc calls
``rehydrate(implementation)`` with the service object, which rebinds the call
from the bind request the state carries.  Typed as a protocol so that kinds do
not import the service (which sits above them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from vgi_host.kinds.finish_states import FinishStates
    from vgi_host.kinds.spec import BoundCall
    from vgi_host.state.call_storage import StorageScopes


class StreamHost(Protocol):
    """The service as stream states see it."""

    def rebind_call(self, bind_request: bytes) -> BoundCall:
        """Resolve and bind again from a serialised bind request."""
        ...

    @property
    def finish_states(self) -> FinishStates:
        """Where table-in-out instances wait for their FINALIZE call."""
        ...

    @property
    def storage_scopes(self) -> StorageScopes:
        """The per-call storage of buffering functions, on the shared state store."""
        ...


def rebind_from(implementation: object, bind_request: bytes) -> BoundCall:
    """Rebind through whatever service vgi-rpc handed to ``rehydrate``."""
    return cast(StreamHost, implementation).rebind_call(bind_request)


def storage_scopes_of(implementation: object) -> StorageScopes:
    """The per-call storage of the service vgi-rpc handed to this turn."""
    return cast(StreamHost, implementation).storage_scopes
