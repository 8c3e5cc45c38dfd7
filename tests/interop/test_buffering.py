"""A table-buffering function through `vgi-host serve` with the reference Client.

The reference client drives the sink/combine/source sequence itself
(``Client.table_buffering_function``): bind, sink init, one
``table_buffering_process`` per input batch, combine, one producer stream per
finalize id, destructor.
"""

import pyarrow as pa
import pytest
from vgi import Arguments
from vgi.client import ClientError

pytestmark = pytest.mark.interop

INPUT = [
    pa.record_batch({"v": pa.array([5, -3, 9], pa.int64()), "s": ["e", "c", "i"]}),
    pa.record_batch({"v": pa.array([0, 7], pa.int64()), "s": ["a", "g"]}),
]


def sort_rank(client, batches, chunk=None, **kwargs):
    named = {"chunk": pa.scalar(chunk)} if chunk is not None else {}
    seen = []
    out = list(
        client.table_buffering_function(
            function_name="sort_rank",
            schema_path=["testkit"],
            input=iter(batches),
            arguments=Arguments(positional=(pa.scalar("v"),), named=named),
            bind_result_callback=seen.append,
            **kwargs,
        )
    )
    return out, seen[0].output_schema


def test_every_row_sorted_with_its_rank_in_chunks(client):
    batches, schema = sort_rank(client, INPUT, chunk=2)
    assert [b.num_rows for b in batches] == [2, 2, 1]
    rows = [r for b in batches for r in b.to_pylist()]
    assert rows == [
        {"v": -3, "s": "c", "rank": 1},
        {"v": 0, "s": "a", "rank": 2},
        {"v": 5, "s": "e", "rank": 3},
        {"v": 7, "s": "g", "rank": 4},
        {"v": 9, "s": "i", "rank": 5},
    ]
    assert schema.field("rank").metadata == {b"comment": b"1 for the smallest value"}


def test_no_input_rows_produce_no_output(client):
    batches, _ = sort_rank(client, [], input_schema=INPUT[0].schema)
    assert batches == []


def test_a_failing_call_names_pack_and_function_and_keeps_the_host_up(client):
    with pytest.raises(ClientError, match=r"testkit\.sort_rank: .*nope"):
        list(
            client.table_buffering_function(
                function_name="sort_rank",
                schema_path=["testkit"],
                input=iter(INPUT),
                arguments=Arguments(positional=(pa.scalar("nope"),)),
            )
        )
    batches, _ = sort_rank(client, INPUT)
    assert sum(b.num_rows for b in batches) == 5
