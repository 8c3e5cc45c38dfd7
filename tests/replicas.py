"""Several `vgi-host serve` processes sharing one state store, and an aggregate driven across them.

DuckDB (or a load balancer in front of HTTP replicas) sends each call of one
aggregate execution to whichever worker answers.  :class:`ReplicaSet` starts
N real ``vgi-host serve`` processes (pipe transport, own environment each,
started and stopped by pid); :func:`round_robin_aggregate` binds on one and
sends every following call to the next live replica in turn, optionally
killing one (SIGKILL) part-way.

Reuse for other transports: a replica only needs ``.proxy`` (a vgi-rpc
``VgiProtocol`` proxy), ``.alive`` and ``.kill()``; an HTTP replica behind
nginx can provide the same three and use the same driver.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, cast

import pyarrow as pa
from vgi_rpc import PipeTransport, RpcConnection, StreamSession

from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
    TableBufferingCombineRequest,
    TableBufferingDestructorRequest,
    TableBufferingProcessRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.enums import FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.invocation import BindRequest, GlobalInitResponse, InitRequest
from vgi_host.protocol.service import VgiProtocol

STOP_TIMEOUT = 20.0


class _Turns:
    """Hands out the next live replica, counting the calls each one served."""

    def __init__(self, replicas: Sequence[Replica]) -> None:
        self.replicas = replicas
        self.calls = [0] * len(replicas)
        self._turn = 0

    def next_live(self) -> Replica:
        for _ in range(len(self.replicas)):
            index = self._turn % len(self.replicas)
            self._turn += 1
            if self.replicas[index].alive:
                self.calls[index] += 1
                return self.replicas[index]
        raise RuntimeError("no replica is alive")


class Replica(Protocol):
    """What the driver needs from one worker, whatever its transport."""

    @property
    def proxy(self) -> VgiProtocol: ...

    @property
    def alive(self) -> bool: ...

    def kill(self) -> None: ...


@dataclass
class PipeReplica:
    """One `vgi-host serve` subprocess speaking the protocol on its stdin/stdout."""

    process: subprocess.Popen[bytes]
    proxy: VgiProtocol
    _stack: contextlib.ExitStack = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crashed or OOM-killed worker: no cleanup of any kind runs."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        """Close the connection (stdin EOF ends the serve loop), then make sure the pid is gone."""
        with contextlib.suppress(Exception):
            self._stack.close()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)


@contextlib.contextmanager
def pipe_replicas(argv: Sequence[str], count: int, env: Mapping[str, str]) -> Iterator[list[PipeReplica]]:
    """*count* serve processes with *env* added to the environment; all stopped on exit."""
    replicas: list[PipeReplica] = []
    try:
        for _ in range(count):
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **env},
                bufsize=0,
            )
            assert process.stdin is not None
            assert process.stdout is not None
            stack = contextlib.ExitStack()
            reader = cast("IO[bytes]", os.fdopen(process.stdout.fileno(), "rb", closefd=False))
            transport = PipeTransport(reader, process.stdin)  # type: ignore[arg-type]
            stack.callback(process.stdin.close)
            proxy = stack.enter_context(RpcConnection(VgiProtocol, transport))  # type: ignore[type-abstract]
            replicas.append(PipeReplica(process, proxy, stack))
        yield replicas
    finally:
        for replica in replicas:
            replica.stop()


@dataclass
class AggregateRun:
    """What happened in one :func:`round_robin_aggregate`."""

    results: list[Any]
    calls_per_replica: list[int]
    killed: int | None = None


def round_robin_aggregate(
    replicas: Sequence[Replica],
    *,
    schema: str,
    function: str,
    batches: Sequence[pa.RecordBatch],
    groups: int,
    kill: tuple[int, int] | None = None,
    before_finalize: Callable[[bytes], None] | None = None,
) -> AggregateRun:
    """Bind on replica 0, send update *i* to the next live replica, finalize on the next one.

    *batches* carry ``__vgi_group_id`` first, then the value columns.
    ``kill=(after_update, replica)`` SIGKILLs that replica once update
    number *after_update* has been answered; the remaining calls go to the
    survivors.  ``before_finalize(execution_id)`` runs just before finalize
    (e.g. to tamper with the store).
    """
    value_schema = pa.schema(list(batches[0].schema)[1:])
    first = replicas[0].proxy
    bound = first.aggregate_bind(
        request=AggregateBindRequest(
            function_name=function, arguments=Arguments(), input_schema=value_schema, schema_path=[schema]
        )
    )
    common: dict[str, Any] = {
        "function_name": function,
        "execution_id": bound.execution_id,
        "schema_path": [schema],
    }
    calls = [0] * len(replicas)
    turn = 0
    killed: int | None = None

    def next_live() -> Replica:
        nonlocal turn
        for _ in range(len(replicas)):
            index = turn % len(replicas)
            turn += 1
            if replicas[index].alive:
                calls[index] += 1
                return replicas[index]
        raise RuntimeError("no replica is alive")

    ids = pa.RecordBatch.from_arrays([pa.array(range(groups), pa.int64())], names=["group_id"])
    try:
        for number, batch in enumerate(batches, start=1):
            next_live().proxy.aggregate_update(request=AggregateUpdateRequest(input_batch=batch, **common))
            if kill is not None and number == kill[0]:
                replicas[kill[1]].kill()
                killed = kill[1]
        if before_finalize is not None:
            before_finalize(bound.execution_id)
        result = next_live().proxy.aggregate_finalize(
            request=AggregateFinalizeRequest(group_ids_batch=ids, output_schema=bound.output_schema, **common)
        )
    finally:
        with contextlib.suppress(Exception):
            next_live().proxy.aggregate_destructor(
                request=AggregateDestructorRequest(group_ids_batch=ids, **common)
            )
    return AggregateRun(result.result_batch.column(0).to_pylist(), calls, killed)


@dataclass
class BufferingRun:
    """What happened in one :func:`round_robin_buffering`."""

    batches: list[pa.RecordBatch]
    output_schema: pa.Schema
    calls_per_replica: list[int]


def round_robin_buffering(
    replicas: Sequence[Replica],
    *,
    schema: str,
    function: str,
    batches: Sequence[pa.RecordBatch],
    arguments: Arguments,
) -> BufferingRun:
    """One table-buffering execution with every call on the next live replica, as DuckDB's pool may.

    bind, the sink init, each ``table_buffering_process``, the combine, each
    FINALIZE stream (opened and drained on one replica) and the destructor
    each go to the next replica in turn.
    """
    turns = _Turns(replicas)
    request = BindRequest(
        function_name=function,
        arguments=arguments,
        function_type=FunctionType.TABLE_BUFFERING,
        input_schema=batches[0].schema,
        schema_path=[schema],
    )
    bound = turns.next_live().proxy.bind(request=request)
    sink = cast(
        StreamSession,
        turns.next_live().proxy.init(
            request=InitRequest(
                bind_call=request,
                output_schema=bound.output_schema,
                phase=TableInOutFunctionInitPhase.TABLE_BUFFERING,
            )
        ),
    )
    execution_id = sink.typed_header(GlobalInitResponse).execution_id
    sink.close()
    common: dict[str, Any] = {"function_name": function, "execution_id": execution_id}
    output: list[pa.RecordBatch] = []
    try:
        state_ids = [
            turns.next_live()
            .proxy.table_buffering_process(
                request=TableBufferingProcessRequest(input_batch=batch, batch_index=index, **common)
            )
            .state_id
            for index, batch in enumerate(batches)
        ]
        combined = turns.next_live().proxy.table_buffering_combine(
            request=TableBufferingCombineRequest(state_ids=state_ids, **common)
        )
        for finalize_id in combined.finalize_state_ids:
            stream = cast(
                StreamSession,
                turns.next_live().proxy.init(
                    request=InitRequest(
                        bind_call=request,
                        output_schema=bound.output_schema,
                        phase=TableInOutFunctionInitPhase.TABLE_BUFFERING_FINALIZE,
                        execution_id=execution_id,
                        finalize_state_id=finalize_id,
                    )
                ),
            )
            with contextlib.closing(stream):
                while True:
                    try:
                        batch = stream.tick().batch
                    except StopIteration:
                        break
                    if batch.num_rows:
                        output.append(batch)
    finally:
        with contextlib.suppress(Exception):
            turns.next_live().proxy.table_buffering_destructor(
                request=TableBufferingDestructorRequest(**common)
            )
    return BufferingRun(output, bound.output_schema, turns.calls)
