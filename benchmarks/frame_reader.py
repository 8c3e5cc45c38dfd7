"""Cost of reading the protocol stream through the frame reader, per record batch.

`vgi-host serve` reads its input through :class:`vgi_host.transports.frame_reader.GuardedReader`
(frame-size limit, abandoned streams, clean-close detection).  This script reads the same
in-memory IPC stream (2,000 batches of 2,048 rows x 2 float64 columns) with pyarrow directly,
through the guard as pyarrow's stream reader pulls it, and through the guard one whole frame
at a time (what the per-batch loop does, ``transports/frame_batches.py``); best of 15 CPU-time
runs after a warm-up pass, microseconds per batch.

    uv run python benchmarks/frame_reader.py
"""

from __future__ import annotations

import io
import time

import pyarrow as pa
from vgi_rpc.utils import IpcValidation

from vgi_host.transports.frame_batches import InputBatches, open_input
from vgi_host.transports.frame_reader import GuardedReader
from vgi_host.transports.pipe import INPUT_BUFFER_BYTES

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


def _per_batch_us(data: bytes, how: str) -> float:
    """Best of 15 (CPU time), reading every batch of ``data`` the way ``how`` names."""
    best = float("inf")
    for _ in range(15):
        source = io.BufferedReader(io.BytesIO(data), INPUT_BUFFER_BYTES)
        started = time.process_time()
        if how == "pyarrow":
            count = sum(1 for _ in pa.ipc.open_stream(source))
        else:
            reader = GuardedReader(source)
            reader.begin_request()
            if how == "guarded stream":
                count = sum(1 for _ in pa.ipc.open_stream(reader))
            else:
                count = _count_frames(open_input(reader, IpcValidation.NONE))
        best = min(best, time.process_time() - started)
    return best / count * 1e6


def _count_frames(batches: InputBatches) -> int:
    count = 0
    while True:
        try:
            batches.read_next_batch_with_custom_metadata()
        except StopIteration:
            return count
        count += 1


def main() -> None:
    data = _stream()
    for _ in range(2):  # the first pass warms caches and allocator
        figures = {how: _per_batch_us(data, how) for how in ("pyarrow", "guarded stream", "frame by frame")}
    raw = figures["pyarrow"]
    print(f"pyarrow alone {raw:.1f} us/batch")
    for how in ("guarded stream", "frame by frame"):
        print(f"GuardedReader, {how}: {figures[how]:.1f} us/batch (+{figures[how] - raw:.1f})")


if __name__ == "__main__":
    main()
