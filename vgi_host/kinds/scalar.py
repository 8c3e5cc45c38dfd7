"""The scalar kind: one output value per input row, run as a lockstep exchange stream.

One input batch in, exactly one output batch out (vgi-rpc enforces the
lockstep).  The stream state keeps the bind request as bytes, so a stateless
transport (HTTP) can rebuild the bound function on whichever replica receives
the next batch: :meth:`ScalarExchangeState.rehydrate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import pyarrow as pa
from vgi_rpc import (
    AnnotatedBatch,
    CallContext,
    ExchangeState,
    OutputCollector,
    Stream,
    StreamState,
    Transient,
)

from vgi_host.errors import PACK_FAILURES, FunctionError
from vgi_host.kinds.function_info import common_fields, result_schema
from vgi_host.kinds.spec import KindSpec, StreamSetup
from vgi_host.kinds.stream_support import rebind_from
from vgi_host.protocol.enums import CatalogFunctionType, FunctionStability, FunctionType, NullHandling
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse
from vgi_host.sdk.scalar import BoundScalar, ScalarDefinition, ScalarFunction
from vgi_host.sdk.scalar_session import bind_session
from vgi_host.sdk.session import require_settings
from vgi_host.sql_types import sql_type

EMPTY_SCHEMA = pa.schema([])


@dataclass
class ScalarExchangeState(ExchangeState):
    """Per-stream state of a scalar call."""

    qualified_name: str
    bind_request: bytes
    bound: Annotated[BoundScalar | None, Transient()] = field(default=None)

    def rehydrate(self, implementation: object) -> None:
        """Rebuild the bound function after the state crossed a stateless transport."""
        self.bound = rebind_from(implementation, self.bind_request).bound

    def exchange(self, input: AnnotatedBatch, out: OutputCollector, ctx: CallContext) -> None:
        """Compute one output batch for one input batch (vgi-rpc's generic loop and HTTP)."""
        out.emit(self.exchange_batch(input.batch))

    @property
    def answer_schema(self) -> pa.Schema | None:
        """The schema of every :meth:`exchange_batch` answer: the bound call's output schema.

        :class:`BoundScalar` builds each answer itself, after checking the
        type and length of what ``compute`` returned, so the per-batch loop
        need not compare each answer's schema with the stream's.
        """
        return self.bound.output_schema if self.bound is not None else None

    def exchange_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """One input batch to its output batch, no collector: the host's per-batch loop calls this directly.

        A scalar's answer is exactly one data batch and never carries a client
        log or custom metadata, so :mod:`vgi_host.transports.stream_loop` can
        skip the collector and context it otherwise fills per batch.
        """
        bound = self.bound
        assert bound is not None, "scalar stream used before it was bound"
        try:
            return bound.run(batch)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc


class ScalarKind(KindSpec):
    """``SELECT pack.fn(col, ...)``."""

    name = "scalar"
    label = "scalar"
    base = ScalarFunction
    stream_states: ClassVar[tuple[type[StreamState], ...]] = (ScalarExchangeState,)

    def definition(self, function_class: Any) -> ScalarDefinition:
        """The class's cached definition."""
        return function_class.definition()  # type: ignore[no-any-return]

    def function_info(self, definition: ScalarDefinition, schema: str) -> FunctionInfo:
        """A scalar catalog entry: one-column result, stability and NULL handling."""
        meta = definition.metadata
        return FunctionInfo(
            function_type=CatalogFunctionType.SCALAR,
            output_schema=result_schema(definition.signature.result_type),
            stability=meta.stability or FunctionStability.CONSISTENT,
            null_handling=meta.null_handling or NullHandling.DEFAULT,
            argument_monotonicity=(
                list(meta.argument_monotonicity) if meta.argument_monotonicity is not None else None
            ),
            **common_fields(definition, schema),
        )

    def returns_sql(self, definition: ScalarDefinition) -> str:
        """The result type."""
        return sql_type(definition.signature.result_type)

    def addressed_by(self, request: BindRequest) -> bool:
        """A scalar call."""
        return request.function_type is FunctionType.SCALAR

    def bind(self, definition: ScalarDefinition, request: BindRequest) -> tuple[BoundScalar, pa.Schema]:
        """Columns from the input schema, constants from the arguments."""
        require_settings(definition.name, definition.metadata.required_settings, request.settings)
        bound = definition.bind(request.input_schema, request.arguments.positional, request.arguments.named)
        if bound.session:
            bound = bind_session(bound, request)
        return bound, bound.output_schema

    def open_stream(self, setup: StreamSetup) -> Stream[StreamState, GlobalInitResponse]:
        """A lockstep exchange; scalar batches are independent, so any number of workers may share it."""
        call = setup.call
        state = ScalarExchangeState(
            qualified_name=call.qualified_name,
            bind_request=setup.request.bind_call.serialize_to_bytes(),
            bound=call.bound,
        )
        input_schema = setup.request.bind_call.input_schema or EMPTY_SCHEMA
        return Stream(
            call.output_schema, state, input_schema=input_schema, header=setup.header(setup.scalar_workers)
        )


SPEC = ScalarKind()
