"""Table, table-in-out and aggregate functions through `vgi-host serve` with the reference Client."""

import pyarrow as pa
import pytest
import vgi_rpc
from vgi import Arguments
from vgi.client import Client, ClientError
from vgi.protocol import (
    AggregateBindRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
    VgiProtocol,
)

pytestmark = pytest.mark.interop


def rows(batches) -> list[dict]:
    return [row for batch in batches for row in batch.to_pylist()]


def count_to(client, n, **named) -> list[dict]:
    arguments = Arguments(positional=(pa.scalar(n),), named={k: pa.scalar(v) for k, v in named.items()})
    return rows(client.table_function(function_name="count_to", schema_path=["testkit"], arguments=arguments))


# ---------------------------------------------------------------- table ----


def test_table_function_with_positional_and_named_arguments(client):
    out = count_to(client, 2500, label="L", batch=1000)
    assert [r["i"] for r in out] == list(range(2500))
    assert {r["label"] for r in out} == {"L"}
    assert out[7]["square"] == 49


def test_named_argument_defaults(client):
    assert {r["label"] for r in count_to(client, 3)} == {"x"}


def test_table_function_bind_errors_name_the_argument(client):
    with pytest.raises(
        ClientError,
        match=r"testkit\.count_to: Argument 'n' is too small\. "
        r"constant argument 'n' must be >= 0; got -1",
    ):
        count_to(client, -1)
    # An undeclared named argument is ignored, as the reference does (DuckDB refuses it at bind).
    assert count_to(client, 1, colour="red") == count_to(client, 1)


def test_table_function_fanned_out_returns_each_row_once(serve_argv):
    with Client(serve_argv, pool=None, worker_limit=4) as fan_out:
        out = rows(
            fan_out.table_function(
                function_name="count_to",
                schema_path=["testkit"],
                arguments=Arguments(positional=(pa.scalar(5000),), named={"batch": pa.scalar(700)}),
            )
        )
    assert sorted(r["i"] for r in out) == list(range(5000))


def test_projection_pushdown_sends_only_requested_columns(client):
    batches = list(
        client.table_function(
            function_name="count_to",
            schema_path=["testkit"],
            arguments=Arguments(positional=(pa.scalar(4),)),
            projection_ids=[2],
        )
    )
    assert all(b.schema.names == ["square"] for b in batches)
    assert [r["square"] for r in rows(batches)] == [0, 1, 4, 9]


def test_table_function_bind_answers_the_fixed_schema(client):
    response = client.bind(
        function_name="count_to", schema_path=["testkit"], arguments=Arguments(positional=(pa.scalar(1),))
    )
    assert response.output_schema.names == ["i", "label", "square"]


def test_geo_grid(client):
    arguments = Arguments(positional=tuple(pa.scalar(v) for v in (0.0, 0.0, 1.0, 1.0, 0.5)))
    points = rows(client.table_function(function_name="geo_grid", schema_path=["geo"], arguments=arguments))
    assert len(points) == 9
    assert {(p["lat"], p["lon"]) for p in points} == {
        (a, b) for a in (0.0, 0.5, 1.0) for b in (0.0, 0.5, 1.0)
    }


# --------------------------------------------------------- table-in-out ----


def test_table_in_out_echo(client):
    batch = pa.RecordBatch.from_pydict({"a": [1, 2], "b": ["x", "y"]})
    out = client.table_in_out_function(
        function_name="echo", schema_path=["testkit"], input=iter([batch, batch]), has_finalize=False
    )
    assert rows(out) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}] * 2


def test_table_in_out_with_finish(client):
    batch = pa.RecordBatch.from_pydict({"v": [1, 2, 3]})
    out = client.table_in_out_function(
        function_name="running_total",
        schema_path=["testkit"],
        input=iter([batch, batch]),
        arguments=Arguments(positional=(pa.scalar("v"), pa.scalar(None))),
        has_finalize=True,
    )
    assert [r["total"] for r in rows(out)] == [1, 3, 6, 7, 9, 12, 12]


def test_tokenize_carries_the_source_key(client):
    batch = pa.RecordBatch.from_pydict({"id": [7, 8], "body": ["Hello big World", None]})
    out = rows(
        client.table_in_out_function(
            function_name="tokenize",
            schema_path=["text"],
            input=iter([batch]),
            arguments=Arguments(positional=(pa.scalar("id"), pa.scalar("body"))),
            has_finalize=False,
        )
    )
    assert [(r["key"], r["token"]) for r in out] == [(7, "hello"), (7, "big"), (7, "world")]


