"""Transports: warm launch vs cold start, and HTTP per-turn cost vs the reference worker.

Warm launch: DuckDB's `launch:vgi-host serve` (and the reference Client's
`from_launch`) reuses one warm worker per user over a unix socket.  This times
a *second* query, spawn-to-first-result as a client sees it (launcher lookup,
connect, one scalar call), against the cold start of a fresh `vgi-host serve`
subprocess, in the same run.

HTTP per turn: one `catalog_attach` call (a unary round trip) and one scalar exchange
turn through `vgi-host serve --http` and through the reference worker served by
`vgi-serve --http` (vgi-python 0.47.0), same machine, same run.  Both use
waitress with their default threads and the same signing key.

    python benchmarks/transports.py                 # both measurements
    python benchmarks/transports.py --rounds 40
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
from vgi import Arguments
from vgi.client import Client

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
KEY = "benchmark-signing-key-0123456789abcdef"


def report(label: str, samples: list[float]) -> float:
    ms = sorted(s * 1000 for s in samples)
    median = statistics.median(ms)
    print(f"{label:<58} median {median:8.2f} ms   min {ms[0]:8.2f} ms   (n={len(ms)})")
    return median


def _arguments(schema: str) -> Arguments:
    """testkit.add_k(x, k) takes a constant k; the reference worker's main.add_k(x) adds 1 itself."""
    return Arguments(positional=(pa.scalar(1),)) if schema == "testkit" else Arguments()


def scalar_once(client: Client, function: str, schema: str) -> None:
    batch = pa.RecordBatch.from_pydict({"x": pa.array([1, 2, 3], pa.int64())})
    arguments = _arguments(schema)
    out = list(
        client.scalar_function(
            function_name=function, schema_path=[schema], input=iter([batch]), arguments=arguments
        )
    )
    assert out[0].num_rows == 3


def warm_launch(rounds: int, function: str, schema: str) -> None:
    exe = str(BIN / "vgi-host")
    with tempfile.TemporaryDirectory(prefix="vgi-bench-", dir="/tmp") as state_dir:
        argv = [exe, "serve"]
        try:
            start = time.perf_counter()
            with Client.from_launch(argv, idle_timeout=60, state_dir=state_dir) as client:
                scalar_once(client, function, schema)
            report("launch, first query (spawns the worker)", [time.perf_counter() - start])
            warm = []
            for _ in range(rounds):
                start = time.perf_counter()
                with Client.from_launch(argv, idle_timeout=60, state_dir=state_dir) as client:
                    scalar_once(client, function, schema)
                warm.append(time.perf_counter() - start)
            warm_ms = report("launch, later query (warm worker): to first result", warm)
        finally:
            for sock in Path(state_dir).glob("*.sock"):
                owner = _socket_owner(sock)
                if owner:
                    os.kill(owner, signal.SIGTERM)
    cold = []
    for _ in range(max(5, rounds // 4)):
        start = time.perf_counter()
        with Client([exe, "serve"], pool=None, worker_limit=1) as client:
            scalar_once(client, function, schema)
        cold.append(time.perf_counter() - start)
    cold_ms = report("subprocess cold start: spawn to first result", cold)
    print(f"{'warm launch / cold start':<58} {warm_ms / cold_ms:8.3f}x")


def _socket_owner(path: Path) -> int | None:
    import socket
    import struct

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(str(path))
            raw = probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    return int(struct.unpack("3i", raw)[0])


class HttpServer:
    def __init__(self, argv: list[str]) -> None:
        env = {**os.environ, "VGI_SIGNING_KEY": KEY}
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        line = self.process.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("PORT:"):
            self.stop()
            raise RuntimeError(f"{argv[0]} did not announce a port: {line!r}")
        self.url = f"http://127.0.0.1:{line.split(':')[1]}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=15)


def http_turns(
    label: str, argv: list[str], function: str, schema: str, catalog: str, rounds: int
) -> tuple[float, float]:
    server = HttpServer(argv)
    try:
        with Client.from_http(server.url) as client:
            for _ in range(5):  # warm up: imports, first bind, connection pool
                scalar_once(client, function, schema)
            unary = []
            arguments = _arguments(schema)
            for _ in range(rounds):
                start = time.perf_counter()
                client.catalog_attach(name=catalog, data_version_spec=None, implementation_version=None)
                unary.append(time.perf_counter() - start)
            one, many = [], []
            batch = pa.RecordBatch.from_pydict({"x": pa.array(range(2048), pa.int64())})
            for _ in range(rounds):
                for count, samples in ((1, one), (11, many)):
                    start = time.perf_counter()
                    out = list(
                        client.scalar_function(
                            function_name=function,
                            schema_path=[schema],
                            input=iter([batch] * count),
                            arguments=arguments,
                        )
                    )
                    samples.append(time.perf_counter() - start)
                    assert sum(b.num_rows for b in out) == 2048 * count
    finally:
        server.stop()
    bind_ms = report(f"{label}: catalog_attach (one unary round trip)", unary)
    per_turn = [(m - o) / 10 for o, m in zip(one, many, strict=True)]
    turn_ms = report(f"{label}: scalar exchange, per 2,048-row turn", per_turn)
    return bind_ms, turn_ms


def http_comparison(rounds: int) -> None:
    vgi_serve = shutil.which("vgi-serve", path=str(BIN))
    if vgi_serve is None:
        raise SystemExit("vgi-serve (vgi-python[http]) is needed for the reference HTTP worker")
    ours = http_turns(
        "vgi-host --http",
        [str(BIN / "vgi-host"), "serve", "--http", "--port", "0"],
        "add_k",
        "testkit",
        "packs",
        rounds,
    )
    reference = http_turns(
        "reference (vgi-serve --http)",
        [vgi_serve, str(HERE / "reference_worker.py"), "--http", "--host", "127.0.0.1", "--port", "0"],
        "add_k",
        "main",
        "reference",
        rounds,
    )
    print(f"{'vgi-host / reference, catalog_attach':<58} {ours[0] / reference[0]:8.3f}x")
    print(f"{'vgi-host / reference, per scalar turn':<58} {ours[1] / reference[1]:8.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", choices=["launch", "http"], default=None)
    options = parser.parse_args()
    if options.only in (None, "launch"):
        warm_launch(options.rounds, "add_k", "testkit")
    if options.only in (None, "http"):
        http_comparison(options.rounds)


if __name__ == "__main__":
    main()
