"""The table-in-out kind: ``SELECT * FROM pack.fn(args, (SELECT ...))`` transforms rows.

* :class:`TableInOutExchangeState`: an exchange stream; one ``transform`` per
  input batch, exactly one (possibly empty) output batch back.
* :class:`FinalizeProducerState`: the FINALIZE phase; it drains what
  ``finish()`` returned, one non-empty batch per tick (DuckDB stops reading at
  the first empty batch).

The pack's instance carries its state in its attributes.  On pipes it simply
lives in the process; when a stream state leaves the process (stateless
transports) the instance's own attributes are pickled into the state - inside
vgi-rpc's authenticated token - and, for functions with ``finish()``,
published to the shared state store, where a FINALIZE on any replica finds
it (:mod:`vgi_host.kinds.finish_states`).
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import pyarrow as pa
from vgi_rpc import (
    AnnotatedBatch,
    CallContext,
    ExchangeState,
    OutputCollector,
    ProducerState,
    Stream,
    StreamState,
    Transient,
)

from vgi_host.errors import PACK_FAILURES, FunctionError, RoutingError
from vgi_host.kinds.finish_states import FinishStates
from vgi_host.kinds.function_info import common_fields
from vgi_host.kinds.spec import KindSpec, StreamSetup
from vgi_host.kinds.stream_support import rebind_from
from vgi_host.kinds.table import EmptyProducerState
from vgi_host.protocol.enums import CatalogFunctionType, FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.sdk.session import binding_for, process_session, require_settings
from vgi_host.sdk.table_in_out import BoundTableInOut, TableInOutDefinition, TableInOutFunction
from vgi_host.sdk.table_in_out_reference import BATCH_METADATA

# FinishStates is imported at run time, not under TYPE_CHECKING: vgi-rpc resolves the
# state's annotations with get_type_hints to build its Arrow schema.

_HOST_ATTRIBUTES = frozenset({"args", "input_schema", "params"})
"""Attributes the host sets on every instance; rebuilt from the bind request, never pickled."""


def snapshot(instance: TableInOutFunction, qualified_name: str) -> bytes:
    """The pack's own instance attributes, pickled."""
    own = {k: v for k, v in vars(instance).items() if k not in _HOST_ATTRIBUTES}
    try:
        return pickle.dumps(own)
    except Exception as exc:
        raise FunctionError(
            f"{qualified_name}: its instance attributes cannot be pickled, so it cannot be served "
            f"over a stateless transport: {type(exc).__name__}: {exc}"
        ) from exc


def restore(bound: BoundTableInOut, execution_id: bytes, data: bytes) -> TableInOutFunction:
    """A fresh instance with a snapshot's attributes put back."""
    instance = bound.instantiate(execution_id)
    if data:
        vars(instance).update(pickle.loads(data))
    return instance


@dataclass
class TableInOutExchangeState(ExchangeState):
    """Runs ``transform`` once per input batch."""

    qualified_name: str
    bind_request: bytes = b""
    execution_id: bytes = b""
    instance_state: bytes = b""
    """The instance's own attributes, pickled only when this state leaves the process."""
    init_request: bytes = b""
    """The serialised init request, for ``params.init_call`` on whichever process serves a turn."""
    waits_for_finish: bool = False
    """Publish the instance for a FINALIZE that may reach another process."""
    instance: Annotated[TableInOutFunction | None, Transient()] = field(default=None)
    finish_states: Annotated[FinishStates | None, Transient()] = field(default=None)

    def rehydrate(self, implementation: object) -> None:
        """Rebuild the instance on whichever process received this batch."""
        rebound = rebind_from(implementation, self.bind_request)
        bound: BoundTableInOut = rebound.bound
        self.instance = restore(bound, self.execution_id, self.instance_state)
        _with_session(self.instance, rebound.request)
        if self.init_request:
            self.instance.params.init_call = InitRequest.deserialize_from_bytes(self.init_request)
        self.finish_states = getattr(implementation, "finish_states", None)

    def _to_row_dict(self) -> dict[str, object]:
        """Snapshot the instance as the state leaves the process (and publish it for FINALIZE)."""
        assert self.instance is not None
        self.instance_state = snapshot(self.instance, self.qualified_name)
        if self.waits_for_finish and self.finish_states is not None:
            self.finish_states.publish(self.execution_id, self.instance_state)
        return super()._to_row_dict()

    def exchange(self, input: AnnotatedBatch, out: OutputCollector, ctx: CallContext) -> None:
        """Transform one batch; ``None`` from the pack means no rows.

        The input's conditional-request validators reach ``params`` for this
        batch only; custom metadata a reference-shaped function attached to its
        output (its own keys, row provenance) goes out with the batch.
        """
        assert self.instance is not None
        params = self.instance.params
        received = input.custom_metadata
        params.if_none_match = _text(received, b"vgi.cache.if_none_match")
        params.if_modified_since = _text(received, b"vgi.cache.if_modified_since")
        try:
            result = self.instance.transform(input.batch)
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(self.qualified_name, exc) from exc
        metadata = vars(self.instance).pop(BATCH_METADATA, None)
        out.emit(
            result if result is not None else pa.RecordBatch.from_pylist([], schema=out.output_schema),
            metadata=metadata,
        )


def _with_session(instance: TableInOutFunction, request: BindRequest) -> None:
    """Give the instance's ``params`` the call's settings and secrets."""
    for name, value in process_session(request.settings, request.secrets).items():
        setattr(instance.params, name, value)


def _text(metadata: pa.KeyValueMetadata | None, key: bytes) -> str | None:
    value = metadata.get(key) if metadata is not None else None
    return value.decode("utf-8") if value is not None else None


