"""Table-buffering functions in both callback spellings, for the in-process service tests.

``sorted_values`` (classmethods, the reference's spelling) keeps every input
batch in the call's storage and emits all values of column ``v`` sorted, in
batches of ``per_batch`` rows, with a column comment on its output.
``partition_counts`` (instance methods) counts rows per sink state id and
emits one row per finalize id, so several output streams are exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pyarrow as pa

from vgi_host import (
    Arg,
    BindParams,
    BindResponse,
    OutputCollector,
    TableBufferingFunction,
    TableBufferingParams,
    TableInput,
    hookimpl,
)


@dataclass(frozen=True, kw_only=True)
class SortedArgs:
    per_batch: Annotated[int, Arg(0, doc="rows per output batch")]
    data: Annotated[TableInput, Arg(1, doc="the rows to sort")]


class SortedValues(TableBufferingFunction[SortedArgs, dict[str, Any]]):
    """Every value of column v, sorted."""

    class Meta:
        name = "sorted_values"
        requires_input_batch_index = True

    @classmethod
    def on_bind(cls, params: BindParams[SortedArgs]) -> BindResponse:
        value_type = params.bind_call.input_schema.field("v").type
        field = pa.field("v", value_type, metadata={"comment": "the input's v, ascending"})
        return BindResponse(output_schema=pa.schema([field]))

    @classmethod
    def process(cls, batch: pa.RecordBatch, params: TableBufferingParams[SortedArgs]) -> bytes:
        index = params.batch_index if params.batch_index is not None else -1
        params.storage.state_append(b"in", b"", params.storage.serialize_record_batch(batch.select(["v"])))
        return params.storage.pack_int_key(index)

    @classmethod
    def combine(cls, state_ids: list[bytes], params: TableBufferingParams[SortedArgs]) -> list[bytes]:
        params.storage.state_put(b"meta", b"sinks", str(len(state_ids)).encode())
        return [b"all"]

    @classmethod
    def initial_finalize_state(
        cls, finalize_state_id: bytes, params: TableBufferingParams[SortedArgs]
    ) -> dict[str, Any]:
        return {"offset": 0}

    @classmethod
    def finalize(
        cls,
        params: TableBufferingParams[SortedArgs],
        finalize_state_id: bytes,
        state: dict[str, Any],
        out: OutputCollector,
    ) -> None:
        values = sorted(
            v
            for _id, blob in params.storage.state_log_scan(b"in", b"")
            for v in params.storage.deserialize_record_batch(blob).column("v").to_pylist()
        )
        start = state["offset"]
        if start >= len(values):
            out.finish()
            return
        chunk = values[start : start + params.args.per_batch]
        state["offset"] = start + len(chunk)
        out.emit(
            pa.record_batch(
                [pa.array(chunk, params.output_schema.field("v").type)], schema=params.output_schema
            )
        )

    @classmethod
    def on_cancel(
        cls, params: TableBufferingParams[SortedArgs], finalize_state_id: bytes, state: Any
    ) -> None:
        params.storage.state_put(b"meta", b"cancelled_at", str(state["offset"]).encode())


class PartitionCounts(TableBufferingFunction):
    """Rows per partition key (column k), one output stream per key; instance-method spelling."""

    class Meta:
        name = "partition_counts"

    def on_bind(self, params: BindParams) -> pa.Schema:
        return pa.schema([("k", pa.string()), ("rows", pa.int64())])

    def process(self, batch: pa.RecordBatch, params: TableBufferingParams) -> bytes:
        for key in batch.column("k").to_pylist():
            params.storage.counter_add(b"rows", key.encode(), 1)
        return b"|".join(sorted({k.encode() for k in batch.column("k").to_pylist()}))

    def combine(self, state_ids: list[bytes], params: TableBufferingParams) -> list[bytes]:
        return sorted({key for sid in state_ids for key in sid.split(b"|") if key})

    def finalize(
        self, params: TableBufferingParams, finalize_state_id: bytes, state: Any, out: OutputCollector
    ) -> None:
        if params.storage.state_get(b"done", finalize_state_id) is not None:
            out.finish()
            return
        rows = params.storage.counter_get(b"rows", finalize_state_id)
        params.storage.state_put(b"done", finalize_state_id, b"1")
        out.emit(pa.record_batch({"k": [finalize_state_id.decode()], "rows": pa.array([rows], pa.int64())}))


class FailsInCombine(SortedValues):
    """Raises from combine with its own message."""

    class Meta:
        name = "fails_in_combine"

    @classmethod
    def combine(cls, state_ids: list[bytes], params: TableBufferingParams[SortedArgs]) -> list[bytes]:
        raise ValueError(f"cannot combine {len(state_ids)} sinks")


@hookimpl
def register_functions(register: Any) -> None:
    register(SortedValues)
    register(PartitionCounts)
    register(FailsInCombine)
