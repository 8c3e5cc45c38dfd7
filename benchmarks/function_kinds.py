"""Throughput of every function kind: vgi-host + a pack against the same functions on vgi-python.

The cases are the public vgi-benchmarks suite's: scalar ``multiply(n, 2)``
(int64 x constant), scalar ``upper_case(s)`` (256-byte strings), table
``sequence(N)``, table-in-out ``echo`` (one BIGINT column) and aggregate sum
over 1 and over 1,000 groups.  Each runs against

* ``vgi-host``  — ``vgi-host serve`` with ``benchmarks/vgi-pack-bench`` installed,
* ``reference`` — ``benchmarks/reference_bench_worker.py`` (vgi-python 0.47.0's own fixtures),
* and, when asked for with ``--impls``, ``floor`` (multiply only) — ``benchmarks/floor_worker.py``:
  vgi-host's protocol with pyarrow alone doing each batch's work, the live floor,

all driven by the reference ``vgi.client.Client`` over stdin/stdout, in the
same run, at each batch size.  For every (case, batch size, implementation)
it prints rows/s end to end and the worker process's CPU time (user + sys)
per batch.  End-to-end figures include the Python client's own per-batch work
(printed too); the worker's CPU per batch is what the worker's code controls.

Measurements alternate between the two implementations (``--repeat`` rounds;
the best round is reported, the usual choice on a shared machine where
interference only ever makes a round slower), each after a short warm-up on a
long-lived worker (one per implementation, started once).
Aggregates are driven through ``Client.aggregate_session`` with group ids
computed once up front, as DuckDB sends them (``Client.aggregate_function``
would assign ids with a per-row Python loop in the client).

Run (needs ``uv`` on PATH; the script re-runs itself in ``.bench/kinds``, a venv
with vgi-host and the bench pack installed from this tree as wheels,
byte-compiled, plus vgi-python 0.47.0):

    python3 benchmarks/function_kinds.py                       # full run, ~5 min on 2 vCPU
    python3 benchmarks/function_kinds.py --quick               # 1/10 of the rows, 1 round
    python3 benchmarks/function_kinds.py --cases multiply echo --batch-sizes 2048
    python3 benchmarks/function_kinds.py --cases multiply --impls vgi-host reference floor
    python3 benchmarks/function_kinds.py --impls vgi-host --worker-env VGI_RPC_IPC_VALIDATION=none
    python3 benchmarks/function_kinds.py --cases multiply --impls vgi-host --profile /tmp/host.prof
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = REPO / ".bench"
VENV = WORK / "kinds"
DIRS = WORK / "kinds-dirs"
PACK = HERE / "vgi-pack-bench"
MARKER_ENV = "VGI_HOST_BENCH_KINDS"
SMALL_BATCH = 2048
DEFAULT_BATCH_SIZES = (SMALL_BATCH, 122_880)
IMPLS = ("vgi-host", "reference", "floor")
DEFAULT_IMPLS = ("vgi-host", "reference")
FLOOR_WORKER = HERE / "floor_worker.py"


# --------------------------------------------------------------- environment ----


def _run(*argv: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in argv], check=True, env={**os.environ, **(env or {})})


def ensure_venv(script: str = __file__) -> None:
    """Re-run ``script`` inside ``.bench/kinds`` (built once; vgi-host and the pack reinstalled each run)."""
    if os.environ.get(MARKER_ENV):
        return
    uv = shutil.which("uv")
    if uv is None:
        sys.exit("function_kinds.py needs `uv` on PATH to build its benchmark venv")
    python = VENV / "bin" / "python"
    install = [uv, "pip", "install", "--quiet", "--no-sources", "--compile-bytecode", "--python", python]
    if not (VENV / ".ready").exists():
        shutil.rmtree(VENV, ignore_errors=True)
        _run(uv, "venv", "--quiet", VENV, env={"UV_PYTHON_DOWNLOADS": "never"})
        _run(*install, REPO, PACK, "vgi-python==0.47.0")
        (VENV / ".ready").write_text("ok\n")
    else:  # the tree may have changed since the venv was built: reinstall our two distributions
        _run(*install, "--reinstall-package", "vgi-host", "--reinstall-package", "vgi-pack-bench", REPO, PACK)
    os.execve(python, [str(python), script, *sys.argv[1:]], {**os.environ, MARKER_ENV: "1"})


def host_environment() -> dict[str, str]:
    """Throwaway cache, state and config locations, so no user setting or stale state leaks in."""
    (DIRS / "state").mkdir(parents=True, exist_ok=True)
    config = DIRS / "config.toml"
    config.write_text("# function_kinds.py: serve every installed pack\n")
    return {
        "VGI_HOST_CACHE_DIR": str(DIRS / "cache"),
        "VGI_HOST_STATE_DB": str(DIRS / "state" / "aggregate-state.sqlite3"),
        "VGI_HOST_CONFIG": str(config),
        "XDG_STATE_HOME": str(DIRS / "xdg-state"),  # the reference worker's aggregate store
    }


# ------------------------------------------------------------------ process ----


def children() -> set[int]:
    """Pids of this process's children (every thread's list)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid``: all its threads, live and exited, to the nanosecond.

    Reads the process's CPU-time clock (``clock_getcpuclockid``; Python has no
    wrapper, so the clock id is built the way glibc does) instead of
    ``/proc/<pid>/stat``, whose 10 ms ticks are too coarse for short runs.
    """
    return time.clock_gettime(((~pid) << 3) | 2)  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)


# -------------------------------------------------------------------- cases ----


@dataclass(frozen=True)
class Target:
    """How one implementation names a function."""

    schema: str
    function: str


@dataclass(frozen=True)
class Case:
    """One benchmark case: a driver and the rows to push at small and large batch sizes."""

    name: str
    kind: str
    targets: dict[str, Target]
    rows_small: int
    rows_large: int
    groups: int = 0

    def rows(self, batch_rows: int, quick: bool) -> int:
        rows = self.rows_small if batch_rows < 32_768 else self.rows_large
        rows //= 10 if quick else 1
        batches = max(4, -(-rows // batch_rows))
        return batches * batch_rows


def _targets(ours: str, theirs: str) -> dict[str, Target]:
    return {"vgi-host": Target("bench", ours), "reference": Target("main", theirs)}


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        Case(
            "multiply",
            "scalar",
            {**_targets("multiply", "multiply"), "floor": Target("bench", "multiply")},
            10_000_000,
            60_000_000,
        ),
        Case("upper_case", "scalar", _targets("upper_case", "upper_case"), 4_000_000, 6_000_000),
        Case("sequence", "table", _targets("sequence", "sequence"), 10_000_000, 10_000_000),
        Case("echo", "table_in_out", _targets("echo", "echo"), 10_000_000, 60_000_000),
        Case("sum_1_group", "aggregate", _targets("sum_int", "vgi_sum"), 2_000_000, 20_000_000, groups=1),
        Case(
            "sum_1000_groups", "aggregate", _targets("sum_int", "vgi_sum"), 500_000, 10_000_000, groups=1000
        ),
    )
}


@dataclass
class Inputs:
    """Input batches for one (case, batch size), built once."""

    batch: Any = None
    group_ids: Any = None


def make_inputs(case: Case, batch_rows: int) -> Inputs:
    import numpy as np
    import pyarrow as pa

    if case.name == "multiply":
        return Inputs(pa.record_batch({"n": pa.array(np.arange(batch_rows, dtype=np.int64))}))
    if case.name == "upper_case":
        return Inputs(pa.record_batch({"s": pa.array(["a" * 256] * batch_rows, pa.string())}))
    if case.name == "echo":
        return Inputs(pa.record_batch({"v": pa.array(np.arange(batch_rows, dtype=np.int64))}))
    if case.kind == "aggregate":
        rng = np.random.default_rng(42)
        gids = rng.integers(0, case.groups, batch_rows, dtype=np.int64) if case.groups > 1 else None
        group_ids = pa.array(gids if gids is not None else np.zeros(batch_rows, dtype=np.int64))
        return Inputs(pa.record_batch({"value": pa.array(np.arange(batch_rows, dtype=np.int64))}), group_ids)
    return Inputs()


def drive(client: Any, case: Case, target: Target, inputs: Inputs, batch_rows: int, rows: int) -> int:
    """Push ``rows`` rows through one call; return the rows that came back (or were aggregated)."""
    import pyarrow as pa
    from vgi import Arguments

    batches = rows // batch_rows
    path = [target.schema]
    if case.kind == "scalar":
        arguments = Arguments(positional=(pa.scalar(2, pa.int64()),)) if case.name == "multiply" else None
        out = client.scalar_function(
            function_name=target.function,
            schema_path=path,
            input=iter([inputs.batch] * batches),
            arguments=arguments,
        )
        return sum(b.num_rows for b in out)
    if case.kind == "table":
        arguments = Arguments(
            positional=(pa.scalar(rows, pa.int64()),), named={"batch_size": pa.scalar(batch_rows, pa.int64())}
        )
        out = client.table_function(function_name=target.function, schema_path=path, arguments=arguments)
        return sum(b.num_rows for b in out)
    if case.kind == "table_in_out":
        out = client.table_in_out_function(
            function_name=target.function,
            schema_path=path,
            input=iter([inputs.batch] * batches),
            has_finalize=False,
        )
        return sum(b.num_rows for b in out)
    with client.aggregate_session(
        function_name=target.function, schema_path=path, input_schema=inputs.batch.schema
    ) as session:
        for _ in range(batches):
            session.update(group_ids=inputs.group_ids, batch=inputs.batch)
        result = session.finalize(range(case.groups))
    expected = batches * sum(range(batch_rows)) if case.groups == 1 else None
    if expected is not None and result.column(0).to_pylist() != [expected]:
        raise AssertionError(f"{case.name}: wrong sum {result.column(0).to_pylist()} != {expected}")
    return rows


# ---------------------------------------------------------------- measuring ----


@dataclass
class Worker:
    """A long-lived worker process behind one Client."""

    impl: str
    argv: list[str]
    client: Any = None
    pid: int = 0

    def start(self) -> None:
        from vgi.client import Client

        before = children()
        self.client = Client(self.argv, pool=None, worker_limit=1)
        self.client.__enter__()
        spawned = children() - before
        if len(spawned) != 1:
            raise RuntimeError(f"{self.impl}: expected one worker process, found {sorted(spawned)}")
        (self.pid,) = spawned

    def stop(self) -> None:
        if self.client is not None:
            self.client.__exit__(None, None, None)


@dataclass
class Sample:
    seconds: float
    worker_cpu: float
    client_cpu: float


@dataclass
class Result:
    case: str
    batch_rows: int
    impl: str
    rows: int
    batches: int
    samples: list[Sample] = field(default_factory=list)

    @property
    def rows_per_s(self) -> float:
        return self.rows / min(s.seconds for s in self.samples)

    @property
    def worker_us_per_batch(self) -> float:
        return min(s.worker_cpu for s in self.samples) / self.batches * 1e6

    @property
    def client_us_per_batch(self) -> float:
        return min(s.client_cpu for s in self.samples) / self.batches * 1e6


def measure(worker: Worker, work: Callable[[], int], expected_rows: int) -> Sample:
    cpu0, client0, start = cpu_seconds(worker.pid), time.process_time(), time.perf_counter()
    got = work()
    seconds = time.perf_counter() - start
    sample = Sample(seconds, cpu_seconds(worker.pid) - cpu0, time.process_time() - client0)
    if got != expected_rows:
        raise AssertionError(f"{worker.impl}: {got} rows back, expected {expected_rows}")
    return sample


def run_all(
    workers: dict[str, Worker], cases: list[Case], sizes: list[int], repeat: int, quick: bool
) -> list[Result]:
    results: list[Result] = []
    for case in cases:
        for batch_rows in sizes:
            rows = case.rows(batch_rows, quick)
            inputs = make_inputs(case, batch_rows)
            serving = {impl: worker for impl, worker in workers.items() if impl in case.targets}
            per_impl = {
                impl: Result(case.name, batch_rows, impl, rows, rows // batch_rows) for impl in serving
            }
            warm_rows = batch_rows * max(4, min(50, rows // batch_rows // 10))
            for impl, worker in serving.items():
                drive(worker.client, case, case.targets[impl], inputs, batch_rows, warm_rows)
            for _ in range(repeat):
                for impl, worker in serving.items():
                    work = functools.partial(
                        drive, worker.client, case, case.targets[impl], inputs, batch_rows, rows
                    )
                    per_impl[impl].samples.append(measure(worker, work, rows))
            for result in per_impl.values():
                print(
                    f"  {case.name:<16} {batch_rows:>7} {result.impl:<9}"
                    f" {result.rows_per_s / 1e6:8.2f} M rows/s"
                    f"  worker {result.worker_us_per_batch:9.1f} us/batch"
                    f"  client {result.client_us_per_batch:9.1f} us/batch",
                    file=sys.stderr,
                    flush=True,
                )
            results.extend(per_impl.values())
    return results


# ---------------------------------------------------------------- reporting ----


def _rate(value: float) -> str:
    return f"{value / 1e6:.2f} M" if value >= 1e5 else f"{value / 1e3:.1f} k"


def table(results: list[Result]) -> str:
    lines = [
        "| case | batch rows | impl | rows/s | worker CPU µs/batch | client CPU µs/batch "
        "| rows/s / ref | worker CPU / ref |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_key = {(r.case, r.batch_rows, r.impl): r for r in results}
    for r in results:
        ratio = cpu_ratio = "—"
        ref = by_key.get((r.case, r.batch_rows, "reference"))
        if r.impl != "reference" and ref is not None:
            ratio = f"{r.rows_per_s / ref.rows_per_s:.2f}x"
            cpu_ratio = f"{r.worker_us_per_batch / ref.worker_us_per_batch:.2f}"
        lines.append(
            f"| {r.case} | {r.batch_rows:,} | {r.impl} | {_rate(r.rows_per_s)} "
            f"| {r.worker_us_per_batch:,.0f} | {r.client_us_per_batch:,.0f} | {ratio} | {cpu_ratio} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result]) -> list[str]:
    """The issue's targets, each met or missed, with the figure."""
    by_key = {(r.case, r.batch_rows, r.impl): r for r in results}
    out: list[str] = []
    for r in results:
        ref = by_key.get((r.case, r.batch_rows, "reference"))
        if r.impl != "vgi-host" or ref is None:
            continue
        speed = r.rows_per_s / ref.rows_per_s
        cpu = r.worker_us_per_batch / ref.worker_us_per_batch
        kind = CASES[r.case].kind
        label = f"{r.case} @ {r.batch_rows:,}"
        if kind == "aggregate":
            out.append(
                f"{'MET ' if speed >= 10 else 'MISS'} {label}: end to end {speed:.2f}x (target >= 10x)"
            )
            continue
        if r.batch_rows == SMALL_BATCH:
            out.append(
                f"{'MET ' if cpu <= 1 / 3 else 'MISS'} {label}: worker CPU {cpu:.2f} of ref (target <= 0.33)"
            )
            out.append(
                f"{'MET ' if speed >= 1.25 else 'MISS'} {label}: end to end {speed:.2f}x (target >= 1.25x)"
            )
        else:
            out.append(
                f"{'MET ' if speed >= 1.0 else 'MISS'} {label}: end to end {speed:.2f}x (target >= 1.0x)"
            )
    return out


