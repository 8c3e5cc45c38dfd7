"""The reference SDK's small worker (vgi-python 0.47.0), for comparison runs only.

Written against vgi-python's public API; used by benchmarks, never shipped.
"""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
from vgi import ConstParam, Param, Returns, ScalarFunction, Worker


class AddK(ScalarFunction):
    """Add one to an integer column."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="Values")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(x, 1)


class Multiply(ScalarFunction):
    """Multiply an integer column by a constant factor (the twin of vgi-pack-bench's ``multiply``)."""

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="Values")],
        factor: Annotated[pa.Int64Scalar, ConstParam(doc="Multiplication factor")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(x, factor)


class ReferenceWorker(Worker):
    """Two scalar functions in the catalog's main schema."""

    catalog_name = "reference"
    functions = [AddK, Multiply]


if __name__ == "__main__":
    ReferenceWorker().run()
