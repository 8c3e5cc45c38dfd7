"""A documented pack whose arguments use DuckDB types beyond numbers and text."""

from typing import Annotated

import pyarrow as pa

from vgi_host import Param, Returns, ScalarFunction, hookimpl


class FirstOf(ScalarFunction):
    """Returns its first argument (the point is the argument types)."""

    class Meta:
        examples = ["SELECT temporal.first_of(t, i, u, v, ns, ts)"]

    @classmethod
    def compute(
        cls,
        t: Annotated[pa.Array, Param(pa.time64("us"), doc="a TIME")],
        i: Annotated[pa.Array, Param(pa.month_day_nano_interval(), doc="an INTERVAL")],
        u: Annotated[pa.Array, Param(pa.uuid(), doc="a UUID")],
        v: Annotated[pa.Array, Param(pa.list_(pa.float32(), 3), doc="a FLOAT[3]")],
        ns: Annotated[pa.Array, Param(pa.time64("ns"), doc="a TIME_NS")],
        ts: Annotated[pa.Array, Param(pa.timestamp("ms"), doc="a TIMESTAMP_MS")],
    ) -> Annotated[pa.Array, Returns(pa.time64("us"))]:
        return t


@hookimpl
def register_functions(register):
    register(FirstOf)
