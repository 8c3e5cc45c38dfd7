"""Table functions whose ``on_init`` splits the work into a queue in the call's storage."""

import struct
from typing import Annotated, Any, ClassVar

import pyarrow as pa

from vgi_host import (
    Arg,
    GlobalInitResponse,
    InitParams,
    OutputCollector,
    ProcessParams,
    TableFunctionGenerator,
    hookimpl,
)


class QueuedRange(TableFunctionGenerator):
    """The numbers 0..n-1 in chunks queued by on_init; each worker pops chunks until none is left."""

    n: Annotated[int, Arg(0, doc="how many numbers")]
    chunk: Annotated[int, Arg(1, doc="numbers per queued chunk")]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([pa.field("i", pa.int64())])

    @classmethod
    def on_init(cls, params: InitParams) -> GlobalInitResponse:
        n, chunk = params.args.n, params.args.chunk
        items = [struct.pack(">qq", start, min(start + chunk, n)) for start in range(0, n, chunk)]
        params.storage.queue_push(items)
        return GlobalInitResponse(max_workers=max(1, len(items)))

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        item = params.storage.queue_pop()
        if item is None:
            out.finish()
            return
        start, end = struct.unpack(">qq", item)
        out.emit(pa.record_batch({"i": pa.array(range(start, end), pa.int64())}))


class FailingInit(TableFunctionGenerator):
    """on_init raises with its own message."""

    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([pa.field("i", pa.int64())])

    @classmethod
    def on_init(cls, params: InitParams) -> GlobalInitResponse:
        raise RuntimeError("no work to split today")

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        out.finish()


@hookimpl
def register_functions(register: Any) -> None:
    register(QueuedRange)
    register(FailingInit)
