"""Aggregate calls over the shared store, as DuckDB spreads them over pooled processes.

Two ``Aggregates`` objects on one store file stand for two host processes:
each has its own cache, and only the store's version tells them whether it is
still current.
"""

import pickle
import threading

import pyarrow as pa
import pytest

from tests.state_backends import BACKENDS, backend
from tests.unit.fake_packs import aggregates as fake_aggregates
from tests.unit.test_pack_loading import candidate
from vgi_host.errors import BindError
from vgi_host.host.registry import PackRegistry
from vgi_host.host.routing import Router
from vgi_host.kinds.aggregate_calls import AggregateCallError, Aggregates, AggregateStateError
from vgi_host.packs.discovery import Discovery
from vgi_host.protocol.aggregate import (
    AggregateBindRequest,
    AggregateCombineRequest,
    AggregateDestructorRequest,
    AggregateFinalizeRequest,
    AggregateUpdateRequest,
)
from vgi_host.protocol.arguments import Arguments
from vgi_host.state.signing import Signer
from vgi_host.state.sqlite import SqliteStateStore


@pytest.fixture
def processes(tmp_path):
    registry = PackRegistry.load(Discovery((candidate("aggregates", "agg"),), ()), use_cache=False)
    signer = Signer(b"k" * 32, "test")
    return [
        Aggregates(Router(registry).resolve, SqliteStateStore(tmp_path / "state.sqlite3"), signer)
        for _ in range(2)
    ]


def registry():
    return PackRegistry.load(Discovery((candidate("aggregates", "agg"),), ()), use_cache=False)


def bind_on(store):
    """An Aggregates on *store* (signing key from the environment) and a fresh execution of agg.total."""
    aggregates = Aggregates(Router(registry()).resolve, store)
    return aggregates, bind(aggregates).execution_id


def finalize_on(aggregates, execution_id, groups, name="total"):
    ids = pa.RecordBatch.from_pydict({"group_id": pa.array(groups, pa.int64())})
    request = AggregateFinalizeRequest(
        function_name=name,
        execution_id=execution_id,
        group_ids_batch=ids,
        output_schema=pa.schema([("result", pa.int64())]),
        schema_path=["agg"],
    )
    return aggregates.finalize(request).column(0).to_pylist()


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


# -- over every backend: tampering, no lock while pack code runs ---------------------------------


@pytest.fixture(params=BACKENDS)
def shared(request, tmp_path, monkeypatch):
    """Two 'processes' (own Aggregates, own store connection) on one isolated backend."""
    with backend(request.param, tmp_path, monkeypatch) as b:
        pair = [Aggregates(Router(registry()).resolve, b.open()) for _ in range(2)]
        yield b, pair
        for process in pair:
            process.store.close()


def test_a_tampered_state_blob_is_refused_naming_the_execution(shared):
    b, (first, second) = shared
    bound = bind(first)
    update(first, bound, [0, 1], [5, 6])
    raw = b.open()
    snapshot = raw.read(bound.execution_id, 0)
    stored = snapshot.base if snapshot.base is not None else snapshot.segments[-1]
    forged = stored[:-1] + bytes([stored[-1] ^ 1])
    assert raw.commit(bound.execution_id, snapshot.version, forged, replace=True)
    raw.close()
    message = rf"agg\.total: refusing a states blob of aggregate execution {bound.execution_id.hex()}"
    with pytest.raises(AggregateStateError, match=message):
        finalize(second, bound, [0])  # a fresh process reads the forged blob
    with pytest.raises(AggregateStateError, match=message):
        update(first, bound, [0], [1])  # and so does the writer, once the version moved


def test_an_unsigned_pickle_planted_in_the_store_never_runs(shared, tmp_path):
    b, (first, _) = shared
    bound = bind(first)
    marker = tmp_path / "pwned"
    payload = b"P" + pickle.dumps(_Boom(str(marker)))
    raw = b.open()
    assert raw.commit(bound.execution_id, 0, payload, replace=True)
    raw.close()
    fresh = Aggregates(Router(registry()).resolve, b.open())
    with pytest.raises(AggregateStateError, match="unsigned states blob"):
        finalize(fresh, bound, [0])
    fresh.store.close()
    assert not marker.exists()


def test_a_blob_from_another_execution_is_refused(shared):
    b, (first, second) = shared
    one, two = bind(first), bind(first)
    update(first, one, [0], [1])
    raw = b.open()
    stolen = raw.read(one.execution_id, 0)
    blob = stolen.base if stolen.base is not None else stolen.segments[-1]
    assert raw.commit(two.execution_id, 0, blob, replace=True)
    raw.close()
    with pytest.raises(AggregateStateError, match=two.execution_id.hex()):
        finalize(second, two, [0])