def _finish_batches(result: Any) -> list[pa.RecordBatch]:
    if result is None:
        return []
    if isinstance(result, pa.RecordBatch):
        return [result]
    if isinstance(result, pa.Table):
        return result.to_batches()
    return list(result)


def _ipc(batches: list[pa.RecordBatch], schema: pa.Schema) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue()


@dataclass
class FinalizeProducerState(ProducerState):
    """Drains ``finish()``'s batches, one non-empty batch per tick."""

    qualified_name: str
    remaining: bytes = b""
    """What is left to emit, as an Arrow IPC stream (filled only when the state leaves the process)."""
    pending: Annotated[Iterator[pa.RecordBatch] | None, Transient()] = field(default=None)
    schema: Annotated[pa.Schema | None, Transient()] = field(default=None)

    @classmethod
    def of(
        cls, qualified_name: str, instance: TableInOutFunction, schema: pa.Schema
    ) -> FinalizeProducerState:
        """Call ``finish()`` now, so its errors surface on the FINALIZE init itself."""
        try:
            batches = [b for b in _finish_batches(instance.finish()) if b.num_rows > 0]
        except PACK_FAILURES as exc:
            raise FunctionError.wrapping(qualified_name, exc) from exc
        return cls(qualified_name=qualified_name, pending=iter(batches), schema=schema)

    def rehydrate(self, implementation: object) -> None:
        """Read the remaining batches back."""
        reader = pa.ipc.open_stream(self.remaining)
        self.schema = reader.schema
        self.pending = iter(list(reader))

    def _to_row_dict(self) -> dict[str, object]:
        """Write the remaining batches as the state leaves the process."""
        assert self.pending is not None
        assert self.schema is not None
        left = list(self.pending)
        self.pending = iter(left)
        self.remaining = _ipc(left, self.schema)
        return super()._to_row_dict()

    def produce(self, out: OutputCollector, ctx: CallContext) -> None:
        """Emit the next batch, or finish when none is left."""
        assert self.pending is not None
        batch = next(self.pending, None)
        if batch is None:
            out.finish()
        else:
            out.emit(batch)


class TableInOutKind(KindSpec):
    """Table functions over an input table, with an optional ``finish()`` after the last batch."""

    name = "table_in_out"
    label = "table-in-out"
    base = TableInOutFunction
    stream_states: ClassVar[tuple[type[StreamState], ...]] = (TableInOutExchangeState, FinalizeProducerState)

    def definition(self, function_class: Any) -> TableInOutDefinition:
        """The class's cached definition."""
        return function_class.definition()  # type: ignore[no-any-return]

    def function_info(self, definition: TableInOutDefinition, schema: str) -> FunctionInfo:
        """A table-function entry whose output schema is decided by the input at bind."""
        return FunctionInfo(
            function_type=CatalogFunctionType.TABLE,
            output_schema=pa.schema([]),
            has_finalize=definition.has_finalize,
            # A row transform keeps no state across input batches: it says only what it declared.
            max_workers=definition.metadata.max_workers
            if definition.input_from_args
            else definition.max_workers,
            input_from_args=definition.input_from_args,
            input_rows_per_call=definition.metadata.input_rows_per_call,
            **common_fields(definition, schema),
        )

    def returns_sql(self, definition: TableInOutDefinition) -> str:
        """Decided by the input."""
        return "TABLE"

    def addressed_by(self, request: BindRequest) -> bool:
        """A table call with an input table."""
        return request.function_type is FunctionType.TABLE and request.input_schema is not None

    def bind(
        self, definition: TableInOutDefinition, request: BindRequest
    ) -> tuple[BoundTableInOut, pa.Schema]:
        """Arguments checked; the output schema from the instance for this input."""
        require_settings(definition.name, definition.metadata.required_settings, request.settings)
        with binding_for(request) as session:
            bound = definition.bind(
                request.input_schema, request.arguments.positional, request.arguments.named
            )
        if session.secrets.needs_resolution:
            bound = dataclasses.replace(bound, secret_lookups=tuple(session.secrets.pending_lookups))
        return bound, bound.output_schema

    def open_stream(self, setup: StreamSetup) -> Stream[StreamState, GlobalInitResponse]:
        """The input exchange, or on FINALIZE the drain of ``finish()``."""
        call = setup.call
        bound: BoundTableInOut = call.bound
        workers = bound.definition.max_workers
        header = setup.header(workers)
        if setup.request.phase is TableInOutFunctionInitPhase.FINALIZE:
            if not bound.definition.has_finalize:
                return Stream(call.output_schema, EmptyProducerState(), header=header)
            instance = setup.finish_states.take(
                setup.execution_id, lambda data: restore(bound, setup.execution_id, data)
            )
            if instance is not None:
                _with_session(instance, setup.request.bind_call)
            if instance is None:
                raise RoutingError(
                    f"{call.qualified_name}: no input was received for this execution; "
                    f"FINALIZE must follow the input phase of the same execution"
                )
            finalize = FinalizeProducerState.of(call.qualified_name, instance, call.output_schema)
            return Stream(call.output_schema, finalize, header=header)
        instance = bound.instantiate(setup.execution_id)
        instance.params.init_call = setup.request
        _with_session(instance, setup.request.bind_call)
        waits = bound.definition.has_finalize and not setup.is_secondary
        if waits:
            setup.finish_states.park(setup.execution_id, instance)
        exchange = TableInOutExchangeState(
            qualified_name=call.qualified_name,
            bind_request=setup.request.bind_call.serialize_to_bytes(),
            execution_id=setup.execution_id,
            init_request=setup.request.serialize_to_bytes(),
            waits_for_finish=waits,
            instance=instance,
            finish_states=setup.finish_states,
        )
        return Stream(call.output_schema, exchange, input_schema=bound.input_schema, header=header)


SPEC = TableInOutKind()
