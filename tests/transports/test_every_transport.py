"""The reference client over launch (unix socket), TCP and HTTP: every function kind, exact answers."""

import contextlib
import os

import pytest
from vgi.client import Client

from tests.transports import kinds
from tests.transports.conftest import SIGNING_KEY
from tests.transports.servers import serve, stop_pid, unix_socket_owner, vgi_host_exe

TRANSPORTS = ["launch", "tcp", "http", "http-granian-2-workers"]


@contextlib.contextmanager
def connect(transport: str, short_tmp):
    if transport == "launch":
        state_dir = short_tmp / "launch-kinds"
        state_dir.mkdir(exist_ok=True)
        argv = [vgi_host_exe(), "serve"]
        try:
            with Client.from_launch(argv, idle_timeout=30, state_dir=str(state_dir)) as c:
                yield c
        finally:
            for sock in state_dir.glob("*.sock"):
                with contextlib.suppress(OSError):
                    stop_pid(unix_socket_owner(sock))
        return
    if transport == "tcp":
        with serve("--tcp", "127.0.0.1:0") as served:
            prefix, host, port = served.line.split(":")
            assert prefix == "TCP"
            with Client.from_tcp(host, int(port)) as c:
                yield c
        return
    env = {"VGI_SIGNING_KEY": SIGNING_KEY}
    args = ["--http", "--port", "0"]
    if transport == "http-granian-2-workers":
        args += ["--server", "granian", "--workers", "2"]
    with serve(*args, env=env) as served:
        assert served.line.startswith("PORT:")
        with Client.from_http(served.url) as c:
            yield c


@pytest.fixture(scope="module", params=TRANSPORTS)
def client(request, short_tmp):
    with connect(request.param, short_tmp) as c:
        yield c


@pytest.mark.parametrize("kind", list(kinds.KINDS))
def test_every_kind(client, kind):
    kinds.KINDS[kind](client)


def test_unary_catalog_call(client):
    kinds.check_catalog(client)


def test_launch_shares_one_warm_worker(short_tmp):
    """Three from_launch clients, two at once and one after both left: one warm process answers all."""
    import pyarrow as pa

    state_dir = short_tmp / "launch-shared"
    state_dir.mkdir()
    argv = [vgi_host_exe(), "serve"]

    def worker_pid(client) -> int:
        out = client.scalar_function(
            function_name="worker_pid",
            schema_path=["testkit"],
            input=iter([pa.RecordBatch.from_pydict({"x": [1, 2]})]),
        )
        (pid,) = {p for b in out for p in b.column(0).to_pylist()}
        return pid

    try:
        with Client.from_launch(argv, idle_timeout=30, state_dir=str(state_dir)) as first:
            pid = worker_pid(first)
            with Client.from_launch(argv, idle_timeout=30, state_dir=str(state_dir)) as second:
                assert worker_pid(second) == pid
        # Both clients gone: the worker stays warm for the next query.
        with Client.from_launch(argv, idle_timeout=30, state_dir=str(state_dir)) as third:
            assert worker_pid(third) == pid
        (sock,) = state_dir.glob("*.sock")
        assert unix_socket_owner(sock) == pid
        assert pid != os.getpid()
    finally:
        for sock in state_dir.glob("*.sock"):
            with contextlib.suppress(OSError):
                stop_pid(unix_socket_owner(sock))
