"""Bad input and bad packs get clear errors and never take the host down."""

import pyarrow as pa
import pytest
from vgi import Arguments
from vgi.client import Client, ClientError

from tests.interop.helpers import call_scalar

pytestmark = pytest.mark.interop


def pid(client) -> int:
    (value,) = set(call_scalar(client, "testkit", "worker_pid", {"x": [1, 2]}))
    return value


def test_a_raising_function_is_reported_and_the_same_process_answers_next(client):
    before = pid(client)
    with pytest.raises(ClientError, match=r"testkit\.always_fails: ValueError: this function always fails"):
        call_scalar(client, "testkit", "always_fails", {"x": [1]})
    assert call_scalar(client, "testkit", "add_k", {"x": [1, 2]}, [10]) == [11, 12]
    assert pid(client) == before


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (7, r"testkit\.quits: SystemExit: the function called sys\.exit\(7\)"),
        (0, r"testkit\.quits: SystemExit: the function called sys\.exit\(0\)"),
        (-1, r"testkit\.quits: KeyboardInterrupt: the function was interrupted"),
    ],
)
def test_sys_exit_or_keyboard_interrupt_in_a_function_fails_the_call_not_the_host(client, code, message):
    before = pid(client)
    with pytest.raises(ClientError, match=message):
        call_scalar(client, "testkit", "quits", {"x": [1]}, [code])
    assert pid(client) == before


def test_error_replies_carry_the_message_not_a_server_traceback(client):
    with pytest.raises(ClientError) as info:
        call_scalar(client, "testkit", "always_fails", {"x": [1]})
    text = str(info.value)
    assert "this function always fails" in text
    assert "Traceback" not in text
    assert ".py" not in text


def test_wrong_result_length_is_reported(client):
    with pytest.raises(
        ClientError,
        match=r"testkit\.wrong_length: ResultShapeError: compute returned 4 rows for an input of 3",
    ):
        call_scalar(client, "testkit", "wrong_length", {"x": [1, 2, 3]})


def test_type_bound_failure_names_argument_column_type_and_bound(client):
    with pytest.raises(
        ClientError,
        match=r"testkit\.add_k: argument 'x': column 'words' has type VARCHAR, "
        r"but the type bound requires is_integer",
    ):
        call_scalar(client, "testkit", "add_k", {"words": ["a"]}, [1])


def test_bad_constant_is_a_bind_error_naming_the_argument(client):
    with pytest.raises(
        ClientError,
        match=r"testkit\.add_k: Argument 'k' is too large\. "
        r"constant argument 'k' must be <= 1000; got 5000",
    ):
        call_scalar(client, "testkit", "add_k", {"x": [1]}, [5000])
    with pytest.raises(ClientError, match=r"testkit\.add_k: missing constant argument 'k'"):
        call_scalar(client, "testkit", "add_k", {"x": [1]})


def test_wrong_column_count(client):
    with pytest.raises(ClientError, match=r"geo\.haversine_km: expects 4 column argument\(s\)"):
        call_scalar(client, "geo", "haversine_km", {"a": [1.0]})


def test_pack_output_on_stdout_does_not_corrupt_the_protocol(client):
    assert call_scalar(client, "testkit", "noisy", {"x": [7, 8]}, batches=3) == [7, 8] * 3


def test_unknown_pack_and_function_say_what_exists(client):
    with pytest.raises(ClientError, match=r"no pack named 'nope' \(packs served: geo, testkit, text\)"):
        call_scalar(client, "nope", "f", {"x": [1]})
    with pytest.raises(ClientError, match=r"pack 'geo' has no function 'nope' \(it has: bearing_deg, "):
        call_scalar(client, "geo", "nope", {"x": [1]})


def test_broken_pack_is_reported_and_does_not_stop_the_others(client):
    with pytest.raises(
        ClientError,
        match=r"pack 'broken' is installed but failed to load: import of 'vgi_pack_broken' failed",
    ):
        call_scalar(client, "broken", "anything", {"x": [1]})
    assert call_scalar(client, "testkit", "add_k", {"x": [1]}, [1]) == [2]


def test_called_as_the_wrong_kind(client):
    with pytest.raises(
        ClientError, match=r"geo\.haversine_km is a scalar function; it cannot be called as a table function"
    ):
        list(client.table_function(function_name="haversine_km", schema_path=["geo"], arguments=Arguments()))


def test_fan_out_to_several_processes_gives_every_row_once(serve_argv):
    batch = pa.RecordBatch.from_pydict({"x": list(range(100))})
    with Client(serve_argv, pool=None, worker_limit=3) as fan_out:
        results = fan_out.scalar_function(
            function_name="add_k",
            schema_path=["testkit"],
            input=iter([batch] * 6),
            arguments=Arguments(positional=(pa.scalar(1),)),
        )
        rows = [v for r in results for v in r.column(0).to_pylist()]
    assert sorted(rows) == sorted(list(range(1, 101)) * 6)
