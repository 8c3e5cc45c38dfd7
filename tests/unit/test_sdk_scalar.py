"""The scalar SDK: reading signatures and metadata, binding calls, running batches."""

from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from vgi_host import (
    ConstParam,
    FunctionExample,
    FunctionStability,
    OutputLength,
    Param,
    Returns,
    ScalarFunction,
)
from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.sdk.metadata import snake_case
from vgi_host.sdk.scalar import ResultShapeError


class AddValues(ScalarFunction):
    """Add two integer values together.

    Longer text that stays in the description.
    """

    class Meta:
        examples = [
            "SELECT add_values(1, 2)",
            FunctionExample(sql="SELECT add_values(a, b) FROM t", description="t"),
        ]
        categories = ["math"]
        stability = FunctionStability.CONSISTENT

    @classmethod
    def compute(
        cls,
        left: Annotated[pa.Int64Array, Param(doc="First", type_bound=pa.types.is_integer)],
        right: Annotated[pa.Int64Array, Param(doc="Second", type_bound=pa.types.is_integer)],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(left, right)


class Scale(ScalarFunction):
    class Meta:
        name = "scale_by"
        description = "Multiply by a factor."

    @classmethod
    def compute(
        cls,
        x: Annotated[pa.DoubleArray, Param(doc="value")],
        factor: Annotated[float, ConstParam(doc="factor", gt=0)],
        label: Annotated[str, ConstParam(doc="unused", choices=["a", "b"])] = "a",
    ) -> Annotated[pa.DoubleArray, Returns()]:
        return pc.multiply(x, factor)


def test_names_and_descriptions():
    assert AddValues.definition().name == "add_values"
    assert AddValues.definition().metadata.description.startswith("Add two integer values together.")
    assert Scale.definition().name == "scale_by"
    assert Scale.definition().metadata.description == "Multiply by a factor."
    assert [e.sql for e in AddValues.definition().metadata.examples] == [
        "SELECT add_values(1, 2)",
        "SELECT add_values(a, b) FROM t",
    ]


@pytest.mark.parametrize(
    ("class_name", "sql_name"), [("HaversineKm", "haversine_km"), ("HTTPGet", "http_get"), ("Upper", "upper")]
)
def test_snake_case(class_name, sql_name):
    assert snake_case(class_name) == sql_name


def test_signature_splits_columns_and_constants():
    signature = Scale.definition().signature
    assert [a.name for a in signature.columns] == ["x"]
    assert [a.name for a in signature.constants] == ["factor", "label"]
    assert signature.constants[1].default == "a"
    assert signature.result_type == pa.float64()


def test_bind_and_run_casts_castable_columns():
    bound = AddValues.definition().bind(pa.schema([("a", pa.int32()), ("b", pa.int64())]), [], {})
    batch = pa.record_batch({"a": pa.array([1, None, 3], pa.int32()), "b": pa.array([10, 20, 30])})
    out = bound(batch)
    assert out.schema == pa.schema([("result", pa.int64())])
    assert out.column(0).to_pylist() == [11, None, 33]


def test_type_bound_failure_names_argument_column_type_and_bound():
    with pytest.raises(BindError, match=r"argument 'left': column 'name' has type VARCHAR, .*is_integer"):
        AddValues.definition().bind(pa.schema([("name", pa.string()), ("b", pa.int64())]), [], {})


def test_column_count_mismatch():
    with pytest.raises(
        BindError, match=r"expects 2 column argument\(s\) \(left BIGINT, right BIGINT\); got 1"
    ):
        AddValues.definition().bind(pa.schema([("a", pa.int64())]), [], {})


def test_uncastable_column():
    with pytest.raises(
        BindError,
        match=r"argument 'x': column 'c' has type BIGINT\[\], expected DOUBLE "
        r"\(no implicit cast from BIGINT\[\] to DOUBLE\)",
    ):
        Scale.definition().bind(pa.schema([("c", pa.list_(pa.int64()))]), [pa.scalar(2.0)], {})


def test_constants_are_cast_checked_and_defaulted():
    definition = Scale.definition()
    bound = definition.bind(pa.schema([("x", pa.float64())]), [pa.scalar(2)], {})
    assert bound.constants == {"factor": 2.0, "label": "a"}
    assert bound(pa.record_batch({"x": [1.5]})).column(0).to_pylist() == [3.0]
    with pytest.raises(BindError, match=r"constant argument 'factor' must be > 0; got -1.0"):
        definition.bind(pa.schema([("x", pa.float64())]), [pa.scalar(-1.0)], {})
    with pytest.raises(BindError, match=r"constant argument 'label' must be one of \['a', 'b'\]; got 'c'"):
        definition.bind(pa.schema([("x", pa.float64())]), [pa.scalar(1.0), pa.scalar("c")], {})
    with pytest.raises(BindError, match=r"missing constant argument 'factor' \(DOUBLE\)"):
        definition.bind(pa.schema([("x", pa.float64())]), [], {})
    with pytest.raises(BindError, match=r"constant argument 'factor' must be DOUBLE; got VARCHAR 'x'"):
        definition.bind(pa.schema([("x", pa.float64())]), [pa.scalar("x")], {})
    with pytest.raises(BindError, match=r"takes 2 constant argument\(s\); got 3"):
        definition.bind(pa.schema([("x", pa.float64())]), [pa.scalar(1.0)] * 3, {})
    with pytest.raises(BindError, match="no named arguments"):
        definition.bind(pa.schema([("x", pa.float64())]), [pa.scalar(1.0)], {"factor": pa.scalar(1.0)})


def test_sql_null_constant_reaches_compute_as_none():
    bound = Scale.definition().bind(pa.schema([("x", pa.float64())]), [pa.scalar(None, pa.null())], {})
    assert bound.constants["factor"] is None


def test_result_shape_is_checked():
    class TooLong(ScalarFunction):
        @classmethod
        def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.Int64Array, Returns()]:
            return pa.concat_arrays([x, x])

    bound = TooLong.definition().bind(pa.schema([("x", pa.int64())]), [], {})
    with pytest.raises(ResultShapeError, match="compute returned 4 rows for an input of 2"):
        bound(pa.record_batch({"x": [1, 2]}))


