"""``aggregate_bind/update/combine/finalize/destructor``: aggregates across processes and machines.

DuckDB sends the calls of one aggregate execution to any pooled process (or
replica), so the shared :class:`~vgi_host.state.store.StateStore` is the
truth: the bind request is stored with the execution (any process can
rebuild the bound call from it) and so are the group states, as one signed
payload per call (see :mod:`vgi_host.state.store` for the layout).

No lock is held while pack code runs (issue 14, item 3).  An update:

1. reads what changed since the version this process last saw (nothing,
   when it wrote last: DuckDB often sends consecutive chunks to one process);
2. runs the pack's ``update`` on this process's copy of the states;
3. commits the touched states *if the version is still the one read*;
   if another process committed in between, it drops its copy, reads again
   and recomputes.  No update is lost and none is applied twice.

Retried calls: the vgi.v2 protocol carries no request id, so an update
that DuckDB (or a proxy) re-sends after a lost reply cannot be told from a
second batch with the same rows, and is counted twice.  See
docs/state-stores.md, "Retries".
"""

from __future__ import annotations

import logging
import random
import struct
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final, cast

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host.errors import PACK_FAILURES, BindError, FunctionDefinitionError, FunctionError
from vgi_host.kinds.aggregate_nulls import TrackedStates
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateBindResponse,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.sdk.aggregate import AggregateDefinition, BindSessionBatches, BoundAggregate
from vgi_host.sdk.casting import cast_or_raise
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.state.codec import StateCodec
from vgi_host.state.config import signer_for
from vgi_host.state.signing import BlobRefusedError, Signer
from vgi_host.state.store import StateStore, StateStoreError, UnknownExecutionError

log = logging.getLogger("vgi_host.aggregates")

Resolver = Callable[[str, "list[str] | None", "bytes | None"], "tuple[str, FunctionDefinition]"]
"""``(function name, schema path, attach token) -> (qualified name, definition)``: the router, as aggregates
see it."""

_BIND: Final = b"bind"
_STATES: Final = b"states"
_COMMIT_DEADLINE_SECONDS: Final = 120.0
_BOUND_CACHE: Final = 64
_REPLICA_CACHE: Final = 16

_Entry = tuple[str, BoundAggregate, StateCodec[Any]]


@dataclass(slots=True)
class _Replica:
    """One process's copy of an execution's states, complete as of ``version``."""

    version: int
    states: dict[int, Any]
    logged: int
    """States held in the store's segments after its base (decides when to compact)."""


class AggregateCallError(FunctionError):
    """An aggregate's own callback raised; the message names pack and function."""


class AggregateStateError(FunctionError):
    """The stored states of an execution are unusable (refused signature, undecodable, store down)."""


