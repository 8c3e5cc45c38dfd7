"""``aggregate_bind/update/combine/finalize/destructor``: aggregates across pooled processes.

DuckDB sends the calls of one aggregate execution to any pooled process, so
the shared :class:`StateStore` is the truth: the bind request is stored with
the execution (any process can rebuild the bound call from it) and so are the
per-group states.  Each update is one store session, so concurrent updates of
one execution never lose each other's work.

What a process keeps is a cache, validated on every call by the execution's
version in the store: when this process wrote last (the Python client pins an
aggregate to one process; DuckDB often sends consecutive chunks to the same
one), an update reads and decodes nothing and writes only the groups it
touched.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host.errors import BindError, FunctionError
from vgi_host.kinds.aggregate_nulls import TrackedStates
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateBindResponse,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.sdk.aggregate import AggregateDefinition, BoundAggregate
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.state.codec import StateCodec
from vgi_host.state.store import StateSession, StateStore

log = logging.getLogger("vgi_host.aggregates")

Resolver = Callable[[str, "list[str] | None"], "tuple[str, FunctionDefinition]"]
"""``(function name, schema path) -> (qualified name, definition)``: the router, as aggregates see it."""

BIND_KEY = "bind_request"
VERSION_KEY = "version"


@dataclass(slots=True)
class _CachedStates:
    """States of one execution as this process last wrote (or read) them, at ``version``."""

    version: int
    states: dict[int, Any]


class AggregateCallError(FunctionError):
    """An aggregate's own callback raised; the message names pack and function."""