# ------------------------------------------------------------ aggregates ----


def test_aggregate_grouped(client):
    data = pa.RecordBatch.from_pydict({"g": ["a", "b", "a", "c"], "value": [1, 2, 3, None]})
    result = client.aggregate_function(
        function_name="sum_int", schema_path=["testkit"], input=[data, data], group_by=["g"]
    )
    assert dict(zip(result.column("g").to_pylist(), result.column("result").to_pylist(), strict=True)) == {
        "a": 8,
        "b": 4,
        "c": None,
    }


def test_aggregate_with_constant_and_reassigned_states(client):
    data = pa.RecordBatch.from_pydict({"g": [1, 1, 2], "value": [2, 4, 10]})
    result = client.aggregate_function(
        function_name="scaled_mean",
        schema_path=["testkit"],
        input=[data],
        group_by=["g"],
        arguments=Arguments(positional=(pa.scalar(10),)),
    )
    assert sorted(zip(result.column("g").to_pylist(), result.column("result").to_pylist(), strict=True)) == [
        (1, 30.0),
        (2, 100.0),
    ]


def test_aggregate_session_combine_and_unseen_groups(client):
    with client.aggregate_session(
        function_name="sum_int", schema_path=["testkit"], input_schema=pa.schema([("value", pa.int64())])
    ) as session:
        session.update(group_ids=[0, 1, 0], batch=pa.RecordBatch.from_pydict({"value": [1, 10, 2]}))
        session.combine(source_group_ids=[1], target_group_ids=[0])
        result = session.finalize([0, 1, 5])
    assert result.column(0).to_pylist() == [13, 10, None]


def test_geo_centroid(client):
    data = pa.RecordBatch.from_pydict({"g": [1, 1], "lat": [48.8566, 51.5074], "lon": [2.3522, -0.1278]})
    result = client.aggregate_function(
        function_name="centroid", schema_path=["geo"], input=[data], group_by=["g"]
    )
    (centre,) = result.column("result").to_pylist()
    assert 48.8566 < centre["lat"] < 51.5074
    assert -0.1278 < centre["lon"] < 2.3522


def test_aggregate_updated_in_one_process_and_finalized_in_another(serve_argv):
    """DuckDB sends one aggregate's calls to any pooled process: state must be shared."""
    value_schema = pa.schema([("col_0", pa.int64())])

    def update_batch(groups, values):
        return pa.RecordBatch.from_pydict({"__vgi_group_id": groups, "col_0": values})

    with (
        vgi_rpc.connect(VgiProtocol, serve_argv) as first,
        vgi_rpc.connect(VgiProtocol, serve_argv) as second,
    ):
        bound = first.aggregate_bind(
            request=AggregateBindRequest(
                function_name="sum_int",
                arguments=Arguments(),
                input_schema=value_schema,
                schema_path=["testkit"],
            )
        )
        common = {"function_name": "sum_int", "execution_id": bound.execution_id, "schema_path": ["testkit"]}
        first.aggregate_update(
            request=AggregateUpdateRequest(input_batch=update_batch([0, 1], [5, 7]), **common)
        )
        second.aggregate_update(
            request=AggregateUpdateRequest(input_batch=update_batch([0, 0], [1, 1]), **common)
        )
        group_ids = pa.RecordBatch.from_pydict({"group_id": pa.array([0, 1], pa.int64())})
        finalized = second.aggregate_finalize(
            request=AggregateFinalizeRequest(
                group_ids_batch=group_ids, output_schema=bound.output_schema, **common
            )
        )
        result = pa.ipc.open_stream(finalized.result_batch).read_next_batch()
        assert result.column(0).to_pylist() == [7, 7]
        first.aggregate_destructor(request=AggregateDestructorRequest(group_ids_batch=group_ids, **common))
        with pytest.raises(vgi_rpc.RpcError, match="unknown aggregate execution"):
            second.aggregate_finalize(
                request=AggregateFinalizeRequest(
                    group_ids_batch=group_ids, output_schema=bound.output_schema, **common
                )
            )


def test_aggregate_errors_name_pack_and_function(client):
    # Text binds to an integer argument (the reference's casting rule); the bad value fails the batch.
    data = pa.RecordBatch.from_pydict({"g": [1], "value": ["not a number"]})
    with pytest.raises(Exception, match=r"testkit\.sum_int: .*Failed to parse string: 'not a number'"):
        client.aggregate_function(
            function_name="sum_int", schema_path=["testkit"], input=[data], group_by=["g"]
        )
