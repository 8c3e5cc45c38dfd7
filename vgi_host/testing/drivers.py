"""One call driver per function kind: the protocol calls DuckDB's extension makes, in its order.

* scalar: ``bind``, then ``init`` opens an exchange stream; one output batch
  per input batch;
* table: ``bind``, then ``init`` opens a producer stream, ticked until it ends;
* table-in-out: ``bind``, ``init`` with phase ``INPUT`` (an exchange stream;
  ``vgi.status: HAVE_MORE_OUTPUT`` is answered with zero-row ``CONTINUE``
  ticks), then, for a function with a finalize stage, ``init`` with phase
  ``FINALIZE`` and the same ``execution_id``;
* aggregate: ``aggregate_bind``, ``aggregate_update`` (``__vgi_group_id`` int64
  first), ``aggregate_combine`` when the rows were split into partitions,
  ``aggregate_finalize``, and always ``aggregate_destructor``;
* table-buffering: ``bind`` (``TABLE_BUFFERING``), ``init`` with phase
  ``TABLE_BUFFERING`` (the sink init: its header names the execution),
  ``table_buffering_process`` per input batch (with its batch index),
  ``table_buffering_combine``, one ``init`` with phase
  ``TABLE_BUFFERING_FINALIZE`` per finalize id, and always
  ``table_buffering_destructor``.

Each driver is a plain function of a :class:`Connection`; :data:`DRIVERS` keys
them by kind name (``vgi_host.kinds.registry.KIND_NAMES``), so a kind registry
can hold a kind's driver beside its other parts.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pyarrow as pa
from vgi_rpc import AnnotatedBatch, StreamSession

from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
    TableBufferingCombineRequest,
    TableBufferingDestructorRequest,
    TableBufferingProcessRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.enums import FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.invocation import BindRequest, BindResponse, GlobalInitResponse, InitRequest
from vgi_host.protocol.service import VgiProtocol
from vgi_host.testing.errors import VgiCallError, rpc_call
from vgi_host.testing.values import arguments, batch_of, is_column, rows_of, slices

__all__ = [
    "DRIVERS",
    "GROUP_ID_COLUMN",
    "Connection",
    "call_aggregate",
    "call_scalar",
    "call_table",
    "call_table_buffering",
    "call_table_in_out",
]

GROUP_ID_COLUMN = "__vgi_group_id"
"""The int64 column that leads every ``aggregate_update`` batch."""

STATUS_KEY = b"vgi.status"
HAVE_MORE_OUTPUT = b"HAVE_MORE_OUTPUT"
CONTINUE = b"CONTINUE"


@dataclass(frozen=True, slots=True)
class Connection:
    """What a driver needs: the protocol proxy, the attach token, and whether a function finalizes."""

    proxy: VgiProtocol
    attach: bytes
    has_finalize: Callable[[str, str], bool]
    """``has_finalize(pack, function)``: from the catalog entry, as DuckDB decides it."""


def _bind(
    connection: Connection,
    pack: str,
    function: str,
    kind: FunctionType,
    constants: Arguments,
    schema: pa.Schema | None,
) -> tuple[BindRequest, BindResponse]:
    request = BindRequest(
        function_name=function,
        arguments=constants,
        function_type=kind,
        input_schema=schema,
        schema_path=[pack],
        attach_opaque_data=connection.attach,
    )
    return request, rpc_call(lambda: connection.proxy.bind(request=request))


def _init(connection: Connection, request: InitRequest) -> StreamSession:
    # The protocol declares a server-side Stream; the client side is a StreamSession.
    return cast(StreamSession, rpc_call(lambda: connection.proxy.init(request=request)))


def _drain(stream: StreamSession) -> list[pa.RecordBatch]:
    """Tick a producer stream until it ends."""
    batches: list[pa.RecordBatch] = []
    with contextlib.closing(stream):
        while True:
            try:
                output = rpc_call(stream.tick)
            except StopIteration:
                break
            if output.batch.num_rows:
                batches.append(output.batch)
    return batches


def _exchange(stream: StreamSession, batch: pa.RecordBatch) -> list[pa.RecordBatch]:
    """One input batch; keep asking while the host says it has more output for it."""
    outputs: list[pa.RecordBatch] = []
    message = AnnotatedBatch(batch)
    while True:
        output = rpc_call(functools.partial(stream.exchange, message))
        outputs.append(output.batch)
        metadata = output.custom_metadata
        if metadata is None or metadata.get(STATUS_KEY) != HAVE_MORE_OUTPUT:
            return outputs
        message = AnnotatedBatch(batch.slice(0, 0), pa.KeyValueMetadata({STATUS_KEY: CONTINUE}))


def call_scalar(
    connection: Connection,
    pack: str,
    function: str,
    *args: Any,
    named: Mapping[str, Any] | None = None,
    batch_size: int | None = None,
) -> list[Any]:
    """A scalar call: list/array arguments are columns, the rest constants; one value per row."""
    columns = [a for a in args if is_column(a)]
    constants = [a for a in args if not is_column(a)]
    if not columns:
        raise ValueError("a scalar call needs at least one column argument (a list or an array)")
    batch = batch_of(columns, [f"col_{i}" for i in range(len(columns))])
    bind_request, bound = _bind(
        connection, pack, function, FunctionType.SCALAR, arguments(constants, named), batch.schema
    )
    stream = _init(
        connection,
        InitRequest(
            bind_call=bind_request, output_schema=bound.output_schema, bind_opaque_data=bound.opaque_data
        ),
    )
    values: list[Any] = []
    with contextlib.closing(stream):
        for piece in slices(batch, batch_size):
            for output in _exchange(stream, piece):
                values.extend(output.column(0).to_pylist())
    return values


def call_table(
    connection: Connection,
    pack: str,
    function: str,
    *args: Any,
    named: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """A table-function call with positional and named constants; ``columns`` pushes a projection down."""
    bind_request, bound = _bind(connection, pack, function, FunctionType.TABLE, arguments(args, named), None)
    projection: list[int] | None = None
    if columns is not None:
        names = bound.output_schema.names
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise ValueError(f"{pack}.{function} has no column(s) {unknown}; its columns are {names}")
        projection = [names.index(c) for c in columns]
    stream = _init(
        connection,
        InitRequest(
            bind_call=bind_request,
            output_schema=bound.output_schema,
            bind_opaque_data=bound.opaque_data,
            projection_ids=projection,
        ),
    )
    rows = rows_of(_drain(stream))
    if columns is not None:  # a function without projection pushdown sends every column
        rows = [{c: row[c] for c in columns} for row in rows]
    return rows


def _input_table(rows: Sequence[Mapping[str, Any]] | pa.Table | pa.RecordBatch) -> pa.Table:
    if isinstance(rows, pa.RecordBatch):
        return pa.Table.from_batches([rows])
    if isinstance(rows, pa.Table):
        return rows
    if not rows:
        raise ValueError("rows is empty: pass a pa.Table with a schema to call with no rows")
    return pa.Table.from_pylist(list(rows))


def call_table_in_out(
    connection: Connection,
    pack: str,
    function: str,
    rows: Sequence[Mapping[str, Any]] | pa.Table | pa.RecordBatch,
    *,
    args: Sequence[Any] = (),
    named: Mapping[str, Any] | None = None,
    batch_size: int | None = None,
) -> list[dict[str, Any]]:
    """A table-in-out call over ``rows``; the output rows, the finalize stage's last."""
    table = _input_table(rows)
    batches = table.combine_chunks().to_batches(max_chunksize=batch_size) or [
        pa.RecordBatch.from_pylist([], schema=table.schema)
    ]
    bind_request, bound = _bind(
        connection, pack, function, FunctionType.TABLE, arguments(args, named), table.schema
    )
    substream = os.urandom(16)
    stream = _init(
        connection,
        InitRequest(
            bind_call=bind_request,
            output_schema=bound.output_schema,
            bind_opaque_data=bound.opaque_data,
            phase=TableInOutFunctionInitPhase.INPUT,
            substream_id=substream,
        ),
    )
    header = stream.typed_header(GlobalInitResponse)
    outputs: list[pa.RecordBatch] = []
    with contextlib.closing(stream):
        for batch in batches:
            outputs.extend(_exchange(stream, batch))
    # DuckDB sends FINALIZE only to functions that declare a finalize stage.
    if connection.has_finalize(pack, function):
        finalize = _init(
            connection,
            InitRequest(
                bind_call=bind_request,
                output_schema=bound.output_schema,
                bind_opaque_data=bound.opaque_data,
                phase=TableInOutFunctionInitPhase.FINALIZE,
                execution_id=header.execution_id,
                init_opaque_data=header.opaque_data,
                substream_id=substream,
            ),
        )
        outputs.extend(_drain(finalize))
    return rows_of(outputs)


