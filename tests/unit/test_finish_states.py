"""FinishStates: which instance a FINALIZE gets once the stream's state has left the process."""

from vgi_host.kinds.finish_states import FinishStates
from vgi_host.state.store import SqliteStateStore


class Running:
    def __init__(self, total: int) -> None:
        self.total = total


def test_a_published_snapshot_supersedes_the_instance_parked_at_init(tmp_path):
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    states = FinishStates(lambda: store)
    states.park(b"exec-1", Running(0))  # parked at init, before any input
    # Over HTTP each turn ran on an instance rebuilt from a snapshot; the last one is published.
    states.publish(b"exec-1", b"12")
    taken = states.take(b"exec-1", lambda snapshot: Running(int(snapshot)))
    assert taken is not None
    assert taken.total == 12


def test_without_publishing_the_parked_instance_is_used(tmp_path):
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    states = FinishStates(lambda: store)
    parked = Running(5)
    states.park(b"exec-2", parked)
    assert states.take(b"exec-2", lambda snapshot: Running(-1)) is parked
