"""Aggregate calls over the shared store, as DuckDB spreads them over pooled processes.

Two ``Aggregates`` objects on one store file stand for two host processes:
each has its own cache, and only the store's version tells them whether it is
still current.
"""

import pyarrow as pa
import pytest

from tests.unit.test_pack_loading import candidate
from vgi_host.errors import BindError
from vgi_host.host.registry import PackRegistry
from vgi_host.host.routing import Router
from vgi_host.kinds.aggregate_calls import AggregateCallError, Aggregates
from vgi_host.packs.discovery import Discovery
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.state.store import SqliteStateStore


@pytest.fixture
def processes(tmp_path):
    registry = PackRegistry.load(Discovery((candidate("aggregates", "agg"),), ()), use_cache=False)
    return [
        Aggregates(Router(registry).resolve, SqliteStateStore(tmp_path / "state.sqlite3")) for _ in range(2)
    ]


def bind(process, name="total"):
    request = AggregateBindRequest(
        function_name=name,
        arguments=Arguments(),
        input_schema=pa.schema([("col_0", pa.int64())]),
        schema_path=["agg"],
    )
    return process.bind(request)


def update(process, bound, groups, values, name="total"):
    batch = pa.RecordBatch.from_pydict(
        {"__vgi_group_id": pa.array(groups, pa.int64()), "col_0": pa.array(values, pa.int64())}
    )
    process.update(
        AggregateUpdateRequest(
            function_name=name, execution_id=bound.execution_id, input_batch=batch, schema_path=["agg"]
        )
    )


def finalize(process, bound, groups, name="total"):
    ids = pa.RecordBatch.from_pydict({"group_id": pa.array(groups, pa.int64())})
    request = AggregateFinalizeRequest(
        function_name=name,
        execution_id=bound.execution_id,
        group_ids_batch=ids,
        output_schema=bound.output_schema,
        schema_path=["agg"],
    )
    return process.finalize(request).column(0).to_pylist()


def test_updates_alternating_between_processes_are_never_lost(processes):
    first, second = processes
    bound = bind(first)
    update(first, bound, [0, 1], [1, 10])
    update(second, bound, [0], [100])  # second has no cache: reads what first wrote
    update(first, bound, [0, 1], [1000, 1000])  # first's cache is stale now: must re-read
    assert finalize(second, bound, [0, 1, 2]) == [1101, 1010, None]
    assert finalize(first, bound, [1, 0]) == [1010, 1101]


def test_combine_and_destroy_across_processes(processes):
    first, second = processes
    bound = bind(first)
    update(first, bound, [0, 1, 2], [1, 2, 3])
    merge = pa.RecordBatch.from_pydict({"source_group_id": [1, 2], "target_group_id": [0, 0]})
    second.combine(
        AggregateCombineRequest(
            function_name="total", execution_id=bound.execution_id, merge_batch=merge, schema_path=["agg"]
        )
    )
    assert finalize(first, bound, [0, 1]) == [6, 2]  # sources are left as they were
    ids = pa.RecordBatch.from_pydict({"group_id": pa.array([0], pa.int64())})
    second.destroy(
        AggregateDestructorRequest(
            function_name="total", execution_id=bound.execution_id, group_ids_batch=ids
        )
    )
    with pytest.raises(BindError, match="unknown aggregate execution"):
        finalize(first, bound, [0])


def test_a_failing_update_leaves_states_and_cache_as_they_were(processes):
    first, _ = processes
    bound = bind(first, "fragile")
    update(first, bound, [0], [5], "fragile")
    with pytest.raises(
        AggregateCallError, match=r"agg\.fragile: update raised ValueError: negative values refused"
    ):
        update(first, bound, [0], [-1], "fragile")  # mutates the cached state, then raises
    assert finalize(first, bound, [0], "fragile") == [5]


def test_a_group_the_update_never_used_stays_null(processes):
    """Reference semantics: only states the function assigns (or, here, looks up) are kept."""
    first, second = processes
    bound = bind(first, "null_skipping")
    update(first, bound, [0, 0, 1, 1], [None, None, 4, None], "null_skipping")
    update(second, bound, [0, 2], [None, None], "null_skipping")
    assert finalize(first, bound, [0, 1, 2], "null_skipping") == [None, 4, None]


def test_an_in_place_update_that_leaves_the_initial_value_is_still_kept(processes):
    first, _ = processes
    bound = bind(first)
    update(first, bound, [0], [0])  # Total mutates states[0] in place: 0 + 0 is still a sum, not NULL
    assert finalize(first, bound, [0]) == [0]
