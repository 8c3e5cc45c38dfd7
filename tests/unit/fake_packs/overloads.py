"""One SQL name, three scalar classes told apart by their argument types."""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import ConstParam, Param, Returns, ScalarFunction, hookimpl


class DescribeInt32(ScalarFunction):
    class Meta:
        name = "describe"

    @classmethod
    def compute(cls, x: Annotated[pa.Int32Array, Param()]) -> Annotated[pa.StringArray, Returns()]:
        return pa.array(["int32"] * len(x))


class DescribeInt64(ScalarFunction):
    class Meta:
        name = "describe"

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.StringArray, Returns()]:
        return pa.array(["int64"] * len(x))


class DescribeScaled(ScalarFunction):
    class Meta:
        name = "describe"

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param()],
        scale: Annotated[int, ConstParam(ge=0)],
    ) -> Annotated[pa.StringArray, Returns()]:
        return pc.cast(pc.multiply(x, scale), pa.string())


@hookimpl
def register_functions(register):
    register(DescribeInt32)
    register(DescribeInt64)
    register(DescribeScaled)
