"""The frame reader's repeated-frame path: a stream whose batch frames repeat one head.

Once two batch frames in a row carry byte-identical prefix and metadata (every
full batch of fixed-width columns does), ``GuardedReader`` reads each further
frame with one buffered ``read1`` and one comparison.  These tests hold that
path to pyarrow's reading of the same bytes, and to the promises the general
framing keeps: it never waits for bytes that no prefix or head declares (a
lockstep client waits for the answer before it sends more), frames that arrive
in pieces decode whole, and whatever follows the repeated frames - a shorter
batch, the end marker, the next request, a new schema, a cut - is handled as
before.
"""

from __future__ import annotations

import io
import os
import threading
import time

import pyarrow as pa
import pytest
from vgi_rpc.utils import IpcValidation

from vgi_host.transports.frame_batches import FrameBatches, open_input
from vgi_host.transports.frame_reader import GuardedReader

INT64 = pa.schema([("x", pa.int64())])


def batch_of(rows: int, start: int = 0) -> pa.RecordBatch:
    return pa.record_batch([pa.array(range(start, start + rows), pa.int64())], schema=INT64)


def stream_bytes(*batches: pa.RecordBatch, end: bool = True) -> bytes:
    sink = io.BytesIO()
    writer = pa.ipc.new_stream(sink, INT64)
    for batch in batches:
        writer.write_batch(batch)
    if end:
        writer.close()
    return sink.getvalue()


class CountingBufferedReader(io.BufferedReader):
    """A buffered reader that counts the calls the frame reader makes on it."""

    def __init__(self, raw: io.RawIOBase | io.BytesIO, size: int = 1 << 16) -> None:
        super().__init__(raw, size)  # type: ignore[arg-type]
        self.calls = 0

    def read(self, size: int | None = -1, /) -> bytes:
        self.calls += 1
        return super().read(size)

    def read1(self, size: int = -1, /) -> bytes:
        self.calls += 1
        return super().read1(size)

    def readinto(self, buffer, /) -> int:  # type: ignore[no-untyped-def,override]
        self.calls += 1
        return super().readinto(buffer)


def reader_over(source: io.BufferedReader) -> GuardedReader:
    reader = GuardedReader(source)
    reader.begin_request()
    return reader


def decode_all(reader: GuardedReader) -> list[pa.RecordBatch]:
    batches = open_input(reader, IpcValidation.FULL)
    assert isinstance(batches, FrameBatches)
    out = []
    while True:
        try:
            batch, metadata = batches.read_next_batch_with_custom_metadata()
        except StopIteration:
            return out
        assert metadata is None
        out.append(batch)


def test_repeated_frames_are_read_in_one_call_each_and_decode_as_pyarrow_reads_them():
    batches = [batch_of(100, start=i) for i in range(50)]
    data = stream_bytes(*batches)
    source = CountingBufferedReader(io.BytesIO(data))
    reader = reader_over(source)
    assert decode_all(reader) == list(pa.ipc.open_stream(data))
    assert reader.consumed == len(data)
    # head by head, a frame costs three calls; 48 of the 50 come after their head repeated
    assert source.calls <= len(batches) + 10, source.calls


def test_a_shorter_batch_between_repeated_frames_is_read_afresh():
    batches = [batch_of(100)] * 5 + [batch_of(7)] + [batch_of(100, start=3)] * 4 + [batch_of(0)]
    data = stream_bytes(*batches)
    reader = reader_over(io.BufferedReader(io.BytesIO(data)))  # type: ignore[arg-type]
    assert decode_all(reader) == batches
    assert reader.consumed == len(data)


def test_the_next_request_behind_the_end_marker_is_read_intact():
    first = stream_bytes(*[batch_of(100)] * 6)
    following = stream_bytes(batch_of(3, start=9))
    reader = reader_over(io.BufferedReader(io.BytesIO(first + following)))  # type: ignore[arg-type]
    assert decode_all(reader) == [batch_of(100)] * 6
    reader.begin_request()
    assert decode_all(reader) == [batch_of(3, start=9)]
    assert reader.consumed == len(first) + len(following)


def test_a_new_schema_after_repeated_frames_ends_the_abandoned_stream():
    abandoned = stream_bytes(*[batch_of(100)] * 5, end=False)
    following = stream_bytes(batch_of(2))
    reader = reader_over(io.BufferedReader(io.BytesIO(abandoned + following)))  # type: ignore[arg-type]
    assert decode_all(reader) == [batch_of(100)] * 5
    assert reader.abandoned_streams == 1
    reader.begin_request()
    assert decode_all(reader) == [batch_of(2)]


def test_a_repeated_frame_cut_short_is_reported_and_marks_the_input():
    data = stream_bytes(*[batch_of(100)] * 5, end=False)
    reader = reader_over(io.BufferedReader(io.BytesIO(data[:-20])))  # type: ignore[arg-type]
    with pytest.raises(pa.ArrowInvalid):
        decode_all(reader)
    assert reader.at_eof
    assert reader.truncated


def read_in_thread(reader: GuardedReader) -> tuple[threading.Thread, list[object]]:
    """Decode the stream in a thread: a reader that waits for bytes never sent shows as a thread alive."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(decode_all(reader))
        except Exception as exc:  # reported by the test, not lost in the thread
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_the_end_marker_after_repeated_frames_is_answered_without_waiting_for_more():
    """A lockstep client sends the end marker and waits: the reader must not ask for a whole frame."""
    batches = [batch_of(100)] * 6
    data = stream_bytes(*batches)
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb", buffering=1 << 16) as source:
        try:
            thread, outcome = read_in_thread(reader_over(source))
            os.write(write_fd, data)  # the whole stream, then the pipe stays open
            thread.join(timeout=10)
            assert not thread.is_alive(), "the reader waited for bytes the client never sends"
            assert outcome == [batches]
        finally:
            os.close(write_fd)


def test_frames_that_arrive_in_pieces_decode_whole():
    batches = [batch_of(100, start=i) for i in range(8)]
    data = stream_bytes(*batches)
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb", buffering=1 << 16) as source:
        try:
            thread, outcome = read_in_thread(reader_over(source))
            # cut inside the prefix, the length, the metadata and the body of every frame
            position = 0
            for cut in range(3, len(data), 301):
                os.write(write_fd, data[position:cut])
                position = cut
                time.sleep(0.001)
            os.write(write_fd, data[position:])
            thread.join(timeout=10)
            assert not thread.is_alive(), "the reader waited for bytes the client never sends"
            assert outcome == [batches]
        finally:
            os.close(write_fd)
