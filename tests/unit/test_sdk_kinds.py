"""Table, table-in-out and aggregate definitions: declaration checks and binding."""

from dataclasses import dataclass
from typing import Annotated, ClassVar

import pyarrow as pa
import pytest

from vgi_host import (
    AggregateFunction,
    Arg,
    BindParams,
    ConstParam,
    OutputCollector,
    Param,
    ProcessParams,
    Returns,
    TableFunctionGenerator,
    TableInOutFunction,
    TableInput,
)
from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.kinds.registry import definition_of
from vgi_host.protocol.arguments import Arguments
from vgi_host.sdk.binding import implicitly_castable


class Series(TableFunctionGenerator):
    """Integers from start, count of them."""

    count: Annotated[int, Arg(0, doc="How many", ge=0)]
    start: Annotated[int, Arg(1, default=0, doc="First value")]
    step: Annotated[int, Arg("step", default=1, doc="Increment", choices=[1, 2])]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("n", pa.int64())])

    @classmethod
    def process(cls, params: ProcessParams, state: None, out: OutputCollector) -> None:
        out.finish()


def test_table_arguments_positional_then_named():
    definition = definition_of(Series)
    assert [(a.name, a.position, a.named) for a in definition.arguments] == [
        ("count", 0, None),
        ("start", 1, None),
        ("step", -1, "step"),
    ]


def test_table_bind_defaults_and_checks():
    definition = Series.definition()
    bound = definition.bind([pa.scalar(3)], {})
    assert bound.args.as_dict() == {"count": 3, "start": 0, "step": 1}
    assert bound.output_schema.names == ["n"]
    assert definition.bind([pa.scalar(3), pa.scalar(5)], {"step": pa.scalar(2)}).args.as_dict() == {
        "count": 3,
        "start": 5,
        "step": 2,
    }
    with pytest.raises(BindError, match=r"constant argument 'step' must be one of \[1, 2\]; got 3"):
        definition.bind([pa.scalar(3)], {"step": pa.scalar(3)})
    with pytest.raises(BindError, match=r"missing constant argument 'count'"):
        definition.bind([], {})
    # An undeclared named argument is ignored, as the reference does (DuckDB refuses it earlier).
    ignored = definition.bind([pa.scalar(1)], {"colour": pa.scalar("red")})
    assert ignored.args.as_dict() == {"count": 1, "start": 0, "step": 1}


def test_table_needs_a_schema_and_process():
    class NoSchema(TableFunctionGenerator):
        @classmethod
        def process(cls, params: ProcessParams, state: None, out: OutputCollector) -> None:
            out.finish()

    with pytest.raises(FunctionDefinitionError, match="needs FIXED_SCHEMA or an on_bind"):
        NoSchema.definition().bind([], {})

    class NoProcess(TableFunctionGenerator):
        FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("n", pa.int64())])

    with pytest.raises(FunctionDefinitionError, match="must define process"):
        NoProcess.definition()


def test_on_bind_computes_the_schema_from_arguments():
    class Columns(TableFunctionGenerator):
        width: Annotated[int, Arg(0, ge=1)]

        @classmethod
        def on_bind(cls, params: BindParams) -> pa.Schema:
            return pa.schema([(f"c{i}", pa.int64()) for i in range(params.args.width)])

        @classmethod
        def process(cls, params: ProcessParams, state: None, out: OutputCollector) -> None:
            out.finish()

    assert Columns.definition().bind([pa.scalar(3)], {}).output_schema.names == ["c0", "c1", "c2"]
    assert Columns.definition().catalog_schema == pa.schema([])


def test_argument_positions_must_be_contiguous():
    class Gap(TableFunctionGenerator):
        a: Annotated[int, Arg(0)]
        b: Annotated[int, Arg(2)]
        FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("n", pa.int64())])

        @classmethod
        def process(cls, params: ProcessParams, state: None, out: OutputCollector) -> None:
            out.finish()

    with pytest.raises(FunctionDefinitionError, match=r"positions must be 0, 1, 2, \.\.\. without gaps"):
        Gap.definition()


class Annotate(TableInOutFunction):
    """Add a constant column."""

    label: Annotated[str, Arg(0, doc="Label")]

    @property
    def output_schema(self) -> pa.Schema:
        return self.input_schema.append(pa.field("label", pa.string()))

    def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        return batch.append_column("label", pa.array([self.args.label] * batch.num_rows))


def test_table_in_out_gets_an_implicit_table_argument_last():
    definition = Annotate.definition()
    assert [(a.name, a.is_table) for a in definition.arguments] == [("label", False), ("input", True)]
    assert definition.has_finalize is False


