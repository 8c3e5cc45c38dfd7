"""`serve --unix` (the launcher contract) and `serve --tcp`: discovery lines, concurrency, idle exit."""

import os
import subprocess
import threading
import time

import pyarrow as pa
import pytest
from vgi import Arguments
from vgi.client import Client

from tests.transports import kinds
from tests.transports.servers import read_line, serve, stop_pid, vgi_host_exe


def test_unix_prints_the_absolute_path_and_serves_concurrent_clients(short_tmp):
    relative = os.path.relpath(short_tmp / "concurrent.sock")
    with serve("--unix", relative) as served:
        assert served.line == f"UNIX:{short_tmp / 'concurrent.sock'}"
        path = served.line.removeprefix("UNIX:")
        errors: list[BaseException] = []

        def one_client() -> None:
            try:
                with Client.from_launch([vgi_host_exe(), "serve"], socket_path=path) as client:
                    kinds.check_table(client)
                    kinds.check_scalar(client)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one_client) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        assert all(not t.is_alive() for t in threads)
    # Stopped with SIGTERM: the worker exited cleanly and removed its socket.
    assert served.process.returncode == 0
    assert not (short_tmp / "concurrent.sock").exists()


def test_unix_worker_exits_after_the_idle_timeout(short_tmp):
    path = short_tmp / "idle.sock"
    process = subprocess.Popen(
        [vgi_host_exe(), "serve", "--unix", str(path), "--idle-timeout", "1"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert read_line(process) == f"UNIX:{path}"
        with Client.from_launch([vgi_host_exe(), "serve"], socket_path=str(path)) as client:
            kinds.check_scalar(client)
            # testkit.noisy prints to stdout while computing: it must land in the log, not stdout.
            noisy = client.scalar_function(
                function_name="noisy",
                schema_path=["testkit"],
                input=iter([pa.RecordBatch.from_pydict({"x": pa.array([1, 2], pa.int64())})]),
            )
            assert [b.num_rows for b in noisy] == [2]
        started = time.monotonic()
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - started < 30
        # Nothing but the discovery line was ever written to stdout; the pack's print went to stderr.
        assert process.stdout.read() == b""
        assert b"noise on stdout from a pack" in process.stderr.read()
    finally:
        stop_pid(process.pid)
        process.wait(timeout=15)
        process.stdout.close()
        process.stderr.close()


def test_a_second_worker_on_a_live_socket_refuses_clearly(short_tmp):
    path = short_tmp / "taken.sock"
    with serve("--unix", str(path)):
        second = subprocess.run(
            [vgi_host_exe(), "serve", "--unix", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert second.returncode == 1
    assert second.stdout == ""
    assert "cannot serve" in second.stderr
    assert "listening" in second.stderr


def test_tcp_port_zero_picks_a_port_and_errors_name_the_function():
    with serve("--tcp", "0") as served:
        prefix, host, port = served.line.split(":")
        assert (prefix, host) == ("TCP", "127.0.0.1")
        assert int(port) > 0
        with Client.from_tcp(host, int(port)) as client:
            with pytest.raises(Exception, match=r"testkit\.count_to: .*constant argument 'n' must be >= 0"):
                list(
                    client.table_function(
                        function_name="count_to",
                        schema_path=["testkit"],
                        arguments=Arguments(positional=(pa.scalar(-1),)),
                    )
                )
            # The host kept serving after the bad call.
            kinds.check_aggregate_groups_and_combine(client)


def test_bad_tcp_address_is_a_usage_error():
    result = subprocess.run(
        [vgi_host_exe(), "serve", "--tcp", "localhost:http"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--tcp expects [HOST:]PORT" in result.stderr
