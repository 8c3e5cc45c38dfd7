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
3. CPU per batch = (CPU for N - CPU for N/3) / (2N/3), best of ``--rounds``,
   which cancels the per-call work (bind, init, catalog) and start-up.

Stream cases only (scalar, table, table-in-out): an aggregate's calls carry an
execution id the worker minted, so a recording cannot be replayed.

    python3 benchmarks/worker_replay.py                                  # every stream case, 2,048 rows
    python3 benchmarks/worker_replay.py --cases multiply --profile       # + cProfile of vgi-host's replay
    python3 benchmarks/worker_replay.py --worker-env VGI_RPC_IPC_VALIDATION=none

Runs inside ``.bench/kinds`` like ``function_kinds.py`` (needs ``uv`` on PATH).
"""

from __future__ import annotations

import argparse
import os
import sys
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
        from vgi_host.cli.serve import _WriteAll
        from vgi_host.host.registry import PackRegistry
        from vgi_host.runtime.server import build_server

        server, _ = build_server(PackRegistry.load())

        def transport(source: Any) -> PipeTransport:
            return PipeTransport(source, _WriteAll(null))  # type: ignore[arg-type]
    else:
        from reference_bench_worker import ReferenceBenchWorker
        from vgi.worker import build_rpc_server
        from vgi_rpc.rpc._transport import _clamped, _exact

        server = build_rpc_server(ReferenceBenchWorker(), transport="pipe")

        def transport(source: Any) -> PipeTransport:
            sink = os.fdopen(null, "wb", buffering=0, closefd=False)
            return PipeTransport(_clamped(source), _exact(sink))

    def replay(path: Path) -> float:
        with path.open("rb") as source:
            start = time.process_time()
            server.serve(transport(source))
            return time.process_time() - start

    return replay


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", nargs="+", choices=STREAM_CASES, default=STREAM_CASES)
    parser.add_argument("--batch-rows", type=int, default=kinds.SMALL_BATCH)
    parser.add_argument("--batches", type=int, default=3000, help="batches in the long recording")
    parser.add_argument("--rounds", type=int, default=7, help="replays per recording (best taken)")
    parser.add_argument("--impls", nargs="+", choices=kinds.IMPLS, default=list(kinds.IMPLS))
    parser.add_argument(
        "--worker-env", type=kinds._key_value, action="append", default=[], metavar="KEY=VALUE"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile vgi-host's long replay")
    options = parser.parse_args()
    kinds.ensure_venv(__file__)
    os.environ.update(kinds.host_environment())
    os.environ.update(dict(options.worker_env))  # read when the servers are built, below

    print(f"# {kinds.environment_line()}", file=sys.stderr)
    print("| case | batch rows | impl | batches replayed | worker CPU µs/batch, in-process replay |")
    print("| --- | ---: | --- | ---: | ---: |")
    replayers = {impl: replayer(impl) for impl in options.impls}
    for name in options.cases:
        case = kinds.CASES[name]
        long_n = recording_batches(case, options.batch_rows, options.batches)
        short_n = max(1, long_n // 3)
        paths = {
            impl: (
                record(impl, case, options.batch_rows, long_n),
                record(impl, case, options.batch_rows, short_n),
            )
            for impl in options.impls
        }
        try:
            best: dict[str, list[float]] = {impl: [float("inf"), float("inf")] for impl in options.impls}
            for impl in options.impls:
                replayers[impl](paths[impl][1])  # warm-up
            for _ in range(options.rounds):  # alternate, so a slow spell of the machine hits both
                for impl in options.impls:
                    for slot in (0, 1):
                        best[impl][slot] = min(best[impl][slot], replayers[impl](paths[impl][slot]))
            for impl in options.impls:
                per_batch = (best[impl][0] - best[impl][1]) / (long_n - short_n) * 1e6
                print(
                    f"| {name} | {options.batch_rows:,} | {impl} | {long_n:,} | {per_batch:.1f} |", flush=True
                )
            if options.profile and "vgi-host" in paths:
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


def recording_batches(case: kinds.Case, batch_rows: int, wanted: int) -> int:
    """``wanted`` batches, fewer when the recording would pass ~64 MiB (it is written to disk)."""
    batch = kinds.make_inputs(case, batch_rows).batch
    batch_bytes = batch.nbytes if batch is not None else 0
    return max(90, min(wanted, (64 << 20) // max(1, batch_bytes)))


if __name__ == "__main__":
    main()
