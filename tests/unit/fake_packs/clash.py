"""Defines ``double`` too, so the name is a conflict with the ``good`` pack."""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import Param, Returns, ScalarFunction, hookimpl


class Double(ScalarFunction):
    """Double a number (the other pack's way)."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="n")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(x, 2)


@hookimpl
def register_functions(register):
    register(Double)
