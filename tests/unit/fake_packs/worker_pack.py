"""Packs that are reference-shaped Worker classes: one schema (served), several (refused)."""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import Catalog, Param, Returns, ScalarFunction, Schema, Worker


class Negate(ScalarFunction):
    """Negate an integer."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="value")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.negate(x)


class Twice(ScalarFunction):
    """Double an integer."""

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="value")]) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(x, 2)


class MathWorker(Worker):
    catalog = Catalog(
        name="math",
        default_schema="math",
        comment="Small arithmetic",
        schemas=[Schema(path=["math"], comment="integers", functions=[Negate, Twice])],
    )


class LegacyWorker(Worker):
    functions = [Negate]


class TwoSchemaWorker(Worker):
    catalog = Catalog(
        name="two",
        schemas=[Schema(name="a", functions=[Negate]), Schema(name="b", functions=[Twice])],
    )