def _value_batch(columns: Sequence[Any] | Mapping[str, Any]) -> pa.RecordBatch:
    if isinstance(columns, Mapping):
        names, values = list(columns), list(columns.values())
    else:
        values = list(columns)
        names = [f"col_{i}" for i in range(len(values))]
    if not values or not all(is_column(v) for v in values):
        raise TypeError("columns is a list of columns (e.g. columns=[[1, 2, 3]]) or a dict of them")
    return batch_of(values, names)


@dataclass(frozen=True, slots=True)
class _GroupPlan:
    """Which group id each row updates, and which ids exist (DuckDB's parallel aggregation)."""

    order: dict[Hashable, int]
    """Group key -> result index, in order of first appearance."""
    row_targets: list[tuple[int, int]]
    """Per row: (partition, group id); partition p uses ids p*width .. p*width+width-1."""

    @property
    def width(self) -> int:
        return len(self.order)

    @property
    def used(self) -> list[int]:
        return sorted({gid for _, gid in self.row_targets} | set(range(self.width)))

    @classmethod
    def of(cls, rows: int, groups: Sequence[Hashable] | None, partitions: int) -> _GroupPlan:
        if partitions < 1:
            raise ValueError(f"partitions must be at least 1; got {partitions}")
        keys: list[Hashable] = list(groups) if groups is not None else [None] * rows
        if len(keys) != rows:
            raise ValueError(f"groups has {len(keys)} keys for {rows} rows")
        order: dict[Hashable, int] = {None: 0} if groups is None else {}
        for key in keys:
            order.setdefault(key, len(order))
        width = len(order)
        targets = [
            (row % partitions, (row % partitions) * width + order[key]) for row, key in enumerate(keys)
        ]
        return cls(order, targets)

    def merges(self, partitions: int) -> list[tuple[int, int]]:
        """(source, target) pairs folding every other partition's groups into partition 0's."""
        used = set(self.used)
        return [
            (partition * self.width + index, index)
            for partition, index in itertools.product(range(1, partitions), range(self.width))
            if partition * self.width + index in used
        ]


