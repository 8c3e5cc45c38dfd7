"""Cost of reading the protocol stream through the frame reader, per record batch.

`vgi-host serve` reads its input through :class:`vgi_host.transports.frame_reader.GuardedReader`
(frame-size limit, abandoned streams, clean-close detection).  This script reads the same
in-memory IPC stream (2,000 batches of 2,048 rows x 2 float64 columns) with pyarrow directly
and through the guard, best of 5, and prints microseconds per batch for both.

    uv run python benchmarks/frame_reader.py
"""

from __future__ import annotations

import io
import time

import pyarrow as pa

from vgi_host.transports.frame_reader import GuardedReader

BATCHES = 2_000


def _stream() -> bytes:
    batch = pa.record_batch(
        {"x": pa.array(range(2048), pa.float64()), "y": pa.array(range(2048), pa.float64())}
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        for _ in range(BATCHES):
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def _per_batch_us(data: bytes, guarded: bool) -> float:
    best = float("inf")
    for _ in range(5):
        source = io.BufferedReader(io.BytesIO(data))
        reader: io.IOBase = source
        if guarded:
            reader = GuardedReader(source)
            reader.begin_request()
        started = time.perf_counter()
        count = sum(1 for _ in pa.ipc.open_stream(reader))
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def main() -> None:
    data = _stream()
    raw, guarded = _per_batch_us(data, False), _per_batch_us(data, True)
    extra = guarded - raw
    print(f"pyarrow alone {raw:.1f} us/batch; through GuardedReader {guarded:.1f} us/batch (+{extra:.1f})")


if __name__ == "__main__":
    main()
