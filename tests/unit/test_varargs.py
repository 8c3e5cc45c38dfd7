"""Variadic arguments: ``Param(varargs=True)`` on scalars and aggregates, ``Arg(varargs=True)`` on tables.

A variadic parameter is the last column (or positional constant) and stands
for every remaining one, at least one, as in vgi-python 0.47.0.  The
conformance suite compares the reference's own variadic fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from vgi_host import (
    AggregateFunction,
    Arg,
    OutputCollector,
    Param,
    ProcessParams,
    Returns,
    ScalarFunction,
    TableFunctionGenerator,
    TaggedUnion,
)
from vgi_host.errors import BindError, FunctionDefinitionError
from vgi_host.kinds.function_info import argument_schema
from vgi_host.protocol.arguments import Arguments


class Total(ScalarFunction):
    """Sum of a base column and any number of others."""

    @classmethod
    def compute(
        cls,
        base: Annotated[pa.Int64Array, Param(doc="first")],
        rest: Annotated[list[pa.Int64Array], Param(doc="the others", varargs=True)],
    ) -> Annotated[pa.Int64Array, Returns()]:
        result = base
        for column in rest:
            result = pc.add(result, column)
        return result


def _columns(count: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array([1, 2], pa.int64())] * count, names=[f"c{i}" for i in range(count)])


def test_scalar_varargs_receive_every_remaining_column_cast_to_the_declared_type():
    batch = pa.record_batch(
        [pa.array([1, 2], pa.int64()), pa.array([10, 20], pa.int32()), pa.array([100, 200], pa.int64())],
        names=["a", "b", "c"],
    )
    bound = Total.definition().bind(batch.schema, [], {})
    assert bound(batch).column(0).to_pylist() == [111, 222]


def test_scalar_varargs_need_one_value():
    with pytest.raises(BindError, match=r"Varargs parameter 'rest' requires at least 1 value"):
        Total.definition().bind(_columns(1).schema, [], {})


def test_catalog_marks_the_variadic_argument():
    metadata = argument_schema(Total.definition().arguments).field("rest").metadata
    assert metadata[b"vgi_varargs"] == b"true"


def test_only_the_last_column_may_be_variadic():
    class Misplaced(ScalarFunction):
        @classmethod
        def compute(
            cls,
            values: Annotated[list[pa.Int64Array], Param(varargs=True)],
            last: Annotated[pa.Int64Array, Param()],
        ) -> Annotated[pa.Int64Array, Returns()]:
            return last

    with pytest.raises(FunctionDefinitionError, match=r"only the last column parameter may be variadic"):
        Misplaced.definition()


@dataclass
class Acc:
    value: int = 0


class SumAll(AggregateFunction):
    """Sum of every value of every column."""

    @classmethod
    def initial_state(cls, params: ProcessParams) -> Acc:
        return Acc()

    @classmethod
    def combine(cls, source: Acc, target: Acc, params: ProcessParams) -> Acc:
        return Acc(source.value + target.value)

    @classmethod
    def update(cls, states, group_ids, columns: Annotated[list[pa.Array], Param(varargs=True)]) -> None:
        for column in columns:
            for gid, v in zip(group_ids.to_pylist(), column.to_pylist(), strict=True):
                states[gid] = Acc(states[gid].value + (v or 0))

    @classmethod
    def finalize(cls, group_ids, states, params) -> Annotated[pa.RecordBatch, Returns(pa.int64())]:
        return pa.record_batch(
            {"result": pa.array([states[g].value for g in group_ids.to_pylist()], pa.int64())}
        )


def test_aggregate_update_receives_every_value_column():
    schema = pa.schema([("a", pa.int64()), ("b", pa.float64())])
    bound = SumAll.definition().bind(schema, Arguments())
    batch = pa.record_batch(
        [pa.array([0, 0], pa.int64()), pa.array([1, 2], pa.int64()), pa.array([3.0, 4.0])],
        names=["gid", "a", "b"],
    )
    kwargs = bound.update_arguments(batch)
    assert [c.to_pylist() for c in kwargs["columns"]] == [[1, 2], [3.0, 4.0]]


UNION = pa.sparse_union([pa.field("i", pa.int64()), pa.field("s", pa.string())])


class Repeat(TableFunctionGenerator):
    """One row per value, with its type (or its union member)."""

    count: Annotated[int, Arg(0, doc="rows")]
    values: Annotated[tuple[Any, ...], Arg(1, varargs=True, doc="values")]
    FIXED_SCHEMA: ClassVar[pa.Schema] = pa.schema([("v", pa.string())])

    @classmethod
    def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
        out.emit_pydict({"v": [repr(v) for v in params.args.values]})
        out.finish()


def _union(member: int, value: Any) -> pa.Scalar[Any]:
    children = [pa.array([value if m == member else None], f.type) for m, f in enumerate(UNION)]
    return pa.UnionArray.from_sparse(pa.array([member], pa.int8()), children, ["i", "s"])[0]


def test_table_varargs_keep_the_scalars_as_sent_and_decode_unions():
    bound = Repeat.definition().bind([pa.scalar(2), pa.scalar(7, pa.int32()), pa.scalar("x")], {})
    assert bound.args.count == 2
    assert bound.args.values == (pa.scalar(7, pa.int32()), pa.scalar("x"))
    unions = Repeat.definition().bind([pa.scalar(1), _union(0, 5), _union(1, "y")], {})
    assert unions.args.values == (TaggedUnion("i", 5), TaggedUnion("s", "y"))


def test_table_varargs_need_one_value_and_list_any_as_null():
    with pytest.raises(BindError, match=r"Argument 'values' requires at least 1 value"):
        Repeat.definition().bind([pa.scalar(2)], {})
    field = argument_schema(Repeat.definition().arguments).field("values")
    assert field.type == pa.null()
    assert field.metadata == {b"vgi_doc": b"values", b"vgi_varargs": b"true"}