def _ids(values: Sequence[int], name: str) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(values, pa.int64())], names=[name])


def call_aggregate(
    connection: Connection,
    pack: str,
    function: str,
    columns: Sequence[Any] | Mapping[str, Any],
    *,
    groups: Sequence[Hashable] | None = None,
    args: Sequence[Any] = (),
    named: Mapping[str, Any] | None = None,
    partitions: int = 1,
    batch_size: int | None = None,
) -> Any:
    """An aggregate call; its result, or ``{group key: result}`` when ``groups`` is given."""
    batch = _value_batch(columns)
    plan = _GroupPlan.of(batch.num_rows, groups, partitions)
    request = AggregateBindRequest(
        function_name=function,
        arguments=arguments(args, named),
        input_schema=batch.schema,
        schema_path=[pack],
        attach_opaque_data=connection.attach,
    )
    proxy = connection.proxy
    bound = rpc_call(lambda: proxy.aggregate_bind(request=request))
    common: dict[str, Any] = {
        "function_name": function,
        "execution_id": bound.execution_id,
        "schema_path": [pack],
        "attach_opaque_data": connection.attach,
    }
    try:
        for partition in range(partitions):
            indices = [i for i, (p, _) in enumerate(plan.row_targets) if p == partition]
            if not indices:
                continue
            part = batch.take(pa.array(indices, pa.int64()))
            gids = pa.array([plan.row_targets[i][1] for i in indices], pa.int64())
            update = pa.RecordBatch.from_arrays(
                [gids, *part.columns], names=[GROUP_ID_COLUMN, *part.schema.names]
            )
            for piece in slices(update, batch_size):
                update_request = AggregateUpdateRequest(input_batch=piece, **common)
                rpc_call(functools.partial(proxy.aggregate_update, request=update_request))
        pairs = plan.merges(partitions)
        if pairs:
            merge = pa.RecordBatch.from_arrays(
                [pa.array([s for s, _ in pairs], pa.int64()), pa.array([t for _, t in pairs], pa.int64())],
                names=["source_group_id", "target_group_id"],
            )
            combine = AggregateCombineRequest(merge_batch=merge, **common)
            rpc_call(lambda: proxy.aggregate_combine(request=combine))
        finalize = AggregateFinalizeRequest(
            group_ids_batch=_ids(range(plan.width), "group_id"), output_schema=bound.output_schema, **common
        )
        result = rpc_call(lambda: proxy.aggregate_finalize(request=finalize)).result_batch
    finally:
        destroy = AggregateDestructorRequest(group_ids_batch=_ids(plan.used, "group_id"), **common)
        with contextlib.suppress(VgiCallError):
            rpc_call(lambda: proxy.aggregate_destructor(request=destroy))
    results = result.column(0).to_pylist()
    if groups is None:
        return results[0]
    return dict(zip(plan.order, results, strict=True))