def environment_line() -> str:
    from importlib.metadata import version

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} vCPU {cpu}, Linux {os.uname().release}, CPython {sys.version.split()[0]}, "
        f"pyarrow {version('pyarrow')}, numpy {version('numpy')}, vgi-rpc {version('vgi-rpc')}, "
        f"vgi-python {version('vgi-python')}, vgi-host {version('vgi-host')}"
    )


# --------------------------------------------------------------------- main ----


PROFILED_SERVE = "--serve-under-cprofile"


def serve_under_cprofile(output: str) -> None:
    """``vgi-host serve`` under cProfile timed by CPU time, so time blocked on the pipe is not counted."""
    import cProfile

    from vgi_host.cli.serve import serve_main

    profiler = cProfile.Profile(time.process_time)
    try:
        profiler.runcall(serve_main, [])
    finally:
        profiler.dump_stats(output)


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows and one round")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=list(DEFAULT_BATCH_SIZES))
    parser.add_argument("--impls", nargs="+", choices=IMPLS, default=list(DEFAULT_IMPLS))
    parser.add_argument("--repeat", type=int, default=5, help="measured rounds per cell (best reported)")
    parser.add_argument(
        "--worker-env",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the vgi-host worker only (e.g. VGI_RPC_IPC_VALIDATION=none)",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="run the vgi-host worker under cProfile, writing this file"
    )
    options = parser.parse_args()
    ensure_venv()
    repeat = 1 if options.quick else options.repeat

    os.environ.update(host_environment())
    bin_dir = Path(sys.executable).parent
    host = (
        [sys.executable, __file__, PROFILED_SERVE, str(options.profile)]
        if options.profile
        else [str(bin_dir / "vgi-host"), "serve"]
    )
    if options.worker_env:
        host = ["env", *(f"{k}={v}" for k, v in options.worker_env), *host]
    argv = {
        "vgi-host": host,
        "reference": [sys.executable, str(HERE / "reference_bench_worker.py")],
        "floor": [sys.executable, str(FLOOR_WORKER)],
    }
    workers = {impl: Worker(impl, argv[impl]) for impl in IMPLS if impl in options.impls}

    print(f"# {environment_line()}", file=sys.stderr)
    print(f"# vgi-host worker: {' '.join(host)}", file=sys.stderr)
    started = time.perf_counter()
    try:
        for worker in workers.values():
            worker.start()
        cases = [CASES[name] for name in options.cases]
        results = run_all(workers, cases, options.batch_sizes, repeat, options.quick)
    finally:
        for worker in workers.values():
            worker.stop()
    print(f"# {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(table(results))
    if {"vgi-host", "reference"} <= workers.keys():
        print()
        for line in verdicts(results):
            print(f"- {line}")
    if options.profile:
        import pstats

        print(f"\ncProfile of the vgi-host worker ({options.profile}), top 25 by internal time:")
        pstats.Stats(str(options.profile)).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    if sys.argv[1:2] == [PROFILED_SERVE]:
        serve_under_cprofile(sys.argv[2])
    else:
        main()