def test_numpy_and_chunked_results_are_accepted():
    import numpy as np

    class Halve(ScalarFunction):
        @classmethod
        def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.DoubleArray, Returns()]:
            return np.asarray(x) / 2

    class Chunked(ScalarFunction):
        @classmethod
        def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.Int64Array, Returns()]:
            return pa.chunked_array([x.slice(0, 1), x.slice(1)])

    batch = pa.record_batch({"x": [2, 4]})
    assert Halve.definition().bind(batch.schema, [], {})(batch).column(0).to_pylist() == [1.0, 2.0]
    assert Chunked.definition().bind(batch.schema, [], {})(batch).column(0).to_pylist() == [2, 4]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def compute(cls, x): return x", "parameter 'x' needs Annotated"),
        (
            "def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> pa.Int64Array: return x",
            "return annotation needs Annotated",
        ),
        (
            "def compute(cls, x: Annotated[pa.ListArray, Param()])"
            " -> Annotated[pa.Int64Array, Returns()]: return x",
            "ListArray does not say its element types",
        ),
        (
            "def compute(cls, *xs: Annotated[pa.Int64Array, Param()])"
            " -> Annotated[pa.Int64Array, Returns()]: return xs",
            r"\*args/\*\*kwargs are not supported",
        ),
    ],
)
def test_definition_errors_name_class_and_parameter(body, message):
    namespace = {"Annotated": Annotated, "pa": pa, "Param": Param, "Returns": Returns}
    exec(f"@classmethod\n{body}", namespace)
    broken = type("Broken", (ScalarFunction,), {"compute": namespace["compute"]})
    with pytest.raises(FunctionDefinitionError, match=message):
        broken.definition()


def test_meta_typos_are_rejected():
    class Typo(ScalarFunction):
        class Meta:
            descripton = "oops"

        @classmethod
        def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.Int64Array, Returns()]:
            return x

    with pytest.raises(FunctionDefinitionError, match=r"Typo.Meta has unknown attributes \['descripton'\]"):
        Typo.definition()


def test_invalid_sql_name_is_rejected():
    class BadName(ScalarFunction):
        class Meta:
            name = "has space"

        @classmethod
        def compute(cls, x: Annotated[pa.Int64Array, Param()]) -> Annotated[pa.Int64Array, Returns()]:
            return x

    with pytest.raises(FunctionDefinitionError, match="not a valid identifier"):
        BadName.definition()


