"""The host's per-batch stream loop writes the same bytes as vgi-rpc's generic loop.

One client session - scalar batches, an error in the middle of a stream, a
producer that finishes, log messages to the client, a table-in-out stream and
its FINALIZE, client cancels of both stream shapes - runs live against
``vgi-host serve``'s server (over pipes, through the host's frame reader and
writer) while the bytes the server reads are recorded.  The recording is then
served twice more, once by each loop, and the two replies must be identical
byte for byte.  Identifiers that are random by design (request, stream,
execution and server ids) are made deterministic by numbering ``uuid.uuid4``.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch, PipeTransport
from vgi_rpc.log import Message
from vgi_rpc.rpc import RpcConnection, RpcError
from vgi_rpc.rpc._transport import _clamped, _exact

from tests.unit.test_host_service import bind_request, column, drain, open_stream, registry_of
from vgi_host.protocol.enums import FunctionType, TableInOutFunctionInitPhase
from vgi_host.protocol.invocation import GlobalInitResponse
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.sqlite import SqliteStateStore
from vgi_host.transports import stream_loop
from vgi_host.transports.frame_reader import GuardedReader
from vgi_host.transports.framing import CountingWriter, FramingPolicyServer
from vgi_host.transports.pipe import INPUT_BUFFER_BYTES

PACKS = ("every_kind", "loop_cases")
INT64 = pa.schema([("x", pa.int64())])


class _Recording(io.RawIOBase):
    """The server's raw input, keeping a copy of every byte read."""

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self._raw = raw
        self.data = bytearray()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        part: bytes = self._raw.read(size)
        self.data += part
        return part

    def fileno(self) -> int:
        return int(self._raw.fileno())


@pytest.fixture
def numbered_uuids(monkeypatch) -> list[int]:
    counter = [0]

    def uuid4() -> uuid.UUID:
        counter[0] += 1
        return uuid.UUID(int=counter[0])

    monkeypatch.setattr(uuid, "uuid4", uuid4)
    return counter


def server_for(tmp: Path) -> FramingPolicyServer:
    service = HostService(registry_of(*PACKS), SqliteStateStore(tmp / f"{uuid.uuid4().hex}.sqlite3"))
    return FramingPolicyServer(VgiProtocol, service, server_id="loop-test", include_tracebacks=False)


def session(proxy: VgiProtocol, logs: list[Message]) -> None:
    """Every stream feature the loop replaces, with the answers checked as they arrive."""
    plus_one = open_stream(proxy, bind_request("plus_one", FunctionType.SCALAR, schema=INT64))
    with contextlib.closing(plus_one):
        for values in ([1, 2, 3], [], [41]):
            out = plus_one.exchange(
                AnnotatedBatch(pa.record_batch([pa.array(values, pa.int64())], schema=INT64))
            )
            assert out.batch.column(0).to_pylist() == [v + 1 for v in values]

    fragile = open_stream(proxy, bind_request("fragile", FunctionType.SCALAR, schema=INT64))
    with contextlib.closing(fragile):
        assert fragile.exchange(
            AnnotatedBatch(pa.record_batch({"x": pa.array([5], pa.int64())}))
        ).batch.column(0).to_pylist() == [-5]
        with pytest.raises(RpcError, match="fragile refuses negative input"):
            fragile.exchange(AnnotatedBatch(pa.record_batch({"x": pa.array([-1], pa.int64())})))

    assert column(drain(open_stream(proxy, bind_request("count_to", FunctionType.TABLE, args=[5]))), "i") == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert column(drain(open_stream(proxy, bind_request("chatty", FunctionType.TABLE, args=[3]))), "i") == [
        1,
        2,
        3,
    ]
    assert [m.message for m in logs] == ["producing 1", "producing 2", "producing 3"]

    schema = pa.schema([("v", pa.int64())])
    request = bind_request("running_total", FunctionType.TABLE, schema=schema)
    stream = open_stream(proxy, request, phase=TableInOutFunctionInitPhase.INPUT)
    header = stream.typed_header(GlobalInitResponse)
    with contextlib.closing(stream):
        for values in ([1, 2], [3]):
            stream.exchange(AnnotatedBatch(pa.record_batch({"v": pa.array(values, pa.int64())})))
    final = open_stream(
        proxy, request, phase=TableInOutFunctionInitPhase.FINALIZE, execution_id=header.execution_id
    )
    assert column(drain(final), "v") == [6]

    producer = open_stream(proxy, bind_request("count_to", FunctionType.TABLE, args=[100]))
    assert producer.tick().batch.column(0).to_pylist() == [1, 2]
    producer.cancel()
    exchange = open_stream(proxy, bind_request("plus_one", FunctionType.SCALAR, schema=INT64))
    exchange.exchange(AnnotatedBatch(pa.record_batch({"x": pa.array([1], pa.int64())})))
    exchange.cancel()

    # the connection is still in step after the cancels
    after = open_stream(proxy, bind_request("plus_one", FunctionType.SCALAR, schema=INT64))
    with contextlib.closing(after):
        assert after.exchange(AnnotatedBatch(pa.record_batch({"x": pa.array([9], pa.int64())}))).batch.column(
            0
        ).to_pylist() == [10]


