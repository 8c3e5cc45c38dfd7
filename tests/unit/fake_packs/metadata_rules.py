"""Functions that break (or keep) the metadata rules, one rule each, and text full of brackets."""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc

from vgi_host import ConstParam, FunctionExample, Param, Returns, ScalarFunction, hookimpl


class Bracketed(ScalarFunction):
    """Covers the box [min_lat, max_lat] x [min_lon, max_lon]; [red]x[/red] is not markup."""

    class Meta:
        examples = (FunctionExample(sql="SELECT packs.rules.bracketed(1.0)", description="[bold]one[/bold]"),)

    @classmethod
    def compute(
        cls, t: Annotated[pa.DoubleArray, Param(doc="Celsius [default unit]")]
    ) -> Annotated[pa.DoubleArray, Returns()]:
        return t


class TypeOnly(ScalarFunction):
    """Its argument's doc restates the type; its example is not catalog-qualified."""

    class Meta:
        name = "type_only"
        examples = ("SELECT rules.type_only(1)",)

    @classmethod
    def compute(
        cls, x: Annotated[pa.Int64Array, Param(doc="an integer")]
    ) -> Annotated[pa.Int64Array, Returns()]:
        return x


class GetThing(ScalarFunction):
    """A name with a get_ prefix, a documented range that is not declared, and a default outside its range."""

    class Meta:
        name = "get_thing"
        examples = ("SELECT packs.rules.get_thing(1)",)

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.Int64Array, Param(doc="How many things")],
        level: Annotated[int, ConstParam(doc="Level, one of 1 to 5")] = 1,
        scale: Annotated[int, ConstParam(doc="Multiplier applied to x", ge=1, le=10)] = 20,
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(x, level * scale)


@hookimpl
def register_functions(register):
    register(Bracketed)
    register(TypeOnly)
    register(GetThing)