def test_pack_code_runs_without_holding_any_store_lock(shared):
    """Issue 14 item 3: a slow update must not stall another execution's update."""
    _, (first, second) = shared
    slow = bind(first, "blocking")
    other = bind(second)
    fake_aggregates.ENTERED.clear()
    fake_aggregates.RELEASE.clear()
    errors = []

    def run_slow():
        try:
            update(first, slow, [0], [7], "blocking")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=run_slow)
    thread.start()
    try:
        assert fake_aggregates.ENTERED.wait(30)
        update(second, other, [0], [1])  # would wait for the lock if pack code held it
        update(second, other, [0], [1])
        assert finalize(second, other, [0]) == [2]
    finally:
        fake_aggregates.RELEASE.set()
        thread.join(60)
    assert errors == []
    assert finalize(second, slow, [0], "blocking") == [7]


def test_a_commit_that_loses_the_race_is_recomputed_not_lost(shared):
    """The slow update read version v; another process commits v+1 meanwhile; both count."""
    _, (first, second) = shared
    bound = bind(first, "blocking")
    update_batch = [0, 1]
    fake_aggregates.ENTERED.clear()
    fake_aggregates.RELEASE.clear()
    fake_aggregates.CALLS.clear()
    thread = threading.Thread(target=update, args=(first, bound, update_batch, [1, 1], "blocking"))
    thread.start()
    try:
        assert fake_aggregates.ENTERED.wait(30)
        update(second, bound, [0], [100], "blocking")  # commits while the first is in pack code
    finally:
        fake_aggregates.RELEASE.set()
        thread.join(60)
    # first (2 rows, blocked), second (1 row), first again after its commit lost the race
    assert fake_aggregates.CALLS == [2, 1, 2]
    assert finalize(first, bound, [0, 1], "blocking") == [101, 1]


class _Boom:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


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


def _typed_request(input_type, secrets=None):
    return AggregateBindRequest(
        function_name="typed",
        arguments=Arguments(),
        input_schema=pa.schema([("col_0", input_type)]),
        secrets=secrets,
        schema_path=["agg"],
    )


def _scale_secret(double):
    fields = pa.array([{"type": "scale", "double": double, "token": "s3cr3t-t0ken"}])
    return pa.RecordBatch.from_arrays([fields], names=["my_scale"])


def test_on_bind_chooses_the_result_type_once_for_every_process(processes):
    first, second = processes
    fake_aggregates.BIND_CALLS.clear()
    fake_aggregates.INITIAL_TYPES.clear()
    bound = first.bind(_typed_request(pa.int32()))
    assert bound.output_schema == pa.schema([("result", pa.int32())])
    update(second, bound, [0, 1], [5, 7], name="typed")  # second rebuilds the call from the store
    update(first, bound, [0], [1], name="typed")
    assert finalize(second, bound, [0, 1], name="typed") == [6, 7]
    assert len(fake_aggregates.BIND_CALLS) == 1  # second used the stored schema, did not run on_bind
    assert set(fake_aggregates.INITIAL_TYPES) == {pa.int32()}  # callbacks see the bound schema


def test_on_bind_reads_bind_secrets_which_are_never_stored(tmp_path):
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    signer = Signer(b"k" * 32, "test")
    first, second = (Aggregates(Router(registry()).resolve, store, signer) for _ in range(2))
    fake_aggregates.INITIAL_TYPES.clear()
    bound = first.bind(_typed_request(pa.int64(), _scale_secret(True)))
    assert bound.output_schema.field(0).type == pa.float64()
    update(second, bound, [0], [2], name="typed")
    assert [pa.float64()] == fake_aggregates.INITIAL_TYPES  # no secrets in second, same type
    assert finalize(second, bound, [0], name="typed") == [2.0]
    stored = store.read(bound.execution_id, 0, with_bind=True).bind
    assert b"s3cr3t-t0ken" not in stored
    assert (
        first.bind(_typed_request(pa.int64(), _scale_secret(False))).output_schema.field(0).type == pa.int64()
    )


def test_a_failing_on_bind_is_reported_with_its_own_message(processes):
    with pytest.raises(
        AggregateCallError, match=r"agg\.typed: on_bind raised .*typed: strings cannot be summed"
    ):
        processes[0].bind(_typed_request(pa.string()))


def test_a_finalize_phase_constant_reaches_finalize_only(processes):
    first, second = processes
    fake_aggregates.UPDATE_CONSTANTS.clear()
    request = AggregateBindRequest(
        function_name="cut",
        arguments=Arguments(positional=[pa.scalar(3, pa.int64()), pa.scalar(10, pa.int64())]),
        input_schema=pa.schema([("col_0", pa.int64())]),
        schema_path=["agg"],
    )
    bound = first.bind(request)
    update(second, bound, [0, 0, 1], [4, 50, 6], name="cut")
    assert fake_aggregates.UPDATE_CONSTANTS == [(-1, 10)]  # factor withheld (its default), limit passed
    assert finalize(first, bound, [0, 1], name="cut") == [12, 18]