def test_table_in_out_bind_and_transform():
    schema = pa.schema([("x", pa.int64())])
    # The Python client may send a placeholder in the TABLE slot; DuckDB leaves it out.
    for positional in ([pa.scalar("L")], [pa.scalar("L"), pa.scalar(None)]):
        bound = Annotate.definition().bind(schema, positional, {})
        assert bound.output_schema.names == ["x", "label"]
    instance = bound.instantiate(b"id")
    out = instance.transform(pa.record_batch({"x": [1, 2]}))
    assert out.column(1).to_pylist() == ["L", "L"]
    with pytest.raises(BindError, match="needs an input table"):
        Annotate.definition().bind(None, [pa.scalar("L")], {})


def test_table_argument_must_be_last_and_finish_needs_one_worker():
    class TableFirst(TableInOutFunction):
        data: Annotated[TableInput, Arg(0)]
        label: Annotated[str, Arg(1)]

        def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
            return batch

    with pytest.raises(FunctionDefinitionError, match="TABLE argument must be the last positional"):
        TableFirst.definition()

    class Parallel(TableInOutFunction):
        class Meta:
            max_workers = 4

        def transform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
            return batch

        def finish(self) -> None:
            return None

    with pytest.raises(FunctionDefinitionError, match=r"Meta\.max_workers must be 1"):
        Parallel.definition()


@dataclass
class Count:
    n: int = 0


class CountIf(AggregateFunction[Count]):
    """Count values above a threshold."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Count:
        return Count()

    @classmethod
    def update(
        cls,
        states: dict[int, Count],
        group_ids: pa.Int64Array,
        value: Annotated[pa.DoubleArray, Param(doc="Values")],
        threshold: Annotated[float, ConstParam(doc="Threshold")] = 0.0,
    ) -> None:
        for gid, v in zip(group_ids.to_pylist(), value.to_pylist(), strict=True):
            if v is not None and v > threshold:
                states[gid].n += 1

    @classmethod
    def combine(cls, source: Count, target: Count, params: ProcessParams) -> Count:
        return Count(source.n + target.n)

    @classmethod
    def finalize(
        cls, group_ids: pa.Int64Array, states: dict[int, Count | None], params: ProcessParams
    ) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        return pa.record_batch(
            {"result": [(s.n if s else 0) for s in (states[g] for g in group_ids.to_pylist())]}
        )


def test_aggregate_definition():
    definition = CountIf.definition()
    assert definition.state_class is Count
    assert [a.name for a in definition.columns] == ["value"]
    assert [a.name for a in definition.constants] == ["threshold"]
    assert definition.output_schema == pa.schema([("result", pa.int64())])
    bound = definition.bind(pa.schema([("col_0", pa.int32())]), Arguments(positional=[pa.scalar(1.5)]))
    assert bound.params.args.threshold == 1.5
    arguments = bound.update_arguments(
        pa.record_batch({"__vgi_group_id": [0], "col_0": pa.array([3], pa.int32())})
    )
    assert arguments["value"].type == pa.float64()


def test_aggregate_needs_its_callbacks_and_a_result_type():
    class NoCombine(AggregateFunction[Count]):
        @classmethod
        def initial_state(cls, params: ProcessParams) -> Count:
            return Count()

    with pytest.raises(FunctionDefinitionError, match="must define the classmethod combine"):
        NoCombine.definition()

    class Untyped(CountIf):
        @classmethod
        def finalize(
            cls, group_ids: pa.Int64Array, states: dict[int, Count | None], params: ProcessParams
        ) -> Annotated[pa.RecordBatch, Returns()]:
            return pa.record_batch({"result": [0]})

    with pytest.raises(FunctionDefinitionError, match=r"Returns\(\.\.\.\) must name the result type"):
        Untyped.definition()


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (pa.int32(), pa.float64(), True),
        (pa.decimal128(10, 2), pa.float64(), True),
        (pa.large_string(), pa.string(), True),
        (pa.null(), pa.int64(), True),
        # the reference's rule: Arrow's cast decides, text parsed into numbers included
        (pa.string(), pa.int64(), True),
        (pa.int64(), pa.string(), True),
        (pa.list_(pa.int64()), pa.float64(), False),
        (pa.struct([("a", pa.int64())]), pa.int64(), False),
    ],
)
def test_implicit_casts_follow_arrow_like_the_reference(source, target, allowed):
    assert implicitly_castable(source, target) is allowed
