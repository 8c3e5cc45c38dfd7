"""The pipe transport's frame reader: limits, clean close, abandoned streams (no process needed)."""

import io
import struct

import pyarrow as pa
import pytest

from vgi_host.transports.frame_reader import (
    FrameTooLargeError,
    GuardedReader,
    ProtocolStreamError,
    message_header,
)


def stream_bytes(*batches: pa.RecordBatch, end: bool = True) -> bytes:
    sink = pa.BufferOutputStream()
    writer = pa.ipc.new_stream(sink, batches[0].schema)
    for batch in batches:
        writer.write_batch(batch)
    if end:
        writer.close()
    return sink.getvalue().to_pybytes()


BATCH = pa.record_batch({"x": pa.array(range(1000), pa.int64())})


def test_a_stream_reads_through_the_guard_unchanged():
    data = stream_bytes(BATCH, BATCH)
    reader = GuardedReader(io.BytesIO(data))
    reader.begin_request()
    table = pa.ipc.open_stream(reader).read_all()
    assert table.num_rows == 2000
    assert reader.consumed == len(data)


def test_large_bodies_are_read_in_chunks_below_the_maximum():
    big = pa.record_batch({"x": pa.array(range(600_000), pa.int64())})  # 4.8 MB body
    reader = GuardedReader(io.BytesIO(stream_bytes(big)))
    reader.CHUNK = 1 << 16
    reader.begin_request()
    assert pa.ipc.open_stream(reader).read_all().num_rows == 600_000


def test_message_header_reads_type_and_body_length():
    data = stream_bytes(BATCH)
    (schema_length,) = struct.unpack_from("<i", data, 4)
    assert message_header(data[8 : 8 + schema_length]) == (1, 0)
    start = 8 + schema_length
    (batch_length,) = struct.unpack_from("<i", data, start + 4)
    kind, body = message_header(data[start + 8 : start + 8 + batch_length])
    assert kind == 3
    assert body >= 8000
    with pytest.raises(ValueError, match="not an IPC message header"):
        message_header(b"\x01\x02")


def test_a_body_above_the_maximum_is_refused_and_stays_refused():
    reader = GuardedReader(io.BytesIO(stream_bytes(BATCH)), max_frame=1000)
    reader.begin_request()
    with pytest.raises(
        FrameTooLargeError, match=r"message body of 8,000 bytes, outside the allowed 0\.\.1,000"
    ):
        pa.ipc.open_stream(reader).read_all()
    with pytest.raises(FrameTooLargeError):
        reader.read(1)


def test_end_of_input_at_a_request_boundary_is_eof_and_inside_a_request_is_not():
    empty = GuardedReader(io.BytesIO(b""))
    empty.begin_request()
    with pytest.raises(EOFError):
        pa.ipc.open_stream(empty)
    data = stream_bytes(BATCH)
    truncated = GuardedReader(io.BytesIO(data[:100]))
    truncated.begin_request()
    with pytest.raises(pa.ArrowInvalid):
        pa.ipc.open_stream(truncated).read_all()
    assert truncated.at_eof
    assert truncated.request_bytes == 100


def test_bytes_that_are_not_framed_ipc_are_refused():
    reader = GuardedReader(io.BytesIO(b"hello world"))
    reader.begin_request()
    with pytest.raises(ProtocolStreamError, match="not an Arrow IPC stream"):
        pa.ipc.open_stream(reader)


def test_a_new_schema_inside_an_open_stream_ends_it_and_is_replayed():
    abandoned = stream_bytes(BATCH, end=False)  # schema + one batch, no end-of-stream marker
    following = stream_bytes(pa.record_batch({"y": ["a", "b"]}))
    reader = GuardedReader(io.BytesIO(abandoned + following))
    reader.begin_request()
    first = pa.ipc.open_stream(reader)
    assert first.read_next_batch().num_rows == 1000
    with pytest.raises(StopIteration):
        first.read_next_batch()  # the reader ended the abandoned stream
    assert reader.abandoned_streams == 1
    reader.begin_request()
    second = pa.ipc.open_stream(reader).read_all()
    assert second.column_names == ["y"]
    assert second.num_rows == 2
