"""Scalar examples from the reference SDK's README run unchanged but for their imports.

Each class below is the reference README's example with `from vgi import ...`
replaced by `from vgi_host import ...`; the test binds and runs each one the
way the host does.
"""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from vgi_host import Param, Returns, ScalarFunction
from vgi_host.errors import BindError


class Greeting(ScalarFunction):
    """Generate a greeting for each name."""

    @classmethod
    def compute(
        cls,
        name: Annotated[pa.StringArray, Param(doc="Column containing names")],
    ) -> Annotated[pa.StringArray, Returns()]:
        return pc.binary_join_element_wise("Hello, ", name, "!")


class UpperCase(ScalarFunction):
    """Convert string values to uppercase."""

    @classmethod
    def compute(
        cls,
        value: Annotated[pa.StringArray, Param(doc="String value to uppercase")],
    ) -> Annotated[pa.StringArray, Returns()]:
        return pc.utf8_upper(value)


class AddValues(ScalarFunction):
    """Add two integer values together."""

    @classmethod
    def compute(
        cls,
        left: Annotated[pa.Int64Array, Param(type_bound=pa.types.is_integer, doc="First integer value")],
        right: Annotated[pa.Int64Array, Param(type_bound=pa.types.is_integer, doc="Second integer value")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(left, right)


class Double(ScalarFunction):
    """Double an integer value."""

    @classmethod
    def compute(
        cls,
        value: Annotated[pa.Int64Array, Param(doc="Value to double")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(value, 2)


class AddColumns(ScalarFunction):
    """The reference's positional spelling: Param(arrow_type, doc)."""

    @classmethod
    def compute(
        cls,
        left: Annotated[pa.Array, Param(pa.int64(), "First value")],
        right: Annotated[pa.Array, Param(pa.int64(), "Second value")],
    ) -> Annotated[pa.Array, Returns(pa.int64())]:
        return pc.add(left, right)


def run(function: type[ScalarFunction], **columns: list) -> list:
    batch = pa.RecordBatch.from_pydict(columns)
    bound = function.definition().bind(batch.schema, [], {})
    return bound(batch).column(0).to_pylist()


def test_greeting():
    # The README claims "Hello, Alice!", but binary_join_element_wise takes its
    # last argument as the separator, so the example (under either SDK) yields
    # "Hello, !Alice". A port must behave exactly like the original.
    assert Greeting.definition().name == "greeting"
    assert run(Greeting, name=["Alice", "Bob"]) == ["Hello, !Alice", "Hello, !Bob"]


def test_upper_case():
    assert UpperCase.definition().name == "upper_case"
    assert run(UpperCase, name=["alice", "bob"]) == ["ALICE", "BOB"]


def test_add_values_and_its_documented_bind_error():
    assert run(AddValues, price=[10, 20], tax=[1, 2]) == [11, 22]
    with pytest.raises(BindError, match=r"argument 'left': column 'name' has type string"):
        AddValues.definition().bind(pa.schema([("name", pa.string()), ("price", pa.int64())]), [], {})


def test_double():
    assert run(Double, value=[1, 2, 3]) == [2, 4, 6]


def test_positional_param_spelling():
    assert run(AddColumns, a=[1], b=[2]) == [3]
    assert [a.arrow_type for a in AddColumns.definition().signature.arguments] == [pa.int64(), pa.int64()]
