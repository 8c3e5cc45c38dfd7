"""Stream features the host's per-batch loop must serve exactly as vgi-rpc's loop does.

``fragile`` fails on its second batch (an error in the middle of a stream);
``chatty`` sends a log message to the client with every batch it produces.
"""

from typing import Annotated, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import (
    Arg,
    Level,
    OutputCollector,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    TableFunctionGenerator,
    hookimpl,
)


class Fragile(ScalarFunction):
    """Negate; refuses negative input."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="n")]) -> Annotated[pa.Int64Array, Returns()]:
        if pc.any(pc.less(x, 0)).as_py():
            raise ValueError("fragile refuses negative input")
        return pc.negate(x)


class Chatty(TableFunctionGenerator):
    """The numbers 1..n, one per batch, each announced to the client."""

    n: Annotated[int, Arg(0, doc="last number")]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([pa.field("i", pa.int64())])

    @classmethod
    def initial_state(cls, params: ProcessParams) -> dict[str, int]:
        return {"next": 1}

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        if state["next"] > params.args.n:
            out.finish()
            return
        out.client_log(Level.INFO, f"producing {state['next']}", step=str(state["next"]))
        out.emit(pa.record_batch({"i": pa.array([state["next"]], pa.int64())}))
        state["next"] += 1


@hookimpl
def register_functions(register):
    for function in (Fragile, Chatty):
        register(function)
