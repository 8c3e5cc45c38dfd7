"""Per-call storage (``params.storage``) on the SQLite state store, seen from two "processes".

Two :class:`StorageScopes` over one store file stand for two host processes:
each has its own replay cache, so whatever one writes the other must read
back from the store.
"""

from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from vgi_host.state.call_storage import PURPOSE, StorageScopes, scope_key
from vgi_host.state.signing import BlobRefusedError, Signer
from vgi_host.state.sqlite import SqliteStateStore
from vgi_host.state.store import UnknownExecutionError

EXECUTION = b"e" * 16


@pytest.fixture
def pair(tmp_path):
    store = tmp_path / "state.sqlite3"
    signer = Signer(b"k" * 32, "test")
    return StorageScopes(SqliteStateStore(store), signer), StorageScopes(SqliteStateStore(store), signer)


def test_log_ids_follow_commit_order_across_processes(pair):
    a, b = (s.bound(EXECUTION) for s in pair)
    ids = [
        a.state_append(b"buf", b"", b"1"),
        b.state_append(b"buf", b"", b"2"),
        a.state_append(b"buf", b"", b"3"),
    ]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert b.state_log_scan(b"buf", b"") == list(zip(ids, [b"1", b"2", b"3"], strict=True))
    assert a.state_log_scan(b"buf", b"", after_id=ids[0], limit=1) == [(ids[1], b"2")]
    assert a.state_log_scan(b"buf", b"other") == []


def test_key_values_scan_drain_and_delete(pair):
    a, b = (s.bound(EXECUTION) for s in pair)
    a.state_put_many(b"ns", [(b"a", b"1"), (b"b", b"2"), (b"c", b"3")])
    assert b.state_get(b"ns", b"b") == b"2"
    assert b.state_get_many(b"ns", [b"c", b"x"]) == [b"3", None]
    assert b.state_scan(b"ns", start=b"b") == [(b"b", b"2"), (b"c", b"3")]
    assert b.state_scan(b"ns", reverse=True, limit=1) == [(b"c", b"3")]
    assert a.state_delete(b"ns", [b"a", b"x"]) == 1
    assert b.state_delete(b"ns", start=b"c") == 1
    assert a.state_drain(b"ns") == [(b"b", b"2")]
    assert b.state_scan(b"ns") == []


def test_each_queue_item_is_claimed_exactly_once_under_concurrency(pair):
    pair[0].bound(EXECUTION).queue_push([str(i).encode() for i in range(60)])
    claimed: list[list[bytes]] = [[], [], [], []]

    def worker(index: int) -> None:
        storage = pair[index % 2].bound(EXECUTION)
        while (item := storage.queue_pop()) is not None:
            claimed[index].append(item)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [item for items in claimed for item in items]
    assert sorted(every) == sorted(str(i).encode() for i in range(60))


def test_counters_and_batches(pair):
    a, b = (s.bound(EXECUTION) for s in pair)
    assert a.counter_add(b"c", b"k", 2) == 2
    assert b.counter_add(b"c", b"k", 5) == 7
    b.counter_delete(b"c", b"k")
    assert a.counter_get(b"c", b"k") == 0
    batch = pa.record_batch({"x": [1, 2]})
    a.queue_push_batches([batch])
    assert b.queue_pop_batch().equals(batch)


def test_clear_then_drop_forget_everything(pair):
    a, b = (s.bound(EXECUTION) for s in pair)
    a.state_append(b"buf", b"", b"x")
    a.state_put(b"ns", b"k", b"v")
    assert b.execution_clear() == 2
    assert a.state_log_scan(b"buf", b"") == []
    assert a.state_get(b"ns", b"k") is None
    later = a.state_append(b"buf", b"", b"y")
    assert b.state_log_scan(b"buf", b"") == [(later, b"y")]
    pair[1].drop(EXECUTION)
    assert a.state_log_scan(b"buf", b"") == []


def test_the_scope_record_is_kept_by_the_first_opener(pair):
    pair[0].open_scope(EXECUTION, b"first")
    pair[1].open_scope(EXECUTION, b"second")  # a secondary init: the scope exists already
    assert pair[1].record(EXECUTION) == b"first"
    with pytest.raises(UnknownExecutionError):
        pair[0].record(b"n" * 16)


def test_a_segment_written_without_the_key_is_refused(pair, tmp_path):
    a = pair[0].bound(EXECUTION)
    a.state_append(b"buf", b"", b"real")
    forged = Signer(b"x" * 32, "other").seal(scope_key(EXECUTION), PURPOSE, b"A")
    store = pair[0].store
    assert store.commit(
        scope_key(EXECUTION), store.read(scope_key(EXECUTION), 0).version, forged, replace=False
    )
    with pytest.raises(BlobRefusedError):
        pair[1].bound(EXECUTION).state_log_scan(b"buf", b"")