def call_table_buffering(
    connection: Connection,
    pack: str,
    function: str,
    rows: Sequence[Mapping[str, Any]] | pa.Table | pa.RecordBatch,
    *,
    args: Sequence[Any] = (),
    named: Mapping[str, Any] | None = None,
    batch_size: int | None = None,
) -> list[dict[str, Any]]:
    """A table-buffering call over ``rows``: every batch sunk, combined, then each output stream drained."""
    table = _input_table(rows)
    batches = table.combine_chunks().to_batches(max_chunksize=batch_size)
    bind_request, bound = _bind(
        connection, pack, function, FunctionType.TABLE_BUFFERING, arguments(args, named), table.schema
    )
    proxy = connection.proxy
    sink = _init(
        connection,
        InitRequest(
            bind_call=bind_request,
            output_schema=bound.output_schema,
            bind_opaque_data=bound.opaque_data,
            phase=TableInOutFunctionInitPhase.TABLE_BUFFERING,
        ),
    )
    header = sink.typed_header(GlobalInitResponse)
    sink.close()
    common: dict[str, Any] = {
        "function_name": function,
        "execution_id": header.execution_id,
        "attach_opaque_data": connection.attach,
        "schema_path": [pack],
    }
    outputs: list[pa.RecordBatch] = []
    try:
        state_ids: list[bytes] = []
        for index, batch in enumerate(batches):
            process = TableBufferingProcessRequest(input_batch=batch, batch_index=index, **common)
            state_ids.append(
                rpc_call(functools.partial(proxy.table_buffering_process, request=process)).state_id
            )
        combine = TableBufferingCombineRequest(state_ids=state_ids, **common)
        finalize_ids = rpc_call(lambda: proxy.table_buffering_combine(request=combine)).finalize_state_ids
        for finalize_id in finalize_ids:
            source = InitRequest(
                bind_call=bind_request,
                output_schema=bound.output_schema,
                bind_opaque_data=bound.opaque_data,
                phase=TableInOutFunctionInitPhase.TABLE_BUFFERING_FINALIZE,
                execution_id=header.execution_id,
                init_opaque_data=header.opaque_data,
                finalize_state_id=finalize_id,
            )
            outputs.extend(_drain(_init(connection, source)))
    finally:
        destroy = TableBufferingDestructorRequest(**common)
        with contextlib.suppress(VgiCallError):
            rpc_call(lambda: proxy.table_buffering_destructor(request=destroy))
    return rows_of(outputs)


DRIVERS: Mapping[str, Callable[..., Any]] = {
    "scalar": call_scalar,
    "table": call_table,
    "table_in_out": call_table_in_out,
    "aggregate": call_aggregate,
    "table_buffering": call_table_buffering,
}
"""Each kind's driver, keyed by the kind's name in the kind registry."""
