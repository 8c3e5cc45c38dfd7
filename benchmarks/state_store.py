"""Per-update state-store time for each backend at 1, 100 and 1,000 groups.

An ``aggregate_update`` costs the store one ``read`` (what changed since the
version this process knows) and one ``commit`` (one signed blob, version
checked).  For each backend and group count this prints the median of
``--runs`` updates (after warm-ups) of small dataclass states (two ints),
split into:

* ``store``   — ``read`` + ``commit`` of an already encoded, sealed blob: the
  backend's own cost per update (the process wrote last, so the read
  returns no states);
* ``codec``   — encode + seal the touched states (JSON) and open + decode them;
* ``update``  — everything an update does around the pack's own code:
  read, encode, seal, commit (what ``Aggregates.update`` adds);
* ``other``   — the update when another process committed last: read the
  new blob, verify, decode, then encode, seal, commit (round-robin replicas).

    uv run python benchmarks/state_store.py                       # every reachable backend
    uv run python benchmarks/state_store.py --runs 500 --backends sqlite redis

Redis and PostgreSQL are the servers at 127.0.0.1 (``--redis-url``,
``--postgres-url``); a unique prefix / schema is used and removed afterwards.
Figures and the machine they were measured on are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from vgi_host.state.codec import StateCodec
from vgi_host.state.config import check_state_store, open_state_store
from vgi_host.state.signing import Signer
from vgi_host.state.store import StateStore

SIGNER = Signer(b"benchmark-key-benchmark-key-0123", "benchmark")


@dataclass(slots=True)
class SumState:
    total: int = 0
    count: int = 0


def median_ms(work: Callable[[], object], runs: int, warmup: int = 10) -> float:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def bench(store: StateStore, groups: int, runs: int) -> dict[str, float]:
    codec = StateCodec.for_class(SumState)
    states = {gid: SumState(gid, 1) for gid in range(groups)}
    execution = uuid.uuid4().bytes
    store.create(execution, SIGNER.seal(execution, b"bind", b"bind request"))
    version = 0
    sealed = SIGNER.seal(execution, b"states", codec.encode(states))

    def store_only() -> None:
        nonlocal version
        store.read(execution, version)
        assert store.commit(execution, version, sealed, replace=True)
        version += 1

    def codec_only() -> None:
        blob = SIGNER.seal(execution, b"states", codec.encode(states))
        codec.decode(SIGNER.open(execution, b"states", blob))

    def update() -> None:
        nonlocal version
        store.read(execution, version)
        blob = SIGNER.seal(execution, b"states", codec.encode(states))
        assert store.commit(execution, version, blob, replace=True)
        version += 1

    def update_after_another_process() -> None:
        nonlocal version
        snapshot = store.read(execution, version - 1)  # one commit behind: must read it
        assert snapshot.base is not None
        codec.decode(SIGNER.open(execution, b"states", snapshot.base))
        blob = SIGNER.seal(execution, b"states", codec.encode(states))
        assert store.commit(execution, version, blob, replace=True)
        version += 1

    try:
        return {
            "store": median_ms(store_only, runs),
            "codec": median_ms(codec_only, runs),
            "update": median_ms(update, runs),
            "other": median_ms(update_after_another_process, runs),
        }
    finally:
        store.drop(execution)


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "redis", "postgresql"])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    os.environ.setdefault("VGI_SIGNING_KEY", "benchmark-key-benchmark-key-0123")
    print(
        f"{platform.machine()} {os.cpu_count()} CPU(s), {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}; median of {args.runs} updates, ms"
    )
    tag = uuid.uuid4().hex[:10]
    columns = ["store", "codec", "update", "other"]
    print(f"{'backend':<11} {'groups':>6} " + " ".join(f"{c:>8}" for c in columns))
    with tempfile.TemporaryDirectory() as tmp:
        urls = {
            "sqlite": f"sqlite:///{Path(tmp) / 'state' / 'bench.sqlite3'}",
            "redis": f"{args.redis_url}?prefix=vgi-bench-{tag}:",
            "postgresql": f"{args.postgres_url}?schema=vgi_bench_{tag}",
        }
        for name in args.backends:
            if name != "sqlite" and not reachable(urls[name]):
                print(f"{name:<11} skipped: not reachable at {urls[name]}")
                continue
            store = open_state_store(check_state_store(urls[name]))
            try:
                for groups in (1, 100, 1000):
                    result = bench(store, groups, args.runs)
                    print(f"{name:<11} {groups:>6} " + " ".join(f"{result[c]:>8.3f}" for c in columns))
            finally:
                if name == "redis":
                    store.delete_all()  # type: ignore[attr-defined]
                if name == "postgresql":
                    store.drop_schema()  # type: ignore[attr-defined]
                store.close()


if __name__ == "__main__":
    main()
