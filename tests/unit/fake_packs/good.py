"""A well-formed pack with two functions."""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import ConstParam, Param, Returns, ScalarFunction, hookimpl


class Double(ScalarFunction):
    """Double a number."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="n")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(x, 2)


class Shout(ScalarFunction):
    """Upper-case text and add marks."""

    class Meta:
        name = "shout"

    @classmethod
    def compute(
        cls,
        s: Annotated[pa.StringArray, Param(doc="text")],
        marks: Annotated[int, ConstParam(doc="how many !", ge=0)] = 1,
    ) -> Annotated[pa.StringArray, Returns()]:
        return pc.binary_join_element_wise(pc.utf8_upper(s), "!" * marks, "")


@hookimpl
def register_functions(register):
    register(Shout)
    register(Double)
