"""The reference SDK's one-function worker (vgi-python 0.47.0), for comparison runs only.

Written against vgi-python's public API; used by benchmarks, never shipped.
"""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
from vgi import Param, Returns, ScalarFunction, Worker


class AddK(ScalarFunction):
    """Add one to an integer column."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="Values")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(x, 1)


class ReferenceWorker(Worker):
    """One scalar function in the catalog's main schema."""

    catalog_name = "reference"
    functions = [AddK]


if __name__ == "__main__":
    ReferenceWorker().run()
