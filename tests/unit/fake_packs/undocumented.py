"""A pack that loads but fails `vgi-host check`: no docs, an unsupported type."""

from typing import Annotated

import pyarrow as pa

from vgi_host import Param, Returns, ScalarFunction, hookimpl

DENSE = pa.dense_union([pa.field("n", pa.int64())])  # DuckDB reads only sparse unions


class Bare(ScalarFunction):
    @classmethod
    def compute(cls, x: Annotated[pa.Array, Param(DENSE)]) -> Annotated[pa.Int64Array, Returns()]:
        return pa.array([0] * len(x), pa.int64())


class Double(ScalarFunction):
    """Same name as the good pack's double: a cross-pack conflict."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="n")]) -> Annotated[pa.Int64Array, Returns()]:
        return x


@hookimpl
def register_functions(register):
    register(Bare)
    register(Double)
