"""A table-in-out instance waiting for FINALIZE in the shared store: signed, refused when altered."""

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