class Aggregates:
    """The aggregate half of the host service."""

    def __init__(self, resolve: Resolver, store: StateStore) -> None:
        self.resolve = resolve
        self.store = store
        self._bound: OrderedDict[bytes, tuple[str, BoundAggregate, StateCodec[Any]]] = OrderedDict()
        self._cache: OrderedDict[bytes, _CachedStates] = OrderedDict()

    def _bind(self, request: AggregateBindRequest) -> tuple[str, BoundAggregate]:
        qualified, definition = self.resolve(request.function_name, request.schema_path)
        if not isinstance(definition, AggregateDefinition):
            from vgi_host.kinds.registry import spec_of

            label = spec_of(definition).label
            raise BindError(
                f"{qualified} is a {label} function; it cannot be called as an aggregate function"
            )
        try:
            bound = definition.bind(
                request.input_schema, request.arguments.positional, request.arguments.named
            )
        except BindError as exc:
            raise BindError(f"{qualified}: {exc}") from exc
        return qualified, bound

    def bind(self, request: AggregateBindRequest) -> AggregateBindResponse:
        """Check the call, mint an execution id and record the call for every process."""
        qualified, bound = self._bind(request)
        execution_id = uuid.uuid4().bytes
        with self.store.session(execution_id) as session:
            session.set_meta(BIND_KEY, request.serialize_to_bytes())
        self._remember(execution_id, qualified, bound)
        return AggregateBindResponse(output_schema=bound.definition.output_schema, execution_id=execution_id)

    def _remember(
        self, execution_id: bytes, qualified: str, bound: BoundAggregate
    ) -> tuple[str, BoundAggregate, StateCodec[Any]]:
        codec: StateCodec[Any] = StateCodec.for_class(bound.definition.state_class or object)
        entry = (qualified, bound, codec)
        self._bound[execution_id] = entry
        while len(self._bound) > 64:
            self._bound.popitem(last=False)
        return entry

    def _bound_for(self, session: StateSession) -> tuple[str, BoundAggregate, StateCodec[Any]]:
        """The bound call of the session's execution; the store, not the cache, says it exists."""
        stored = session.get_meta(BIND_KEY)
        if stored is None:
            self._bound.pop(session.execution_id, None)
            raise BindError("unknown aggregate execution (never bound, or already destroyed)")
        cached = self._bound.get(session.execution_id)
        if cached is not None:
            return cached
        qualified, bound = self._bind(AggregateBindRequest.deserialize_from_bytes(stored))
        return self._remember(session.execution_id, qualified, bound)

    def _call(self, qualified: str, what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            raise AggregateCallError.wrapping(qualified, exc, what) from exc

    def _states(self, session: StateSession, codec: StateCodec[Any], group_ids: list[int]) -> _CachedStates:
        """The execution's states for ``group_ids``, from this process's cache when it is current.

        The store keeps a version per execution, bumped by every writing
        session.  When it equals the version this process wrote last, no other
        process has touched the execution since, so cached states are exact
        and only groups never seen here are read (and decoded).
        """
        stored = session.get_meta(VERSION_KEY)
        version = int(stored) if stored is not None else 0
        cached = self._cache.get(session.execution_id)
        if cached is None or cached.version != version:
            cached = _CachedStates(version, {})
        missing = [gid for gid in group_ids if gid not in cached.states]
        if missing:
            cached.states.update(codec.decode_many(session.load(missing)))
        return cached

    def _commit(
        self, session: StateSession, cached: _CachedStates, codec: StateCodec[Any], touched: dict[int, Any]
    ) -> None:
        """Write the touched states and a new version; keep the cache in step."""
        session.save(codec.encode_many(touched))
        cached.states.update(touched)
        cached.version += 1
        session.set_meta(VERSION_KEY, str(cached.version).encode())
        self._cache[session.execution_id] = cached
        self._cache.move_to_end(session.execution_id)
        while len(self._cache) > 16:
            self._cache.popitem(last=False)

    @contextmanager
    def _writing(self, execution_id: bytes) -> Iterator[StateSession]:
        """A writing session; on any failure the cache entry is dropped with the rolled-back writes.

        Pack code may have mutated cached state objects before failing, so the
        only safe cache after a failure is none.
        """
        try:
            with self.store.session(execution_id) as session:
                yield session
        except BaseException:
            self._cache.pop(execution_id, None)
            raise

    def update(self, request: AggregateUpdateRequest) -> None:
        """Fold one batch (group ids in column 0) into the stored states."""
        batch = request.input_batch
        group_ids = batch.column(0)
        unique = _ids(pc.unique(group_ids))
        with self._writing(request.execution_id) as session:
            qualified, bound, codec = self._bound_for(session)
            arguments = self._call(qualified, "reading the input columns", bound.update_arguments, batch)
            cached = self._states(session, codec, unique)
            function = bound.definition.function_class
            touched = {gid: cached.states.get(gid) for gid in unique}
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
            self._commit(session, cached, codec, touched)

    def combine(self, request: AggregateCombineRequest) -> None:
        """Merge each source group's state into its target group's."""
        pairs = request.merge_batch
        sources = _ids(pairs.column(0))
        targets = _ids(pairs.column(1))
        with self._writing(request.execution_id) as session:
            qualified, bound, codec = self._bound_for(session)
            cached = self._states(session, codec, sorted(set(sources) | set(targets)))
            function = bound.definition.function_class
            params = bound.params
            changed: dict[int, Any] = {}
            for source, target in zip(sources, targets, strict=True):
                source_state = cached.states.get(source)
                if source_state is None:
                    continue
                current = changed.get(target, cached.states.get(target))
                if current is None:
                    current = self._call(qualified, "initial_state", function.initial_state, params)
                changed[target] = self._call(
                    qualified, "combine", function.combine, source_state, current, params
                )
            self._commit(session, cached, codec, changed)

    def finalize(self, request: AggregateFinalizeRequest) -> pa.RecordBatch:
        """One result row per requested group id, in order; None states for ids never updated."""
        group_ids = request.group_ids_batch.column(0)
        ids = _ids(group_ids)
        with self.store.session(request.execution_id, read_only=True) as session:
            qualified, bound, codec = self._bound_for(session)
            cached = self._states(session, codec, sorted(set(ids)))
            states = {gid: cached.states.get(gid) for gid in ids}
        result = self._call(qualified, "finalize", bound.definition.finalize, group_ids, states, bound.params)
        return _result_batch(qualified, result, len(ids), request.output_schema)

    def destroy(self, request: AggregateDestructorRequest) -> None:
        """Forget the execution everywhere; never raises (best-effort cleanup)."""
        self._bound.pop(request.execution_id, None)
        self._cache.pop(request.execution_id, None)
        self.store.drop(request.execution_id)


def _ids(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> list[int]:
    """Group ids as ints (the protocol never sends NULL ids)."""
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
    column = result.column(0)
    target = schema.field(0).type
    if column.type != target:
        try:
            column = column.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise AggregateCallError(
                f"{qualified}: finalize returned {column.type}; declared {target}"
            ) from exc
    return pa.RecordBatch.from_arrays([column], schema=schema)
