"""FinishStates: which instance a FINALIZE gets, and its snapshot in the shared store (signed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vgi_host.kinds.finish_states import FinishStates
from vgi_host.state.signing import BlobRefusedError
from vgi_host.state.sqlite import SqliteStateStore

EXEC = b"\x07" * 16


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStateStore(tmp_path / "state" / "s.sqlite3")
    yield s
    s.close()


def test_a_published_snapshot_is_rebuilt_once_on_another_replica(store: SqliteStateStore) -> None:
    FinishStates(lambda: store).publish(EXEC, b"snapshot-1")
    FinishStates(lambda: store).publish(EXEC, b"snapshot-2")  # a later turn replaces it
    other = FinishStates(lambda: store)
    assert other.take(EXEC, lambda data: data) == b"snapshot-2"  # type: ignore[arg-type,return-value]
    assert other.take(EXEC, lambda data: data) is None  # taken: gone from the store


def test_an_altered_snapshot_is_refused_before_unpickling(store: SqliteStateStore) -> None:
    FinishStates(lambda: store).publish(EXEC, b"snapshot")
    sealed = store.read(EXEC, 0, with_bind=True).bind
    assert sealed is not None
    store.drop(EXEC)
    store.create(EXEC, sealed[:-1] + b"X")
    rebuilt: list[bytes] = []
    with pytest.raises(BlobRefusedError, match=EXEC.hex()):
        FinishStates(lambda: store).take(EXEC, rebuilt.append)  # type: ignore[arg-type]
    assert rebuilt == []


class Running:
    def __init__(self, total: int) -> None:
        self.total = total


def test_a_published_snapshot_supersedes_the_instance_parked_at_init(store: SqliteStateStore) -> None:
    states = FinishStates(lambda: store)
    states.park(b"exec-1", Running(0))  # parked at init, before any input
    # Over HTTP each turn ran on an instance rebuilt from a snapshot; the last one is published.
    states.publish(b"exec-1", b"12")
    taken = states.take(b"exec-1", lambda snapshot: Running(int(snapshot)))
    assert taken is not None
    assert taken.total == 12


def test_without_publishing_the_parked_instance_is_used(store: SqliteStateStore) -> None:
    states = FinishStates(lambda: store)
    parked = Running(5)
    states.park(b"exec-2", parked)
    assert states.take(b"exec-2", lambda snapshot: Running(-1)) is parked
