"""Reference-era spellings that worker code uses and vgi-host must accept.

Each class below is written the way vgi-python 0.47.0 code writes it
(postponed annotations, ``pa.Array[Any]``, typed scalar constants,
``on_bind`` returning ``BindResult``, ``OutputLength``, reference ``Meta``
fields), importing only from ``vgi_host``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import vgi_host
from vgi_host import (
    Arg,
    ArgumentMonotonicity,
    BindParameters,
    BindParams,
    BindResponse,
    BindResult,
    CacheControl,
    ConstParam,
    OutputCollector,
    OutputLength,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    Setting,
    TableCardinality,
    TableFunctionGenerator,
    bind_fixed_schema,
    init_single_worker,
    schema,
)


class Doubler(ScalarFunction):
    """Double any numeric column, keeping its type (decided at bind)."""

    CACHE_CONTROL = CacheControl(ttl=60, per_value=True)

    class Meta:
        name = "doubler"
        argument_monotonicity = [ArgumentMonotonicity.STRICTLY_INCREASING]
        filter_pushdown = True  # a reference-only Meta field: accepted, not acted on

    @classmethod
    def on_bind(cls, params: BindParameters) -> BindResult:
        return BindResult(params.arguments_schema.field(0).type)

    @classmethod
    def compute(
        cls, value: Annotated[pa.Array[Any], Param(doc="numbers", type_bound=pa.types.is_integer)]
    ) -> Annotated[pa.Array[Any], Returns()]:
        return pc.multiply(value, 2)


class Times(ScalarFunction):
    """Multiply by a constant delivered as a typed Arrow scalar."""

    @classmethod
    def compute(
        cls,
        value: Annotated[pa.Int64Array, Param(doc="values")],
        factor: Annotated[pa.Int64Scalar, ConstParam("factor")],
    ) -> Annotated[pa.Int64Array, Returns()]:
        return pc.multiply(value, factor)


class Ones(ScalarFunction):
    """No column arguments: learns the row count from OutputLength."""

    @classmethod
    def compute(cls, n: Annotated[int, OutputLength()]) -> Annotated[pa.Int64Array, Returns()]:
        return pa.array([1] * n, pa.int64())


def test_dynamic_result_type_is_null_in_catalog_and_chosen_at_bind():
    definition = Doubler.definition()
    assert definition.signature.result_type == pa.null()
    assert definition.metadata.argument_monotonicity == (ArgumentMonotonicity.STRICTLY_INCREASING,)
    batch = pa.RecordBatch.from_pydict({"v": pa.array([1, None, 3], pa.int32())})
    bound = definition.bind(batch.schema, [], {})
    out = bound(batch).column(0)
    assert out.type == pa.int32()
    assert out.to_pylist() == [2, None, 6]


def test_typed_scalar_constant_is_passed_through():
    batch = pa.RecordBatch.from_pydict({"v": [1, 2]})
    bound = Times.definition().bind(batch.schema, [pa.scalar(5)], {})
    assert bound(batch).column(0).to_pylist() == [5, 10]


def test_output_length_receives_row_count_and_is_not_an_argument():
    definition = Ones.definition()
    assert definition.arguments == ()
    batch = pa.RecordBatch.from_pydict({"dummy": [0, 0, 0, 0]}).select([])
    bound = definition.bind(pa.schema([]), [], {})
    assert bound(batch).column(0).to_pylist() == [1, 1, 1, 1]


def test_session_markers_are_session_values_not_sql_arguments():
    class UsesSetting(ScalarFunction):
        @classmethod
        def compute(
            cls,
            value: Annotated[pa.Int64Array, Param()],
            m: Annotated[pa.Scalar[Any] | None, Setting()],
        ) -> Annotated[pa.Int64Array, Returns()]:
            return value

    definition = UsesSetting.definition()
    assert [a.name for a in definition.arguments] == ["value"]
    assert definition.metadata.required_settings == ("m",)


def test_schema_shorthand():
    built = schema(n=pa.int64(), tag=(pa.string(), {"k": "v"}))
    assert built.names == ["n", "tag"]
    assert built.field("tag").metadata == {b"k": b"v"}
    with pytest.raises(TypeError, match="field 'x'"):
        schema(x=3)


def test_every_export_resolves():
    for name in vgi_host.__all__:
        assert getattr(vgi_host, name) is not None, name


def test_reference_table_shapes_arguments_dataclass_bind_response_and_cardinality():
    @dataclass(frozen=True)
    class CountArgs:
        count: Annotated[int, Arg(0, doc="rows", ge=0)]
        zlabel: Annotated[str, Arg("zlabel", default="z")]
        alabel: Annotated[str, Arg("alabel", default="a")]

    @init_single_worker
    @bind_fixed_schema
    class Counter(TableFunctionGenerator[CountArgs, None]):
        FIXED_SCHEMA = schema(n=pa.int64())

        @classmethod
        def on_bind(cls, params: BindParams[CountArgs]) -> BindResponse:
            return BindResponse(output_schema=cls.FIXED_SCHEMA)

        @classmethod
        def cardinality(cls, params: BindParams[CountArgs]) -> TableCardinality:
            return TableCardinality(estimate=params.args.count, max=params.args.count)

        @classmethod
        def process(cls, params: ProcessParams[CountArgs], state: None, out: OutputCollector) -> None:
            out.finish()

    definition = Counter.definition()
    # arguments come from the generic's dataclass; named ones are listed by name, as the reference does
    assert [a.name for a in definition.arguments] == ["count", "alabel", "zlabel"]
    bound = definition.bind([pa.scalar(3)], {})
    assert bound.output_schema == schema(n=pa.int64())
    assert Counter.cardinality(bound.bind_params()) == 3


def test_bind_fixed_schema_needs_a_fixed_schema():
    class NoSchema(TableFunctionGenerator):
        pass

    with pytest.raises(ValueError, match="FIXED_SCHEMA"):
        bind_fixed_schema(NoSchema)


def test_text_column_binds_to_an_integer_parameter_and_converts_per_batch():
    """The reference's casting rule: Arrow's cast decides; a bad value fails its batch, not the bind."""
    good = pa.RecordBatch.from_pydict({"v": ["1", "2", None]})
    bound = Times.definition().bind(good.schema, [pa.scalar(3)], {})
    assert bound(good).column(0).to_pylist() == [3, 6, None]
    with pytest.raises(pa.ArrowInvalid, match="x"):
        bound(pa.RecordBatch.from_pydict({"v": ["x"]}))


def test_a_user_attribute_named_kind_is_just_data():
    """A worker uses KIND for its own purposes (a sequence alphabet): the kind comes from the base class."""
    from vgi_host.kinds.registry import spec_for_class

    class Complement(ScalarFunction):
        KIND = "ACGT"

        @classmethod
        def compute(cls, seq: Annotated[pa.StringArray, Param()]) -> Annotated[pa.StringArray, Returns()]:
            return seq

    assert spec_for_class(Complement).name == "scalar"
    assert Complement.definition().name == "complement"
    assert Complement.KIND == "ACGT"
