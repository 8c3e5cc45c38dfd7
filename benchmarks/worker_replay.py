"""A worker's own CPU per batch, without the pipe: replay a recorded client stream in-process.

``function_kinds.py`` measures the worker while the reference client drives it
over pipes, batch by batch in lockstep; on a 2-vCPU VM that figure includes a
large, noisy cost of waking the worker for every batch (scheduler, cold caches,
``read``/``write`` system calls) that no Python code in the worker controls.
This script isolates the part the worker's code does control:

1. it records the exact bytes the reference ``Client`` sends for one call
   (the worker runs behind ``tee``), once with N batches and once with N/3;
2. it builds each worker's RPC server *in this process* and serves each
   recording from a file into ``/dev/null``: no client, no blocking;
3. CPU per batch = (CPU for N - CPU for N/3) / (2N/3), per round; the median
   and the best of ``--rounds`` are printed.  This cancels the per-call work
   (bind, init, catalog) and start-up.

Besides vgi-host and the reference it replays vgi-host's recording with
vgi-rpc's generic per-batch loop (``vgi-host-generic``, the loop before the
host had its own), a pyarrow-only ``floor`` (the same batches read, computed
and written with no RPC framework) and ``floor-guarded``: the floor plus only
what every stream of ``vgi-host serve`` pays per batch whatever the function
(the guarded frame reader, validation, one ``write`` per answer).

Stream cases only (scalar, table, table-in-out): an aggregate's calls carry an
execution id the worker minted, so a recording cannot be replayed.

    python3 benchmarks/worker_replay.py                                  # every stream case, 2,048 rows
    python3 benchmarks/worker_replay.py --cases multiply --impls vgi-host vgi-host-generic floor
    python3 benchmarks/worker_replay.py --cases multiply --profile       # + cProfile of vgi-host's replay
    python3 benchmarks/worker_replay.py --worker-env VGI_RPC_IPC_VALIDATION=none

Runs inside ``.bench/kinds`` like ``function_kinds.py`` (needs ``uv`` on PATH).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import function_kinds as kinds  # a sibling script, not a package

RECORDINGS = kinds.WORK / "replay"
STREAM_CASES = [name for name, case in kinds.CASES.items() if case.kind != "aggregate"]


def record(impl: str, case: kinds.Case, batch_rows: int, batches: int) -> Path:
    """The bytes the reference Client sends a worker for one call of ``batches`` batches."""
    from vgi.client import Client

    RECORDINGS.mkdir(parents=True, exist_ok=True)
    path = RECORDINGS / f"{case.name}-{impl}-{batch_rows}-{batches}.bin"
    worker = " ".join(worker_argv(impl))
    with Client(["sh", "-c", f"tee {path} | {worker}"], pool=None, worker_limit=1) as client:
        inputs = kinds.make_inputs(case, batch_rows)
        kinds.drive(client, case, case.targets[impl], inputs, batch_rows, batch_rows * batches)
    return path


def worker_argv(impl: str) -> list[str]:
    if impl == "vgi-host":
        return [str(Path(sys.executable).parent / "vgi-host"), "serve"]
    return [sys.executable, str(kinds.HERE / "reference_bench_worker.py")]


def replayer(impl: str) -> Callable[[Path], float]:
    """Build ``impl``'s RPC server here, with the reader and writer its ``serve`` path uses."""
    from vgi_rpc import PipeTransport

    null = os.open(os.devnull, os.O_WRONLY)
    if impl == "vgi-host":
        from vgi_host.host.registry import PackRegistry
        from vgi_host.runtime.server import build_server
        from vgi_host.transports.frame_reader import GuardedReader
        from vgi_host.transports.framing import CountingWriter, FramingPolicyServer

        server, _ = build_server(PackRegistry.load(), FramingPolicyServer)

        def transport(source: Any) -> PipeTransport:
            return PipeTransport(GuardedReader(source), CountingWriter(null))
    else:
        from reference_bench_worker import ReferenceBenchWorker
        from vgi.worker import build_rpc_server
        from vgi_rpc.rpc._transport import _clamped, _exact

        server = build_rpc_server(ReferenceBenchWorker(), transport="pipe")

        def transport(source: Any) -> PipeTransport:
            sink = os.fdopen(null, "wb", buffering=0, closefd=False)
            return PipeTransport(_clamped(source), _exact(sink))

    buffering = -1
    if impl == "vgi-host":
        from vgi_host.transports.pipe import INPUT_BUFFER_BYTES

        buffering = INPUT_BUFFER_BYTES  # as `vgi-host serve` opens its standard input

    def replay(path: Path) -> float:
        with path.open("rb", buffering=buffering) as source:
            start = time.process_time()
            server.serve(transport(source))
            return time.process_time() - start

    return replay