class Aggregates:
    """The aggregate half of the host service."""

    def __init__(self, resolve: Resolver, store: StateStore, signer: Signer | None = None) -> None:
        self.resolve = resolve
        self.store = store
        self.signer = signer if signer is not None else signer_for(store)
        self._bound: OrderedDict[bytes, _Entry] = OrderedDict()
        self._replicas: OrderedDict[bytes, _Replica] = OrderedDict()

    # -- binding ---------------------------------------------------------------------------

    def _bind(
        self, request: AggregateBindRequest, output_schema: pa.Schema | None = None
    ) -> tuple[str, BoundAggregate]:
        qualified, definition = self.resolve(
            request.function_name, request.schema_path, request.attach_opaque_data
        )
        if not isinstance(definition, AggregateDefinition):
            from vgi_host.kinds.registry import spec_of

            label = spec_of(definition).label
            raise BindError(
                f"{qualified} is a {label} function; it cannot be called as an aggregate function"
            )
        session = BindSessionBatches(request.settings, request.secrets, request.argument_names)
        try:
            bound = definition.bind(
                request.input_schema, request.arguments, session, output_schema=output_schema
            )
        except (BindError, FunctionDefinitionError) as exc:
            raise BindError(f"{qualified}: {exc}") from exc
        except PACK_FAILURES as exc:  # the pack's on_bind raised
            raise AggregateCallError.wrapping(qualified, exc, "on_bind") from exc
        return qualified, bound

    def bind(self, request: AggregateBindRequest) -> AggregateBindResponse:
        """Check the call, mint an execution id and record the call for every process."""
        qualified, bound = self._bind(request)
        execution_id = uuid.uuid4().bytes
        sealed = self.signer.seal(execution_id, _BIND, _stored_call(request, bound.output_schema))
        try:
            self.store.create(execution_id, sealed)
        except StateStoreError as exc:
            raise AggregateStateError(f"{qualified}: {exc}") from exc
        self._remember(execution_id, qualified, bound)
        self._keep(execution_id, _Replica(0, {}, 0))
        return AggregateBindResponse(output_schema=bound.output_schema, execution_id=execution_id)

    def _remember(self, execution_id: bytes, qualified: str, bound: BoundAggregate) -> _Entry:
        codec: StateCodec[Any] = StateCodec.for_class(bound.definition.state_class or object)
        entry = (qualified, bound, codec)
        self._bound[execution_id] = entry
        while len(self._bound) > _BOUND_CACHE:
            self._bound.popitem(last=False)
        return entry

    def _keep(self, execution_id: bytes, replica: _Replica) -> None:
        self._replicas[execution_id] = replica
        self._replicas.move_to_end(execution_id)
        while len(self._replicas) > _REPLICA_CACHE:
            self._replicas.popitem(last=False)

    # -- reading ---------------------------------------------------------------------------

    def _catch_up(self, execution_id: bytes, name: str) -> tuple[_Entry, _Replica]:
        """The bound call and this process's states brought up to the store's version."""
        replica = self._replicas.get(execution_id)
        entry = self._bound.get(execution_id)
        try:
            snapshot = self.store.read(
                execution_id, replica.version if replica else 0, with_bind=entry is None
            )
        except UnknownExecutionError as exc:
            self._forget(execution_id)
            raise BindError(f"{name}: unknown aggregate execution ({exc})") from exc
        except StateStoreError as exc:
            raise AggregateStateError(f"{name}: {exc}") from exc
        try:
            if entry is None:
                assert snapshot.bind is not None, "asked for with_bind"
                stored = self.signer.open(execution_id, _BIND, snapshot.bind)
                qualified, bound = self._bind(*_stored_request(stored))
                entry = self._remember(execution_id, qualified, bound)
            codec = entry[2]
            if replica is None or snapshot.base is not None or snapshot.version < replica.version:
                replica = _Replica(0, {}, 0)
            if snapshot.base is not None:
                replica.states = codec.decode(self.signer.open(execution_id, _STATES, snapshot.base))
            for segment in snapshot.segments:
                states = codec.decode(self.signer.open(execution_id, _STATES, segment))
                replica.states.update(states)
                replica.logged += len(states)
        except (BlobRefusedError, TypeError, struct.error) as exc:
            self._forget(execution_id)
            raise AggregateStateError(f"{name}: {exc}") from exc
        replica.version = snapshot.version
        self._keep(execution_id, replica)
        return entry, replica

    def _forget(self, execution_id: bytes) -> None:
        self._bound.pop(execution_id, None)
        self._replicas.pop(execution_id, None)

    # -- writing ---------------------------------------------------------------------------

    def _fold(
        self, execution_id: bytes, name: str, compute: Callable[[_Entry, _Replica], dict[int, Any]]
    ) -> None:
        """Read, compute outside any lock, commit if nobody committed meanwhile; else start over.

        ``compute`` returns the changed states; it may mutate the replica's
        state objects, so after a failed commit (or a raising ``compute``) the
        replica is discarded and rebuilt from the store.
        """
        deadline = time.monotonic() + _COMMIT_DEADLINE_SECONDS
        delay = 0.0005
        attempts = 0
        while True:
            attempts += 1
            entry, replica = self._catch_up(execution_id, name)
            try:
                changed = compute(entry, replica)
                if not changed:
                    return
                # In place: if the commit fails the replica is discarded anyway.
                replica.states.update(changed)
                # Compact (write every state as the new base) once the segments since
                # the base would hold as many states as there are: reading stays O(groups).
                replace = replica.logged + len(changed) >= len(replica.states)
                payload = entry[2].encode(replica.states if replace else changed)
                sealed = self.signer.seal(execution_id, _STATES, payload)
                committed = self.store.commit(execution_id, replica.version, sealed, replace=replace)
            except UnknownExecutionError as exc:
                self._forget(execution_id)
                raise BindError(f"{entry[0]}: unknown aggregate execution ({exc})") from exc
            except StateStoreError as exc:
                self._replicas.pop(execution_id, None)
                raise AggregateStateError(f"{entry[0]}: {exc}") from exc
            except BaseException:
                self._replicas.pop(execution_id, None)
                raise
            if committed:
                replica.version += 1
                replica.logged = 0 if replace else replica.logged + len(changed)
                return
            self._replicas.pop(execution_id, None)
            if time.monotonic() > deadline:
                raise AggregateStateError(
                    f"{entry[0]}: gave up committing aggregate execution {execution_id.hex()} after "
                    f"{attempts} attempts: other processes kept committing first"
                )
            time.sleep(random.uniform(0, delay))
            delay = min(delay * 2, 0.05)

    def _call(self, qualified: str, what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except PACK_FAILURES as exc:
            raise AggregateCallError.wrapping(qualified, exc, what) from exc

    def update(self, request: AggregateUpdateRequest) -> None:
        """Fold one batch (group ids in column 0) into the stored states."""
        batch = request.input_batch
        group_ids = batch.column(0)
        unique = _ids(pc.unique(group_ids))

        def compute(entry: _Entry, replica: _Replica) -> dict[int, Any]:
            qualified, bound, _ = entry
            arguments = self._call(qualified, "reading the input columns", bound.update_arguments, batch)
            function = bound.definition.function_class
            touched = {gid: replica.states.get(gid) for gid in unique}
            fresh: dict[int, Any] = {}
            for gid, state in touched.items():
                if state is None:
                    fresh[gid] = touched[gid] = self._call(
                        qualified, "initial_state", function.initial_state, bound.params
                    )
            if fresh:
                tracked = TrackedStates(touched)
                self._call(qualified, "update", bound.definition.update, tracked, group_ids, **arguments)
                touched = dict(tracked)
                for gid in tracked.unused(fresh):
                    del touched[gid]  # skipped (e.g. all inputs NULL): finalize sees None, as in SQL
            else:
                self._call(qualified, "update", bound.definition.update, touched, group_ids, **arguments)
            return touched

        self._fold(request.execution_id, _name(request), compute)

    def combine(self, request: AggregateCombineRequest) -> None:
        """Merge each source group's state into its target group's."""
        pairs = request.merge_batch
        sources = _ids(pairs.column(0))
        targets = _ids(pairs.column(1))

        def compute(entry: _Entry, replica: _Replica) -> dict[int, Any]:
            qualified, bound, _ = entry
            function = bound.definition.function_class
            params = bound.params
            changed: dict[int, Any] = {}
            for source, target in zip(sources, targets, strict=True):
                source_state = replica.states.get(source)
                if source_state is None:
                    continue
                current = changed.get(target, replica.states.get(target))
                if current is None:
                    current = self._call(qualified, "initial_state", function.initial_state, params)
                changed[target] = self._call(
                    qualified, "combine", function.combine, source_state, current, params
                )
            return changed

        self._fold(request.execution_id, _name(request), compute)

    def finalize(self, request: AggregateFinalizeRequest) -> pa.RecordBatch:
        """One result row per requested group id, in order; None states for ids never updated."""
        group_ids = request.group_ids_batch.column(0)
        ids = _ids(group_ids)
        (qualified, bound, _), replica = self._catch_up(request.execution_id, _name(request))
        states = {gid: replica.states.get(gid) for gid in ids}
        result = self._call(qualified, "finalize", bound.definition.finalize, group_ids, states, bound.params)
        return _result_batch(qualified, result, len(ids), request.output_schema)

    def destroy(self, request: AggregateDestructorRequest) -> None:
        """Forget the execution everywhere; never raises (best-effort cleanup)."""
        self._forget(request.execution_id)
        self.store.drop(request.execution_id)


def _stored_call(request: AggregateBindRequest, output_schema: pa.Schema) -> bytes:
    """What every process rebuilds the bound call from: the request and the result schema bind chose.

    The schema is kept so ``on_bind`` runs once per call (its choice may rest
    on secrets); the secrets themselves are dropped, never written to the store.
    """
    call = replace(request, secrets=None).serialize_to_bytes()
    return struct.pack(">I", len(call)) + call + output_schema.serialize().to_pybytes()


def _stored_request(blob: bytes) -> tuple[AggregateBindRequest, pa.Schema]:
    """The inverse of :func:`_stored_call`."""
    (size,) = struct.unpack_from(">I", blob)
    request = AggregateBindRequest.deserialize_from_bytes(blob[4 : 4 + size])
    return request, pa.ipc.read_schema(pa.py_buffer(blob[4 + size :]))


def _name(request: AggregateUpdateRequest | AggregateCombineRequest | AggregateFinalizeRequest) -> str:
    """``schema.function`` as the request names it, for errors before the bound call is known."""
    return ".".join([*(request.schema_path or ()), request.function_name])


def _ids(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> list[int]:
    """Group ids as ints (the protocol never sends NULL ids; any that come are skipped)."""
    if column.null_count:
        column = column.drop_null()
    if pa.types.is_integer(column.type):
        return cast("list[int]", column.to_pylist())  # ints already, nulls dropped: no int() per value
    return [int(v) for v in column.to_pylist() if v is not None]


def _result_batch(qualified: str, result: Any, rows: int, schema: pa.Schema) -> pa.RecordBatch:
    if isinstance(result, pa.Table):
        result = result.combine_chunks().to_batches()[0] if result.num_rows else None
    if not isinstance(result, pa.RecordBatch) or result.num_columns != 1:
        raise AggregateCallError(
            f"{qualified}: finalize must return a one-column pa.RecordBatch; got {result!r}"
        )
    if result.num_rows != rows:
        raise AggregateCallError(
            f"{qualified}: finalize returned {result.num_rows} rows for {rows} group ids"
        )
    column = cast_or_raise(
        result.column(0),
        schema.field(0).type,
        lambda got, wanted: AggregateCallError(f"{qualified}: finalize returned {got}; declared {wanted}"),
    )
    return pa.RecordBatch.from_arrays([column], schema=schema)
