"""The live floor for ``multiply``: ``vgi-host serve`` with pyarrow alone doing each batch's work.

``check.py``'s live goal compares rows/s end to end through the reference
``Client`` over pipes, where every batch also pays the client's own work and
the cost of waking the worker for it.  This worker shows how far a worker's
per-batch code can move that figure at all: every call (catalog, bind, init,
opening and closing the stream) is ``vgi-host serve``'s own, but for each
batch of a scalar stream it only

* takes the frame the host's frame reader hands over and decodes it
  (``read_record_batch``: the fastest way a Python worker reads a batch; see
  ``frame_reader.py``),
* validates it at the default level (``full``), as every worker must,
* multiplies its one column by the bound constant with ``pc.multiply``,
* writes the answer in one ``write``.

No SDK, no kind, no pack code, no per-batch loop bookkeeping: the pyarrow
floor of ``worker_replay.py`` (``floor-guarded``), live.  Its speed against the
reference is the ceiling for any worker written in Python on pyarrow, on this
machine, behind this client.  It serves ``bench.multiply`` only and refuses
any other scalar stream (its answer would be wrong).

    python3 benchmarks/function_kinds.py --cases multiply --impls vgi-host reference floor
    python3 benchmarks/check.py --cases multiply   # the live goal's verdict names this floor

Benchmark code only: it swaps the host's per-batch method for this loop in
its own process, which nothing in ``vgi_host`` does or offers.
"""

from __future__ import annotations

import sys
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

FUNCTION = "bench.multiply"


def floor_loop(
    self: Any,
    reader: Any,
    answers: Any,
    exchange_batch: Any,
    out: Any,
    input_schema: pa.Schema,
    fitted: bool = False,
) -> bool:
    """``StreamLoopServer._run_direct_exchange`` cut down to pyarrow's own work (module docs)."""
    state = exchange_batch.__self__
    if state.qualified_name != FUNCTION:
        raise RuntimeError(f"floor_worker.py serves {FUNCTION} only, not {state.qualified_name}")
    factor = state.bound.constants["factor"]
    read = reader.read_next_batch_with_custom_metadata
    send = answers.send
    names = [field.name for field in out.output_schema]
    while True:
        try:
            batch, _ = read()
        except StopIteration:
            return False
        batch.validate(full=True)
        send(pa.RecordBatch.from_arrays([pc.multiply(batch.column(0), factor)], names=names))


def main() -> int:
    from vgi_host.cli.serve import serve_main
    from vgi_host.transports.stream_loop import StreamLoopServer

    if not callable(getattr(StreamLoopServer, "_run_direct_exchange", None)):  # renamed: not a floor any more
        raise RuntimeError(
            "floor_worker.py: StreamLoopServer._run_direct_exchange is gone; update this script"
        )
    StreamLoopServer._run_direct_exchange = floor_loop  # type: ignore[method-assign]
    return serve_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