GENERIC = "vgi-host-generic"
"""vgi-host's server with vgi-rpc's own per-batch loop (``VGI_HOST_STREAM_LOOP=generic``): the before."""
FLOOR = "floor"
"""pyarrow alone: read the input batches, compute, write the output stream; no RPC framework at all."""
GUARDED_FLOOR = "floor-guarded"
"""The floor with what any vgi-host stream pays per batch: the guarded frame reader, validation, one write."""
FLOORS = (FLOOR, GUARDED_FLOOR)
REPLAY_IMPLS = ("vgi-host", GENERIC, "reference", FLOOR, GUARDED_FLOOR)
RECORDED_BY = {"vgi-host": "vgi-host", GENERIC: "vgi-host", "reference": "reference"}


def floor_replayer(case: kinds.Case, batch_rows: int, guarded: bool = False) -> Callable[[int], float]:
    """CPU for ``n`` batches of the case's work in pyarrow alone (a stream in, a stream out).

    The same per-batch shape as a worker, minus everything a worker adds:
    multiply reads a batch and writes ``pc.multiply(column, Int64Scalar)``;
    echo writes the batch it read; sequence reads an empty tick and writes
    ``batch_rows`` consecutive numbers.  The input is read from a file through
    a Python file object, as the workers' replays read their recordings (and
    a worker its pipe): reading it from memory instead would spare the floor
    the kernel's copy of every batch that both workers pay (about 1 µs per
    2,048-row batch here).  The output goes into a Python file object too.

    ``guarded`` adds only what every stream of ``vgi-host serve`` pays per
    batch whatever its kind: the input read through the host's frame reader
    and frame decoder (its size limits and abandoned-stream handling), each
    batch validated at the default level (``full``), and each answer after the
    first serialised and written in one ``write``, as the host's loop does.
    No RPC framework, no pack code, no kind.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    tick = pa.record_batch([], schema=pa.schema([]))
    batch = kinds.make_inputs(case, batch_rows).batch if case.kind != "table" else tick
    two = pa.scalar(2, pa.int64())

    def compute(item: Any, index: int) -> Any:
        """The answer to the ``index``-th input batch."""
        if case.name == "multiply":
            return pa.RecordBatch.from_arrays([pc.multiply(item.column(0), two)], names=["result"])
        if case.kind == "table":
            start = index * batch_rows
            return pa.RecordBatch.from_arrays(
                [pa.array(np.arange(start, start + batch_rows))], names=["value"]
            )
        return item

    def run(n: int) -> float:
        with tempfile.NamedTemporaryFile(suffix=".arrows") as file:
            with pa.ipc.new_stream(file, batch.schema) as writer:
                for _ in range(n):
                    writer.write_batch(batch)
            file.flush()
            if guarded:
                return run_guarded(Path(file.name))
            with open(file.name, "rb") as source:  # buffered as the reference's replay opens its input
                return run_plain(source)

    def run_plain(source: Any) -> float:
        sink = open(os.devnull, "wb", buffering=0)  # noqa: SIM115 - closed below, after timing
        started = time.process_time()
        reader = pa.ipc.open_stream(source)
        out = None
        for i, item in enumerate(reader):
            result = compute(item, i)
            if out is None:
                out = pa.ipc.new_stream(sink, result.schema)
            out.write_batch(result)
        if out is not None:
            out.close()
        elapsed = time.process_time() - started
        sink.close()
        return elapsed

    def run_guarded(path: Path) -> float:
        return guarded_input_cpu(path, lambda batches, connection: answer_each(batches, connection, compute))

    return run


def guarded_input_cpu(path: Path, answer: Callable[[Any, Any], None]) -> float:
    """CPU seconds for ``answer(batches, connection)`` over the stream in ``path``, read as ``serve`` reads.

    The file is opened with ``vgi-host serve``'s input buffer and read through
    its frame reader and frame decoder (each batch validated at the default
    level by whoever takes it); ``connection`` is the host's writer, into
    ``/dev/null``.  Opening the file is not timed.
    """
    from vgi_rpc.utils import IpcValidation

    from vgi_host.transports.frame_batches import open_input
    from vgi_host.transports.frame_reader import GuardedReader
    from vgi_host.transports.framing import CountingWriter
    from vgi_host.transports.pipe import INPUT_BUFFER_BYTES

    null = os.open(os.devnull, os.O_WRONLY)
    try:
        with path.open("rb", buffering=INPUT_BUFFER_BYTES) as source:
            started = time.process_time()
            reader = GuardedReader(source)
            reader.begin_request()
            answer(open_input(reader, IpcValidation.FULL), CountingWriter(null))
            return time.process_time() - started
    finally:
        os.close(null)


def answer_each(batches: Any, connection: Any, compute: Callable[[Any, int], Any]) -> None:
    """The guarded floor's per-batch loop: each batch validated (``full``), ``compute(batch, index)``
    answered, the first answer through pyarrow's writer (it sends the schema), every later one
    serialised and written in one ``write``, as the host's loop writes."""
    import pyarrow as pa

    read = batches.read_next_batch_with_custom_metadata
    writer = None
    index = 0
    while True:
        try:
            batch, _ = read()
        except StopIteration:
            break
        batch.validate(full=True)
        result = compute(batch, index)
        index += 1
        if writer is None:
            writer = pa.ipc.new_stream(pa.PythonFile(connection, mode="w"), result.schema)
            writer.write_batch(result)
        else:
            connection.write(result.serialize())
    if writer is not None:
        writer.close()


