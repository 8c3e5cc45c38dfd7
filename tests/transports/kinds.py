"""Every function kind, called through the reference client, with exact expected answers.

The same calls run over every transport; each returns what it checked so a test
can also look at how the answer arrived (batch counts).
"""

from __future__ import annotations

import pyarrow as pa
from vgi import Arguments


def rows(batches) -> list[dict]:
    return [row for batch in batches for row in batch.to_pylist()]


def check_scalar(client) -> None:
    batch = pa.RecordBatch.from_pydict({"x": pa.array([1, 2, None, 40], pa.int64())})
    out = client.scalar_function(
        function_name="add_k",
        schema_path=["testkit"],
        input=iter([batch, batch, batch]),
        arguments=Arguments(positional=(pa.scalar(5),)),
    )
    assert [b.column(0).to_pylist() for b in out] == [[6, 7, None, 45]] * 3


def check_table(client, n: int = 1000, batch: int = 150) -> int:
    """count_to in batches of ``batch`` rows: every row once, in order; returns the batch count."""
    batches = list(
        client.table_function(
            function_name="count_to",
            schema_path=["testkit"],
            arguments=Arguments(positional=(pa.scalar(n),), named={"batch": pa.scalar(batch)}),
        )
    )
    out = rows(batches)
    assert [r["i"] for r in out] == list(range(n))
    assert [r["square"] for r in out[:4]] == [0, 1, 4, 9]
    non_empty = [b for b in batches if b.num_rows]
    assert len(non_empty) >= 5
    return len(non_empty)


def check_table_in_out_with_finish(client) -> None:
    batch = pa.RecordBatch.from_pydict({"v": [1, 2, 3]})
    out = client.table_in_out_function(
        function_name="running_total",
        schema_path=["testkit"],
        input=iter([batch, batch]),
        arguments=Arguments(positional=(pa.scalar("v"), pa.scalar(None))),
        has_finalize=True,
    )
    assert [r["total"] for r in rows(out)] == [1, 3, 6, 7, 9, 12, 12]


def check_aggregate_groups_and_combine(client) -> None:
    data = pa.RecordBatch.from_pydict({"g": ["a", "b", "a", "c"], "value": [1, 2, 3, None]})
    result = client.aggregate_function(
        function_name="sum_int", schema_path=["testkit"], input=[data, data], group_by=["g"]
    )
    grouped = dict(zip(result.column("g").to_pylist(), result.column("result").to_pylist(), strict=True))
    assert grouped == {"a": 8, "b": 4, "c": None}
    with client.aggregate_session(
        function_name="sum_int", schema_path=["testkit"], input_schema=pa.schema([("value", pa.int64())])
    ) as session:
        session.update(group_ids=[0, 1, 0], batch=pa.RecordBatch.from_pydict({"value": [1, 10, 2]}))
        session.update(group_ids=[1, 2], batch=pa.RecordBatch.from_pydict({"value": [5, 7]}))
        session.combine(source_group_ids=[1], target_group_ids=[0])
        final = session.finalize([0, 1, 2, 9])
    assert final.column(0).to_pylist() == [18, 15, 7, None]


def check_table_buffering(client) -> None:
    """sort_rank: three sink calls, a combine, then the sorted rows over several source turns."""
    batches = [
        pa.RecordBatch.from_pydict({"v": pa.array([8 - i - 3 * b for i in range(3)], pa.int64())})
        for b in range(3)
    ]
    out = client.table_buffering_function(
        function_name="sort_rank",
        schema_path=["testkit"],
        input=iter(batches),
        arguments=Arguments(positional=(pa.scalar("v"),), named={"chunk": pa.scalar(4)}),
    )
    got = list(out)
    assert [b.num_rows for b in got] == [4, 4, 1]
    assert [(r["v"], r["rank"]) for r in rows(got)] == [(v, v + 1) for v in range(9)]


def check_catalog(client) -> None:
    """A unary call: bind answers the table function's fixed schema."""
    response = client.bind(
        function_name="count_to", schema_path=["testkit"], arguments=Arguments(positional=(pa.scalar(1),))
    )
    assert response.output_schema.names == ["i", "label", "square"]


KINDS = {
    "scalar": check_scalar,
    "table": check_table,
    "table_in_out": check_table_in_out_with_finish,
    "aggregate": check_aggregate_groups_and_combine,
    "table_buffering": check_table_buffering,
}
