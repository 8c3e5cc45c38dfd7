"""Worker CPU of one ``Aggregates.update`` in process, per state store, without the RPC around it.

``benchmarks/function_kinds.py`` measures a whole ``vgi-host serve`` worker;
this measures only what the aggregate runtime and the store add: the same
bench pack ``sum_int`` (benchmarks/vgi-pack-bench), the same 2,048-row batches
over 1 and 1,000 groups, driven straight through
:class:`vgi_host.kinds.aggregate_calls.Aggregates`.  The difference between the
two is the per-call cost of framing (reading the request, writing the reply).

Two cases per backend and group count:

* ``same``  — this process committed last (a worker that keeps getting the
  aggregate's calls): CPU per update (process_time), median of rounds;
* ``other`` — two Aggregates objects with their own connections alternate
  (round-robin replicas): every update first reads the other's commit.

    uv run python benchmarks/aggregate_update.py
    uv run python benchmarks/aggregate_update.py --backends sqlite --updates 2000
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "vgi-pack-bench" / "src"))
os.environ.setdefault("VGI_SIGNING_KEY", "benchmark-key-benchmark-key-0123")

from vgi_host.host.registry import PackRegistry  # noqa: E402
from vgi_host.host.routing import Router  # noqa: E402
from vgi_host.kinds.aggregate_calls import Aggregates  # noqa: E402
from vgi_host.packs.discovery import Discovery, PackCandidate  # noqa: E402
from vgi_host.protocol.aggregate import AggregateBindRequest, AggregateUpdateRequest  # noqa: E402
from vgi_host.protocol.arguments import Arguments  # noqa: E402
from vgi_host.state.config import check_state_store, open_state_store  # noqa: E402


def measure(url: str, groups: int, updates: int, alternate: bool) -> float:
    registry = PackRegistry.load(
        Discovery((PackCandidate("bench", "vgi_pack_bench", "vgi-pack-bench", "1.0"),), ()), use_cache=False
    )
    workers = [
        Aggregates(Router(registry).resolve, open_state_store(check_state_store(url))) for _ in range(2)
    ]
    bound = workers[0].bind(
        AggregateBindRequest(
            function_name="sum_int",
            arguments=Arguments(),
            input_schema=pa.schema([("value", pa.int64())]),
            schema_path=["bench"],
        )
    )
    rng = np.random.default_rng(7)
    ids = rng.integers(0, groups, 2048) if groups > 1 else np.zeros(2048, np.int64)
    batch = pa.RecordBatch.from_arrays(
        [pa.array(ids), pa.array(np.arange(2048, dtype=np.int64))], names=["__vgi_group_id", "value"]
    )
    request = AggregateUpdateRequest(
        function_name="sum_int", execution_id=bound.execution_id, input_batch=batch, schema_path=["bench"]
    )
    for n in range(20):
        workers[n % 2 if alternate else 0].update(request)
    rounds = []
    per_round = max(1, updates // 10)
    for _ in range(10):
        start = time.process_time()
        for n in range(per_round):
            workers[n % 2 if alternate else 0].update(request)
        rounds.append((time.process_time() - start) / per_round)
    for worker in workers:
        worker.store.drop(bound.execution_id)
        worker.store.close()
    return statistics.median(rounds) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "redis", "postgresql"])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(
        f"{platform.machine()} {os.cpu_count()} CPU(s), {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}; worker CPU per update (process_time), µs, median of 10 rounds"
    )
    tag = uuid.uuid4().hex[:10]
    print(f"{'backend':<11} {'groups':>6} {'same':>8} {'other':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = {
            "sqlite": f"sqlite:///{Path(tmp) / 'state' / 'bench.sqlite3'}",
            "redis": f"{args.redis_url}?prefix=vgi-bench-{tag}:",
            "postgresql": f"{args.postgres_url}?schema=vgi_bench_{tag}",
        }
        for name in args.backends:
            for groups in (1, 1000):
                try:
                    same = measure(urls[name], groups, args.updates, alternate=False)
                    other = measure(urls[name], groups, args.updates // 2, alternate=True)
                except Exception as exc:  # a server that is not running
                    print(f"{name:<11} skipped: {exc}")
                    break
                print(f"{name:<11} {groups:>6} {same:>8.0f} {other:>8.0f}")
        if "postgresql" in args.backends:
            from vgi_host.state.postgres import PostgresStateStore

            PostgresStateStore(args.postgres_url, schema=f"vgi_bench_{tag}").drop_schema()


if __name__ == "__main__":
    main()
