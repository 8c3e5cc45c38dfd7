"""Cold start: spawn a worker process and time it to its first scalar result.

DuckDB spawns one `vgi-host serve` per worker slot, so this is paid many times
per query.  Each round starts a fresh process through the reference vgi-python
Client (imported once, before timing) and times one scalar call, spawn
included.  Also times `vgi-host list --json`.

    python benchmarks/cold_start.py                    # vgi-host, whatever packs are installed
    python benchmarks/cold_start.py --reference        # also the reference SDK's one-function worker
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
from vgi.client import Client

HERE = Path(__file__).resolve().parent


def time_first_result(argv: list[str], function: str, schema: str, batch: pa.RecordBatch) -> float:
    start = time.perf_counter()
    with Client(argv, pool=None, worker_limit=1) as client:
        results = list(
            client.scalar_function(function_name=function, schema_path=[schema], input=iter([batch]))
        )
        elapsed = time.perf_counter() - start
    assert results[0].num_rows == batch.num_rows
    return elapsed


def time_command(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True)
    return time.perf_counter() - start


def report(label: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    print(
        f"{label:<44} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f} ms   "
        f"max {ms[-1]:7.1f} ms   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--reference", action="store_true", help="also time the reference SDK worker")
    parser.add_argument(
        "--function", default="haversine_km", help="scalar to call (default geo.haversine_km)"
    )
    parser.add_argument("--schema", default="geo")
    options = parser.parse_args()

    exe = shutil.which("vgi-host", path=str(Path(sys.executable).parent)) or "vgi-host"
    geo_batch = pa.RecordBatch.from_pydict({"a": [48.8566], "b": [2.3522], "c": [51.5074], "d": [-0.1278]})
    batch = geo_batch if options.function == "haversine_km" else pa.RecordBatch.from_pydict({"x": [1, 2, 3]})
    time_first_result([exe, "serve"], options.function, options.schema, batch)  # warm the page cache
    report(
        f"vgi-host serve -> first {options.schema}.{options.function}",
        [
            time_first_result([exe, "serve"], options.function, options.schema, batch)
            for _ in range(options.rounds)
        ],
    )
    report("vgi-host list --json", [time_command([exe, "list", "--json"]) for _ in range(options.rounds)])
    report(
        "python -c 'import pyarrow.compute' (floor)",
        [time_command([sys.executable, "-c", "import pyarrow.compute"]) for _ in range(options.rounds)],
    )
    if options.reference:
        argv = [sys.executable, str(HERE / "reference_worker.py")]
        int_batch = pa.RecordBatch.from_pydict({"x": [1, 2, 3]})
        time_first_result(argv, "add_k", "main", int_batch)
        report(
            "reference worker (vgi-python) -> first add_k",
            [time_first_result(argv, "add_k", "main", int_batch) for _ in range(options.rounds)],
        )


if __name__ == "__main__":
    main()
