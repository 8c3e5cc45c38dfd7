"""Soak: resident memory and throughput of one `vgi-host serve` over many calls.

The reference vgi-python ``Client`` drives a single `vgi-host serve` process
(the one DuckDB would start per worker slot) through ``--calls`` calls, a
rotation of the kinds a query uses: a scalar call (bind + init + one batch),
a table function (bind + init + producer ticks) and a catalog attach.  After
every ``--every`` calls the script samples the host's resident set size from
``/proc/<pid>/status`` and the throughput since the previous sample.  A host
that leaks shows RSS growing with the call count; a healthy one is flat after
warm-up.

    uv run python benchmarks/soak.py                     # 10,000 calls, a sample every 1,000
    uv run python benchmarks/soak.py --calls 2000 --every 200

Needs vgi-host and the built-in geo pack installed (``uv run`` in a clone has
both) and Linux (``/proc``).  The host's manifest cache and state store go to
a temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(child) for child in text)
    return found


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _calls(client: object) -> list[Callable[[], int]]:
    from vgi import Arguments

    batch = pa.RecordBatch.from_pydict(
        {"a": [48.8566] * 64, "b": [2.3522] * 64, "c": [51.5074] * 64, "d": [-0.1278] * 64}
    )

    def scalar() -> int:
        results = client.scalar_function(  # type: ignore[attr-defined]
            function_name="haversine_km", schema_path=["geo"], input=iter([batch]), arguments=Arguments()
        )
        return sum(r.num_rows for r in results)

    def table() -> int:
        arguments = Arguments(
            positional=(pa.scalar(48.0), pa.scalar(2.0), pa.scalar(48.5), pa.scalar(2.5), pa.scalar(0.1))
        )
        rows = client.table_function(  # type: ignore[attr-defined]
            function_name="geo_grid", schema_path=["geo"], arguments=arguments
        )
        return sum(b.num_rows for b in rows)

    def catalog() -> int:
        client.catalog_attach(  # type: ignore[attr-defined]
            name="packs", data_version_spec=None, implementation_version=None
        )
        return 1

    return [scalar, table, catalog]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1_000)
    options = parser.parse_args()

    from vgi.client import Client

    exe = shutil.which("vgi-host", path=str(Path(sys.executable).parent)) or "vgi-host"
    with tempfile.TemporaryDirectory(prefix="vgi-soak-") as scratch:
        os.environ["VGI_HOST_CACHE_DIR"] = str(Path(scratch) / "cache")
        os.environ["VGI_HOST_STATE_DB"] = str(Path(scratch) / "state.sqlite3")
        before = _children(os.getpid())
        with Client([exe, "serve"], pool=None, worker_limit=1) as client:
            calls = _calls(client)
            calls[2]()  # start the worker

            def hosts() -> dict[int, float]:
                """RSS (MiB) of every `vgi-host serve` the client started (it may keep a spare)."""
                found = {}
                for pid in _children(os.getpid()) - before:
                    with contextlib.suppress(OSError):
                        if b"serve" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):
                            found[pid] = _rss_kib(pid) / 1024
                return found

            def show(done: int, rate: str) -> float:
                sample = hosts()
                per_host = ", ".join(f"{pid}: {rss:.1f}" for pid, rss in sorted(sample.items()))
                print(f"{done:>8,} {rate:>9} {max(sample.values()):>12.1f}   {per_host}")
                return max(sample.values())

            print(f"{options.calls:,} calls, sample every {options.every:,}")
            print(f"{'calls':>8} {'calls/s':>9} {'max RSS MiB':>12}   RSS MiB per host pid")
            show(0, "")
            first_rss = last_rss = 0.0
            started = window = time.perf_counter()
            for done in range(1, options.calls + 1):
                calls[done % len(calls)]()
                if done % options.every == 0:
                    now = time.perf_counter()
                    last_rss = show(done, f"{options.every / (now - window):.0f}")
                    first_rss = first_rss or last_rss
                    window = now
            elapsed = time.perf_counter() - started
    print(
        f"total {options.calls:,} calls in {elapsed:.1f} s = {options.calls / elapsed:.0f} calls/s; "
        f"max RSS {first_rss:.1f} MiB after the first {options.every:,} calls, {last_rss:.1f} MiB at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
