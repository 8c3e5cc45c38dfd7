"""Table-in-out classes in vgi-python 0.47.0's classmethod shapes, run through the seed's instance path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pyarrow as pa

from vgi_host import (
    Arg,
    BindParams,
    BindResponse,
    OutputCollector,
    ProcessParams,
    TableInOutFunction,
    TableInOutGenerator,
    TableInput,
)


@dataclass(frozen=True)
class Table:
    data: Annotated[TableInput, Arg(0, doc="rows")]


@dataclass
class Running:
    total: int = 0


class RunningTotal(TableInOutFunction[Table, Running]):
    """0.47 classmethod shape: transform emits nothing, finish emits the sum."""

    @classmethod
    def on_bind(cls, params: BindParams[Table]) -> BindResponse:
        return BindResponse(output_schema=pa.schema([("total", pa.int64())]))

    @classmethod
    def initial_state(cls, params: ProcessParams[Table]) -> Running:
        return Running()

    @classmethod
    def transform(cls, batch: pa.RecordBatch, params: ProcessParams[Table], state: Running) -> list:
        state.total += sum(v for v in batch.column(0).to_pylist() if v is not None)
        return []

    @classmethod
    def finish(cls, params: ProcessParams[Table], states: list[Running]) -> list[pa.RecordBatch]:
        return [pa.record_batch({"total": [sum(s.total for s in states)]}, schema=params.output_schema)]


class Paged(TableInOutGenerator[Table]):
    """Generator shape with paging: one row per emit, more=True until the batch is used up."""

    @classmethod
    def on_bind(cls, params: BindParams[Table]) -> BindResponse:
        assert params.bind_call.input_schema is not None
        return BindResponse(output_schema=params.bind_call.input_schema)

    @classmethod
    def initial_state(cls, params: ProcessParams[Table]) -> dict:
        return {}

    @classmethod
    def process(cls, params, state: dict, batch: pa.RecordBatch, out: OutputCollector) -> None:
        state["pending"] = [batch.slice(i, 1) for i in range(batch.num_rows)]
        cls.resume(params, state, out)

    @classmethod
    def resume(cls, params, state: dict, out: OutputCollector) -> None:
        row = state["pending"].pop(0)
        out.emit(row, more=bool(state["pending"]))


def run(cls: type, batches: list[pa.RecordBatch]) -> tuple[list[dict], list[dict]]:
    definition = cls.definition()
    bound = definition.bind(batches[0].schema, [], {})
    instance = bound.instantiate(b"x")
    streamed = [r for b in batches if (r := instance.transform(b)) is not None]
    finished = instance.finish() if definition.has_finalize else None
    finished = [finished] if isinstance(finished, pa.RecordBatch) else list(finished or [])
    rows = lambda found: [row for b in found for row in b.to_pylist()]  # noqa: E731
    return rows(streamed), rows(finished)


def test_classmethod_transform_and_finish_share_one_state_per_execution():
    batches = [pa.record_batch({"n": [1, 2, None]}), pa.record_batch({"n": [10]})]
    assert RunningTotal.definition().has_finalize
    assert run(RunningTotal, batches) == ([], [{"total": 13}])


def test_generator_pages_are_collected_for_each_input_batch():
    batches = [pa.record_batch({"n": [1, 2, 3]})]
    assert not Paged.definition().has_finalize
    assert run(Paged, batches) == ([{"n": 1}, {"n": 2}, {"n": 3}], [])
