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
from vgi_rpc import PipeTransport, RpcConnection

from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.protocol.service import VgiProtocol

STOP_TIMEOUT = 20.0


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
