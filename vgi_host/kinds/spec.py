"""The contract every function kind fulfils, and the per-call objects kinds share.

A :class:`KindSpec` answers every kind-specific question the host asks: is
this class one of mine, what is its definition, what does the catalog say
about it, does this request address my kind, how does a call bind, and which
stream runs it.  The service, the router and the catalog only ever ask a spec;
that is what makes a new kind one module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from vgi_host.errors import BindError
from vgi_host.protocol.invocation import GlobalInitResponse

if TYPE_CHECKING:
    from vgi_rpc import Stream, StreamState

    from vgi_host.kinds.finish_states import FinishStates
    from vgi_host.protocol.functions import FunctionInfo
    from vgi_host.protocol.invocation import BindRequest, InitRequest
    from vgi_host.sdk.definition import FunctionDefinition
    from vgi_host.state.call_storage import StorageScopes


@dataclass(frozen=True, slots=True)
class BoundCall:
    """A resolved and bound invocation: who, which kind, and the kind's bound object."""

    qualified_name: str
    """``<pack>.<function>``, the prefix of every error about this call."""
    spec: KindSpec
    bound: Any
    """The kind's own bound object (``BoundScalar``, ``BoundTable``...)."""
    output_schema: pa.Schema
    """The full (unprojected) output schema the bind answers."""
    request: BindRequest


@dataclass(frozen=True, slots=True)
class CallContext:
    """What one invocation carries besides its request: identity and the host's services.

    Built by the router for every call and handed to the backend that serves
    it, so that an out-of-process backend or a mounted worker can be added
    without touching routing.  Peer and authentication details join here when
    a transport provides them.
    """

    execution_id: bytes | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Any] = field(default_factory=dict)
    peer: str | None = None


@dataclass(frozen=True, slots=True)
class StreamSetup:
    """Everything a kind needs to open the stream of one ``init``."""

    call: BoundCall
    request: InitRequest
    execution_id: bytes
    is_secondary: bool
    """A further worker of a call another process already started (``execution_id`` was given)."""
    scalar_workers: int
    finish_states: FinishStates
    storage: Callable[[], StorageScopes] | None = None
    """The per-call storage scopes (opened on first use: most calls never need the state store)."""

    def header(self, max_workers: int) -> GlobalInitResponse:
        """The stream header every kind answers ``init`` with."""
        return GlobalInitResponse(
            execution_id=self.execution_id, opaque_data=self.request.init_opaque_data, max_workers=max_workers
        )


class KindSpec(ABC):
    """One function kind (see the module docstring)."""

    name: ClassVar[str]
    label: ClassVar[str]
    base: ClassVar[type]
    """The SDK base class pack classes of this kind derive from."""
    stream_states: ClassVar[tuple[type[StreamState], ...]] = ()
    """Every stream state class this kind's ``init`` may answer with (for stateless transports)."""

    @abstractmethod
    def definition(self, function_class: Any) -> FunctionDefinition:
        """Validate a registered class of this kind and read its definition."""

    @abstractmethod
    def function_info(self, definition: Any, schema: str) -> FunctionInfo:
        """The catalog entry of one function in schema ``schema``."""

    @abstractmethod
    def returns_sql(self, definition: Any) -> str:
        """What a call produces, as a SQL user reads it (a type, or ``TABLE(...)``)."""

    def addressed_by(self, request: BindRequest) -> bool:
        """Whether a ``bind``/``init`` request of this shape is a call of this kind."""
        return False

    def bind(self, definition: Any, request: BindRequest) -> tuple[Any, pa.Schema]:
        """Bind one call: ``(bound object, output schema)``; raise :class:`BindError` on misfit."""
        raise BindError(f"{self.label} functions are not bound with bind")

    def open_stream(self, setup: StreamSetup) -> Stream[StreamState, GlobalInitResponse]:
        """The execution stream for one ``init``."""
        raise BindError(f"{self.label} functions are not run with init")

    def cardinality(self, bound: Any) -> int | None:
        """The function's own row-count estimate for a bound call, if it has one."""
        return None