def replay_per_batch(
    case_names: list[str], impls: list[str], batch_rows: int, batches: int, rounds: int, profile: bool = False
) -> dict[tuple[str, str], list[float]]:
    """Per-batch worker CPU (seconds) of each round, by (case, impl); alternating impls each round."""
    results: dict[tuple[str, str], list[float]] = {}
    recorded = sorted({RECORDED_BY[impl] for impl in impls if impl in RECORDED_BY})
    replayers = {impl: replayer(impl) for impl in recorded}
    for name in case_names:
        case = kinds.CASES[name]
        long_n = recording_batches(case, batch_rows, batches)
        short_n = max(1, long_n // 3)
        paths = {
            impl: (record(impl, case, batch_rows, long_n), record(impl, case, batch_rows, short_n))
            for impl in recorded
        }
        floors = {
            impl: floor_replayer(case, batch_rows, impl == GUARDED_FLOOR) for impl in FLOORS if impl in impls
        }

        counts = (long_n, short_n)

        once = functools.partial(replay_once, replayers=replayers, paths=paths, floors=floors, counts=counts)
        try:
            for impl in impls:
                once(impl, 1)  # warm-up
            for _ in range(rounds):  # alternate, so a slow spell of the machine hits every impl
                for impl in impls:
                    long_s, short_s = once(impl, 0), once(impl, 1)
                    results.setdefault((name, impl), []).append((long_s - short_s) / (long_n - short_n))
            if profile and "vgi-host" in paths:
                import cProfile
                import pstats

                profiler = cProfile.Profile(time.process_time)
                profiler.runcall(replayers["vgi-host"], paths["vgi-host"][0])
                print(f"\ncProfile (CPU time) of vgi-host replaying {long_n} batches of {name}:")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        finally:
            for pair in paths.values():
                for path in pair:
                    path.unlink(missing_ok=True)
    return results


def replay_once(
    impl: str,
    slot: int,
    *,
    replayers: dict[str, Callable[[Path], float]],
    paths: dict[str, tuple[Path, Path]],
    floors: dict[str, Callable[[int], float]],
    counts: tuple[int, int],
) -> float:
    """CPU seconds of one replay: the long (slot 0) or the short (slot 1) recording."""
    if impl in floors:
        return floors[impl](counts[slot])
    with loop_for(impl):
        return replayers[RECORDED_BY[impl]](paths[RECORDED_BY[impl]][slot])


class loop_for:  # noqa: N801 - used as a context manager, reads like a phrase
    """``VGI_HOST_STREAM_LOOP=generic`` while a GENERIC replay runs (read per stream by the host)."""

    def __init__(self, impl: str) -> None:
        self._generic = impl == GENERIC

    def __enter__(self) -> None:
        if self._generic:
            os.environ["VGI_HOST_STREAM_LOOP"] = "generic"

    def __exit__(self, *exc: object) -> None:
        os.environ.pop("VGI_HOST_STREAM_LOOP", None)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", nargs="+", choices=STREAM_CASES, default=STREAM_CASES)
    parser.add_argument("--batch-rows", type=int, default=kinds.SMALL_BATCH)
    parser.add_argument("--batches", type=int, default=3000, help="batches in the long recording")
    parser.add_argument("--rounds", type=int, default=7, help="replays per recording (median and best shown)")
    parser.add_argument("--impls", nargs="+", choices=REPLAY_IMPLS, default=list(REPLAY_IMPLS))
    parser.add_argument(
        "--worker-env", type=kinds._key_value, action="append", default=[], metavar="KEY=VALUE"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile vgi-host's long replay")
    options = parser.parse_args()
    kinds.ensure_venv(__file__)
    os.environ.update(kinds.host_environment())
    os.environ.update(dict(options.worker_env))  # read when the servers are built, below

    print(f"# {kinds.environment_line()}", file=sys.stderr)
    results = replay_per_batch(
        options.cases, options.impls, options.batch_rows, options.batches, options.rounds, options.profile
    )
    print(
        "| case | batch rows | impl | worker CPU µs/batch, in-process replay: median (best) | / reference |"
    )
    print("| --- | ---: | --- | ---: | ---: |")
    for name in options.cases:
        reference = results.get((name, "reference"))
        for impl in options.impls:
            samples = results[(name, impl)]
            ratio = f"{median(samples) / median(reference):.2f}" if reference else "—"
            figure = f"{median(samples) * 1e6:.1f} ({min(samples) * 1e6:.1f})"
            print(f"| {name} | {options.batch_rows:,} | {impl} | {figure} | {ratio} |")


def recording_batches(case: kinds.Case, batch_rows: int, wanted: int) -> int:
    """``wanted`` batches, fewer when the recording would pass ~64 MiB (it is written to disk)."""
    batch = kinds.make_inputs(case, batch_rows).batch
    batch_bytes = batch.nbytes if batch is not None else 0
    return max(90, min(wanted, (64 << 20) // max(1, batch_bytes)))


if __name__ == "__main__":
    main()