def record_live_session(tmp: Path) -> bytes:
    """Run :func:`session` against the host's server over pipes; the bytes the server read."""
    c2s_r, c2s_w = os.pipe()
    s2c_r, s2c_w = os.pipe()
    recording = _Recording(os.fdopen(c2s_r, "rb"))
    server = server_for(tmp)
    thread = threading.Thread(
        target=server.serve,
        args=(PipeTransport(GuardedReader(recording), CountingWriter(s2c_w)),),
        daemon=True,
    )
    thread.start()
    logs: list[Message] = []
    client = PipeTransport(_clamped(os.fdopen(s2c_r, "rb")), _exact(os.fdopen(c2s_w, "wb", buffering=0)))
    with RpcConnection(VgiProtocol, client, on_log=logs.append) as proxy:
        session(cast(VgiProtocol, proxy), logs)
    thread.join(timeout=30)
    assert not thread.is_alive()
    os.close(s2c_w)
    return bytes(recording.data)


def replay(tmp: Path, recording: bytes, counter: list[int], *, buffered: bool = False) -> bytes:
    """Serve ``recording`` from the start of a fresh process state; what the server wrote.

    ``buffered`` reads it through a buffered reader, as ``vgi-host serve``
    reads its standard input (whole frames with ``readinto``); otherwise
    through a plain ``read``.
    """
    counter[0] = 0
    server = server_for(tmp)
    source: Any = io.BytesIO(recording)
    if buffered:
        source = io.BufferedReader(source, INPUT_BUFFER_BYTES)
    with tempfile.TemporaryFile(dir=tmp) as sink:
        server.serve(PipeTransport(GuardedReader(source), CountingWriter(sink.fileno())))
        sink.seek(0)
        return sink.read()


def test_both_loops_write_the_same_bytes_for_a_whole_session(tmp_path, numbered_uuids, monkeypatch):
    recording = record_live_session(tmp_path)
    monkeypatch.setenv(stream_loop.ENV_LOOP, "generic")
    generic = replay(tmp_path, recording, numbered_uuids)
    monkeypatch.delenv(stream_loop.ENV_LOOP)
    dedicated = replay(tmp_path, recording, numbered_uuids)
    dedicated_buffered = replay(tmp_path, recording, numbered_uuids, buffered=True)
    assert len(generic) > 4_000  # the whole session was answered, not an early refusal
    assert b"fragile refuses negative input" in generic
    assert b"producing 3" in generic
    assert dedicated == generic
    assert dedicated_buffered == generic


def test_the_dedicated_loop_serves_the_streams_and_the_generic_one_does_not(tmp_path, monkeypatch):
    """The comparison above is between two different loops, not the same loop twice."""
    used: list[str] = []
    original = stream_loop.StreamLoopServer._serve_stream_directly

    def spy(self: Any, *args: Any) -> None:
        used.append("dedicated")
        original(self, *args)

    monkeypatch.setattr(stream_loop.StreamLoopServer, "_serve_stream_directly", spy)
    recording = record_live_session(tmp_path)
    streams = len(used)
    assert streams >= 9
    monkeypatch.setenv(stream_loop.ENV_LOOP, "generic")
    replay(tmp_path, recording, [0])
    assert len(used) == streams


def test_a_failing_stream_start_is_answered_and_the_connection_goes_on(tmp_path):
    """A bind error at init (the stream never opens) keeps the connection in step."""
    c2s_r, c2s_w = os.pipe()
    s2c_r, s2c_w = os.pipe()
    server = server_for(tmp_path)
    thread = threading.Thread(
        target=server.serve,
        args=(PipeTransport(GuardedReader(os.fdopen(c2s_r, "rb")), CountingWriter(s2c_w)),),
        daemon=True,
    )
    thread.start()
    client = PipeTransport(_clamped(os.fdopen(s2c_r, "rb")), _exact(os.fdopen(c2s_w, "wb", buffering=0)))
    with RpcConnection(VgiProtocol, client) as proxy:
        host = cast(VgiProtocol, proxy)
        with pytest.raises(RpcError, match="count_to"):
            drain(open_stream(host, bind_request("count_to", FunctionType.TABLE, args=["not a number"])))
        assert column(
            drain(open_stream(host, bind_request("count_to", FunctionType.TABLE, args=[2]))), "i"
        ) == [1, 2]
    thread.join(timeout=30)
    os.close(s2c_w)
