"""Two classes with one SQL name."""

from typing import Annotated

import pyarrow as pa

from vgi_host import Param, Returns, ScalarFunction, hookimpl


class First(ScalarFunction):
    class Meta:
        name = "same"

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.Int64Array, Returns()]:
        return x


class Second(First):
    class Meta:
        name = "Same"


@hookimpl
def register_functions(register):
    register(First)
    register(Second)
