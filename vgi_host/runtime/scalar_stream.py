"""The exchange stream that runs a bound scalar function batch by batch.

One input batch in, exactly one output batch out (vgi-rpc enforces the
lockstep).  The state keeps the bind request as bytes so the stream could be
rebuilt from a token by a stateless transport; the bound function itself is
transient and rebuilt by :meth:`ScalarExchangeState.rehydrate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Protocol, cast

import pyarrow as pa
from vgi_rpc import AnnotatedBatch, CallContext, ExchangeState, OutputCollector, Transient

from vgi_host.runtime.errors import FunctionError
from vgi_host.sdk.failures import PACK_FAILURES
from vgi_host.sdk.scalar import BoundScalar


class ScalarRebinder(Protocol):
    """What a stream needs from the service to rebuild itself."""

    def rebind_scalar(self, bind_request: bytes) -> BoundScalar:
        """Bind again from a serialised bind request."""
        ...


@dataclass
class ScalarExchangeState(ExchangeState):
    """Per-stream state of a scalar call."""

    qualified_name: str
    bind_request: bytes
    bound: Annotated[BoundScalar | None, Transient()] = field(default=None)

    def rehydrate(self, implementation: object) -> None:
        """Rebuild the bound function after the state crossed a stateless transport."""
        self.bound = cast(ScalarRebinder, implementation).rebind_scalar(self.bind_request)

    def exchange(self, input: AnnotatedBatch, out: OutputCollector, ctx: CallContext) -> None:
        """Compute one output batch for one input batch."""
        bound = self.bound
        assert bound is not None, "scalar stream used before it was bound"
        try:
            result: pa.RecordBatch = bound(input.batch)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc
        out.emit(result)
