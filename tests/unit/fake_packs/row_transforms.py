"""Row-transform (blended LATERAL) functions in vgi-python 0.47.0's shape, for the service tests.

``explode(n)`` pages its output (``more=True`` / ``resume``), reports which input
row each output row came from, and counts the input batches of its execution in
its state, so a test sees that state survive stateless turns.  ``pick`` is
overloaded by arity; ``echo_all`` takes any number of columns of any type.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any

import pyarrow as pa

from vgi_host import (
    AnyArrow,
    Arg,
    BindParams,
    BindResponse,
    OutputCollector,
    ProcessParams,
    RowTransformFunction,
    hookimpl,
)


@dataclass(frozen=True, kw_only=True)
class ExplodeArgs:
    n: Annotated[int, Arg(0, doc="rows to emit for this input row")]
    page: Annotated[int, Arg("page", doc="rows per page", default=2)] = 2


@dataclass
class Pages:
    batches: int = 0
    pending: list[tuple[int, int]] = field(default_factory=list)
    etag: str | None = None


class Explode(RowTransformFunction[ExplodeArgs, Pages]):
    """Rows 0..n-1 for each input row, ``page`` rows per emit."""

    class Meta:
        name = "explode"
        input_rows_per_call = 4

    @classmethod
    def on_bind(cls, params: BindParams[ExplodeArgs]) -> BindResponse:
        return BindResponse(
            output_schema=pa.schema([("i", pa.int64()), ("batch", pa.int64()), ("etag", pa.string())])
        )

    @classmethod
    def initial_state(cls, params: ProcessParams[ExplodeArgs]) -> Pages:
        return Pages()

    @classmethod
    def process(
        cls, params: ProcessParams[ExplodeArgs], state: Pages, batch: pa.RecordBatch, out: OutputCollector
    ) -> None:
        assert params.args.n is None  # a column, not a constant
        state.batches += 1
        state.etag = params.if_none_match
        state.pending = [
            (row, i) for row, n in enumerate(batch.column("n").to_pylist()) for i in range(n or 0)
        ]
        cls.resume(params, state, out)

    @classmethod
    def resume(cls, params: ProcessParams[ExplodeArgs], state: Pages, out: OutputCollector) -> None:
        page, state.pending = state.pending[: params.args.page], state.pending[params.args.page :]
        out.emit(
            pa.record_batch(
                {
                    "i": pa.array([i for _, i in page], pa.int64()),
                    "batch": pa.array([state.batches] * len(page), pa.int64()),
                    "etag": pa.array([state.etag] * len(page), pa.string()),
                }
            ),
            parent_rows=[row for row, _ in page],
            metadata={"pack.note": "paged"},
            more=bool(state.pending),
        )


@dataclass(frozen=True)
class OneColumn:
    a: Annotated[int, Arg(0, doc="a")]


@dataclass(frozen=True)
class TwoColumns:
    a: Annotated[int, Arg(0, doc="a")]
    b: Annotated[int, Arg(1, doc="b")]


def _named(value: str) -> Any:
    def on_bind(cls: type, params: BindParams[Any]) -> BindResponse:
        return BindResponse(output_schema=pa.schema([("which", pa.string())]))

    def process(
        cls: type, params: ProcessParams[Any], state: None, batch: pa.RecordBatch, out: OutputCollector
    ) -> None:
        out.emit(pa.record_batch({"which": pa.array([value] * batch.num_rows, pa.string())}))

    return classmethod(on_bind), classmethod(process)


class PickOne(RowTransformFunction[OneColumn]):
    """One column."""

    class Meta:
        name = "pick"

    on_bind, process = _named("one")


class PickTwo(RowTransformFunction[TwoColumns]):
    """Two columns."""

    class Meta:
        name = "pick"

    on_bind, process = _named("two")


@dataclass(frozen=True)
class Anything:
    values: Annotated[list[AnyArrow], Arg(0, varargs=True, doc="any columns")]


class EchoAll(RowTransformFunction[Anything]):
    """Every input column back, as col0, col1, ..."""

    class Meta:
        name = "echo_all"

    @classmethod
    def on_bind(cls, params: BindParams[Anything]) -> BindResponse:
        schema = params.bind_call.input_schema
        assert schema is not None
        return BindResponse(output_schema=pa.schema([(f"col{i}", f.type) for i, f in enumerate(schema)]))

    @classmethod
    def process(
        cls, params: ProcessParams[Anything], state: None, batch: pa.RecordBatch, out: OutputCollector
    ) -> None:
        out.emit(pa.record_batch(cls.input_columns(batch), schema=params.output_schema))


@hookimpl
def register_functions(register):
    for function in (Explode, PickOne, PickTwo, EchoAll):
        register(function)
