"""Where a scalar batch's worker CPU goes: the host's per-batch path built up piece by piece.

``worker_replay.py`` compares whole workers; this script attributes the gap
between the host and the pyarrow floor for ``multiply`` at 2,048 rows by
timing, in one process and alternating round by round, the same input read
from a file descriptor through the host's frame reader and answered

1. ``floor``: with pyarrow alone (``pc.multiply`` on the column, ``from_arrays``
   with the column's name) - worker_replay's ``floor-guarded``;
2. ``+ sdk``: by the bench pack's ``Multiply`` through the SDK's ``BoundScalar``
   (``BoundScalar.run``: keyword arguments, the pack's ``compute`` classmethod,
   the result's type and length checks, the answer built on the declared schema);
3. ``+ kind``: through ``ScalarExchangeState.exchange_batch`` (the kind's error
   wrapping around it);
4. ``+ loop``: inside the server's own direct-exchange loop
   (``StreamLoopServer._run_direct_exchange``: the input iterator with
   validation, cancel and coercion checks, the answer's schema check unless
   the state promises its schema, ``_Answers.send``);
5. ``server``: the whole server replaying a recording of the reference
   ``Client`` calling ``bench.multiply`` (bind, init, the stream), as
   ``worker_replay.py`` does.

CPU per batch = (CPU for N batches - CPU for N/3) / (2N/3), medians of
``--rounds``.  Stages 1-4 reach into private pieces of
``vgi_host.transports.stream_loop``: this is a profile for ``docs/performance.md``,
not an interface.

    python3 benchmarks/scalar_path.py
    python3 benchmarks/scalar_path.py --rounds 15 --batches 3000

Runs inside ``.bench/kinds`` like ``function_kinds.py`` (needs ``uv`` on PATH).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import function_kinds as kinds  # sibling scripts, not a package
import worker_replay as replay

STAGES = ("floor", "+ sdk", "+ kind", "+ loop", "server")


def stage_runner(stage: str) -> Callable[[Path], float]:
    """CPU seconds to answer every batch of the stream file at ``path``, for one stage."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from vgi_pack_bench.functions import Multiply
    from vgi_rpc.utils import IpcValidation

    from vgi_host.kinds.scalar import ScalarExchangeState
    from vgi_host.sdk.scalar import BoundScalar
    from vgi_host.transports import stream_loop

    two = pa.scalar(2, pa.int64())
    output_schema = pa.schema([pa.field("result", pa.int64())])
    bound = BoundScalar(Multiply.compute, (("x", 0, None),), {"factor": two}, output_schema, pa.int64())
    state = ScalarExchangeState("bench.multiply", b"", bound)

    def floor(batch: pa.RecordBatch) -> pa.RecordBatch:
        return pa.RecordBatch.from_arrays([pc.multiply(batch.column(0), two)], names=["result"])

    answers: dict[str, Callable[[pa.RecordBatch], pa.RecordBatch]] = {
        "floor": floor,
        "+ sdk": bound.run,
        "+ kind": state.exchange_batch,
    }
    compute = answers.get(stage, state.exchange_batch)

    def per_batch(batch: pa.RecordBatch, _index: int) -> pa.RecordBatch:
        """Every stage's answer goes through this one call, so they all pay for it alike."""
        return compute(batch)

    def run(path: Path) -> float:
        if stage == "+ loop":
            return replay.guarded_input_cpu(path, _host_loop)
        return replay.guarded_input_cpu(
            path, lambda batches, connection: replay.answer_each(batches, connection, per_batch)
        )

    server = stream_loop.StreamLoopServer.__new__(stream_loop.StreamLoopServer)  # its loop, not a server
    server._ipc_validation = IpcValidation.FULL

    def _host_loop(batches: Any, connection: Any) -> None:
        """The server's own direct-exchange loop, fed ``per_batch`` as the state's ``exchange_batch``."""
        schema = output_schema
        buffered = stream_loop._buffered(connection)
        with pa.ipc.new_stream(buffered, schema) as writer:
            answers = stream_loop._Answers(writer, buffered, connection, schema)
            out = stream_loop._ReusedCollector(schema, producer_mode=False)
            promised = state.answer_schema
            fitted = promised is not None and promised.equals(schema, check_metadata=True)
            server._run_direct_exchange(
                batches, answers, lambda batch: per_batch(batch, 0), out, batches.schema, fitted
            )
        buffered.flush()

    return run


def input_files(batches: int, directory: Path) -> tuple[Path, Path]:
    """Streams of ``batches`` and ``batches // 3`` input batches of multiply's 2,048-row input."""
    import pyarrow as pa

    batch = kinds.make_inputs(kinds.CASES["multiply"], kinds.SMALL_BATCH).batch
    paths = []
    for n in (batches, batches // 3):
        path = directory / f"multiply-{n}.arrows"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, batch.schema) as writer:
            for _ in range(n):
                writer.write_batch(batch)
        paths.append(path)
    return paths[0], paths[1]


def measure(batches: int, rounds: int) -> dict[str, list[float]]:
    """Per-batch CPU seconds of each round, by stage."""
    case = kinds.CASES["multiply"]
    long_n, short_n = batches, batches // 3
    results: dict[str, list[float]] = {stage: [] for stage in STAGES}
    with tempfile.TemporaryDirectory() as scratch:
        files = input_files(batches, Path(scratch))
        recordings = (
            replay.record("vgi-host", case, kinds.SMALL_BATCH, long_n),
            replay.record("vgi-host", case, kinds.SMALL_BATCH, short_n),
        )
        server = replay.replayer("vgi-host")
        runners = {stage: stage_runner(stage) for stage in STAGES[:-1]}

        def once(stage: str, slot: int) -> float:
            if stage == "server":
                return server(recordings[slot])
            return runners[stage](files[slot])

        try:
            for stage in STAGES:
                once(stage, 1)  # warm-up
            for _ in range(rounds):
                for stage in STAGES:
                    results[stage].append((once(stage, 0) - once(stage, 1)) / (long_n - short_n))
        finally:
            for path in recordings:
                path.unlink(missing_ok=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--batches", type=int, default=3000, help="batches in the long input")
    options = parser.parse_args()
    kinds.ensure_venv(__file__)
    os.environ.update(kinds.host_environment())
    print(f"# {kinds.environment_line()}", file=sys.stderr)
    results = measure(options.batches, options.rounds)
    print("| stage | worker CPU µs/batch: median (best) | added by the stage |")
    print("| --- | ---: | ---: |")
    previous = None
    for stage in STAGES:
        value = replay.median(results[stage]) * 1e6
        added = "" if previous is None else f"{value - previous:+.2f}"
        print(f"| {stage} | {value:.2f} ({min(results[stage]) * 1e6:.2f}) | {added} |")
        previous = value


if __name__ == "__main__":
    main()
