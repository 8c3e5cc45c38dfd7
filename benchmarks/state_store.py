"""Aggregate state store: the cost of one update's session for 10, 100 and 1,000 groups.

Every ``aggregate_update`` is one store session: load the states of the groups
the batch touches, decode them, update, encode, save.  This prints the median
of 50 sessions (after 5 warm-ups) on a store pre-filled with those groups, for
small pickled dataclass states (two ints), split into:

* ``store``    — one session doing ``load(ids)`` + ``save(blobs)`` on bytes;
* ``codec``    — ``decode_many`` + ``encode_many`` of the states, no store;
* ``session``  — everything an update does: load, decode, +1, encode, save;
* ``finalize`` — a read-only session doing ``load(ids)`` + ``decode_many``.

For comparison it also times the reference SDK's way of encoding an
``ArrowSerializableDataclass`` state (one Arrow IPC stream per state), and the
first session of a fresh process (connect, schema check, opportunistic purge).

    uv run python benchmarks/state_store.py            # temp database, removed afterwards
    uv run python benchmarks/state_store.py --runs 200

Measured on the project's dev VM (2 vCPU x86_64, Linux 6.18, Python 3.13.0,
SQLite 3.40.1, local disk); see the report printed for the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vgi_rpc import ArrowSerializableDataclass

from vgi_host.state.codec import StateCodec
from vgi_host.state.store import SqliteStateStore

EXECUTION = bytes(range(16))


@dataclass
class SumState:
    total: int = 0
    count: int = 0


@dataclass(kw_only=True)
class ArrowSumState(ArrowSerializableDataclass):
    total: int = 0
    count: int = 0


def median_ms(work: Callable[[], object], runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def bench(groups: int, directory: Path, runs: int) -> dict[str, float]:
    store = SqliteStateStore(directory / f"bench-{groups}.sqlite3")
    codec = StateCodec.for_class(SumState)
    ids = list(range(groups))
    initial = {gid: SumState(gid, 1) for gid in ids}
    with store.session(EXECUTION) as session:
        session.save(codec.encode_many(initial))
    blobs = codec.encode_many(initial)

    def store_only() -> None:
        with store.session(EXECUTION) as session:
            loaded = session.load(ids)
            session.save(loaded)

    def codec_only() -> None:
        codec.encode_many(codec.decode_many(blobs))

    def update_session() -> None:
        with store.session(EXECUTION) as session:
            states = codec.decode_many(session.load(ids))
            for state in states.values():
                state.total += 1
            session.save(codec.encode_many(states))

    def finalize_session() -> None:
        with store.session(EXECUTION, read_only=True) as session:
            codec.decode_many(session.load(ids))

    arrow = {gid: ArrowSumState(total=gid, count=1) for gid in ids}

    def arrow_ipc_codec() -> None:
        encoded = {gid: state.serialize_to_bytes() for gid, state in arrow.items()}
        {gid: ArrowSumState.deserialize_from_bytes(data) for gid, data in encoded.items()}

    try:
        return {
            "store": median_ms(store_only, runs),
            "codec": median_ms(codec_only, runs),
            "session": median_ms(update_session, runs),
            "finalize": median_ms(finalize_session, runs),
            "arrow-ipc codec": median_ms(arrow_ipc_codec, max(5, runs // 5), warmup=1),
        }
    finally:
        store.close()


def first_session_ms(directory: Path, runs: int) -> float:
    path = directory / "cold.sqlite3"
    with SqliteStateStore(path).session(EXECUTION):
        pass  # create the file once; "cold" here means a new process, not a new file
    samples = []
    for _ in range(runs):
        store = SqliteStateStore(path)
        start = time.perf_counter()
        with store.session(EXECUTION) as session:
            session.load([0])
        samples.append(time.perf_counter() - start)
        store.close()
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print(
        f"{platform.machine()} {os.cpu_count()} CPU(s), {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; "
        f"median of {args.runs} runs, ms"
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        columns = ["store", "codec", "session", "finalize", "arrow-ipc codec"]
        print(f"{'groups':>7} " + " ".join(f"{c:>16}" for c in columns))
        for groups in (10, 100, 1000):
            result = bench(groups, directory, args.runs)
            print(f"{groups:>7} " + " ".join(f"{result[c]:>16.3f}" for c in columns))
        print(
            f"first session of a new process (connect + schema check + purge): "
            f"{first_session_ms(directory, args.runs):.3f} ms"
        )


if __name__ == "__main__":
    main()
