"""Functions that read ``params.init_call``, the raw init request, for the service tests.

``order_hint(n)`` emits one row per call turn, ``n`` turns, each row naming the
ORDER BY hint and sample percentage the init request carried, so a test sees
the request on every turn, including turns served by another replica.
``hint_echo`` (table-in-out) adds the ORDER BY limit to each input row.
"""

from typing import Annotated, Any, ClassVar

import pyarrow as pa

from vgi_host import Arg, OutputCollector, ProcessParams, TableFunctionGenerator, TableInOutFunction, hookimpl


class OrderHint(TableFunctionGenerator):
    """The init request's ORDER BY column and sample percentage, once per turn."""

    turns: Annotated[int, Arg(0, doc="turns")]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("column", pa.string()), ("sample", pa.float64())])

    @classmethod
    def initial_state(cls, params: ProcessParams) -> dict[str, int]:
        return {"left": params.args.turns}

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        if state["left"] == 0:
            out.finish()
            return
        state["left"] -= 1
        init = params.init_call
        assert init is not None
        out.emit_pydict({"column": [init.order_by_column_name], "sample": [init.tablesample_percentage]})


class HintEcho(TableInOutFunction):
    """Each input row with the init request's ORDER BY limit."""

    @property
    def output_schema(self) -> pa.Schema:
        return pa.schema([("limit", pa.int64())])

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        init = self.params.init_call
        assert init is not None
        return pa.record_batch({"limit": pa.array([init.order_by_limit] * batch.num_rows, pa.int64())})


@hookimpl
def register_functions(register):
    register(OrderHint)
    register(HintEcho)