def test_optional_constant_annotation_infers_the_inner_type():
    class Repeat(ScalarFunction):
        @classmethod
        def compute(
            cls,
            s: Annotated[pa.StringArray, Param()],
            times: Annotated[int | None, ConstParam(doc="count")] = None,
        ) -> Annotated[pa.StringArray, Returns()]:
            return s if times is None else pc.binary_repeat(s, times)

    (times,) = Repeat.definition().signature.constants
    assert times.arrow_type == pa.int64()
    bound = Repeat.definition().bind(pa.schema([("s", pa.string())]), [pa.scalar(2)], {})
    assert bound(pa.record_batch({"s": ["ab"]})).column(0).to_pylist() == ["abab"]


def test_public_api_resolves_lazily_and_completely():
    import vgi_host

    assert set(vgi_host.__all__) - {"__version__"} == set(vgi_host._EXPORTS)
    for name in vgi_host.__all__:
        assert getattr(vgi_host, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        vgi_host.Nope  # noqa: B018


class Rows(ScalarFunction):
    """A column and the batch's row count."""

    @classmethod
    def compute(
        cls, x: Annotated[pa.Int64Array, Param()], n: Annotated[int, OutputLength()]
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.add(x, pa.array(range(n), pa.int64()))


class ScaleFirst(ScalarFunction):
    """The constant declared before the column: a positional call would swap them."""

    @classmethod
    def compute(
        cls, factor: Annotated[float, ConstParam()], x: Annotated[pa.DoubleArray, Param()]
    ) -> Annotated[pa.DoubleArray, Returns()]:
        return pc.subtract(x, factor)


class ScaleKeywordOnly(ScalarFunction):
    @classmethod
    def compute(
        cls, x: Annotated[pa.DoubleArray, Param()], *, factor: Annotated[float, ConstParam()]
    ) -> Annotated[pa.DoubleArray, Returns()]:
        return pc.multiply(x, factor)


class SumAll(ScalarFunction):
    @classmethod
    def compute(
        cls, values: Annotated[list[pa.Int64Array], Param(varargs=True)]
    ) -> Annotated[pa.Int64Array, Returns()]:
        total = values[0]
        for value in values[1:]:
            total = pc.add(total, value)
        return total


@pytest.mark.parametrize(
    ("function", "input_schema", "constants", "columns", "expected"),
    [
        (Scale, [("x", pa.float64())], [pa.scalar(2.0)], {"x": [1.5, None]}, [3.0, None]),  # one column
        (
            Scale,
            [("x", pa.int32())],
            [pa.scalar(2.0)],
            {"x": pa.array([1, 2], pa.int32())},
            [2.0, 4.0],
        ),  # cast
        (ScaleFirst, [("x", pa.float64())], [pa.scalar(3.0)], {"x": [1.0, 2.0]}, [-2.0, -1.0]),
        (ScaleKeywordOnly, [("x", pa.float64())], [pa.scalar(3.0)], {"x": [1.0, 2.0]}, [3.0, 6.0]),
        (AddValues, [("a", pa.int64()), ("b", pa.int64())], [], {"a": [1, 2], "b": [3, 4]}, [4, 6]),
        (
            SumAll,
            [("a", pa.int64()), ("b", pa.int32())],
            [],
            {"a": [1, 2], "b": pa.array([3, 4], pa.int32())},
            [4, 6],
        ),
        (Rows, [("x", pa.int64())], [], {"x": [7, 8, 9]}, [7, 9, 11]),
    ],
    ids=[
        "one-column",
        "one-cast-column",
        "constant-first",
        "keyword-only-constant",
        "two-columns",
        "variadic",
        "row-count",
    ],
)
def test_every_call_shape_answers_on_its_declared_schema(
    function, input_schema, constants, columns, expected
):
    """The per-batch function is specialised at bind by the call's shape; each shape answers the same way."""
    schema = pa.schema(input_schema)
    bound = function.definition().bind(schema, constants, {})
    batch = pa.record_batch(
        [pa.array(v, f.type) for v, f in zip(columns.values(), schema, strict=True)], schema
    )
    for answer in (bound(batch), bound.run(batch)):
        assert answer.schema.equals(bound.output_schema, check_metadata=True)
        assert answer.column(0).to_pylist() == expected
