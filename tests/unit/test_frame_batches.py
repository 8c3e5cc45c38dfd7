"""Input batches decoded one whole frame at a time, and answers written one message per ``write``.

The per-batch loop reads a stream call's input through
:func:`vgi_host.transports.frame_batches.open_input` and writes its answers
through ``stream_loop._Answers``.  These tests hold both to what pyarrow's own
stream reader and writer do with the same bytes, and check every case that has
to leave the fast path: dictionaries, custom metadata, a big-endian peer,
truncated or oversized frames, and an abandoned stream.
"""

from __future__ import annotations

import io
import struct
import tempfile
from collections.abc import Callable

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch
from vgi_rpc.utils import IpcValidation, new_ipc_stream

from vgi_host.transports import stream_loop
from vgi_host.transports.frame_batches import FrameBatches, declares_big_endian, has_dictionary, open_input
from vgi_host.transports.frame_reader import END_OF_STREAM, FrameTooLargeError, GuardedReader
from vgi_host.transports.framing import CountingWriter

INT64 = pa.schema([("x", pa.int64())])


def batch_of(*values: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(values, pa.int64())], schema=INT64)


def stream_bytes(
    *batches: pa.RecordBatch, metadata: dict[int, dict[bytes, bytes]] | None = None, end: bool = True
) -> bytes:
    sink = io.BytesIO()
    writer = pa.ipc.new_stream(sink, batches[0].schema)
    for index, batch in enumerate(batches):
        writer.write_batch(batch, custom_metadata=(metadata or {}).get(index))
    if end:
        writer.close()
    return sink.getvalue()


def guarded(data: bytes, *, buffered: bool = True, max_frame: int = 1 << 30) -> GuardedReader:
    """A reader over ``data`` at the start of a request, as the pipe transport builds it."""
    source: io.IOBase = io.BufferedReader(io.BytesIO(data), 1 << 16) if buffered else io.BytesIO(data)
    reader = GuardedReader(source, max_frame)  # type: ignore[arg-type]
    reader.begin_request()
    return reader


def read_all(batches: object) -> list[tuple[pa.RecordBatch, pa.KeyValueMetadata | None]]:
    read = batches.read_next_batch_with_custom_metadata  # type: ignore[attr-defined]
    out = []
    while True:
        try:
            out.append(read())
        except StopIteration:
            return out


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered-reader", "plain-read"])
def test_plain_batches_decode_frame_by_frame_to_what_pyarrow_reads(buffered):
    batches = [batch_of(*range(n)) for n in (2048, 0, 3, 2048)]
    data = stream_bytes(*batches)
    reader = guarded(data, buffered=buffered)
    decoded = open_input(reader, IpcValidation.STANDARD)
    assert isinstance(decoded, FrameBatches)
    assert decoded.schema == INT64
    got = read_all(decoded)
    assert [batch for batch, _ in got] == list(pa.ipc.open_stream(data))
    assert all(metadata is None for _, metadata in got)
    assert reader.consumed == len(data)


def test_custom_metadata_reaches_the_loop_with_its_batch():
    data = stream_bytes(batch_of(1), batch_of(2), batch_of(3), metadata={1: {b"k": b"v"}})
    got = read_all(open_input(guarded(data), IpcValidation.STANDARD))
    assert [batch.column(0).to_pylist() for batch, _ in got] == [[1], [2], [3]]
    assert [None if m is None else dict(m) for _, m in got] == [None, {b"k": b"v"}, None]


def test_metadata_that_changes_from_batch_to_batch_is_read_afresh():
    """The reader remembers the last metadata it parsed; a different layout must not reuse it."""
    strings = pa.schema([("s", pa.string())])
    batches = [pa.record_batch([pa.array(["a" * n] * n)], schema=strings) for n in (1, 40, 3, 40, 500)]
    got = read_all(open_input(guarded(stream_bytes(*batches)), IpcValidation.FULL))
    assert [batch for batch, _ in got] == batches


def test_a_dictionary_stream_goes_to_pyarrows_reader_from_its_first_byte():
    dictionary = pa.record_batch({"d": pa.array(["a", "b", "a"]).dictionary_encode()})
    data = stream_bytes(dictionary, dictionary)
    decoded = open_input(guarded(data), IpcValidation.STANDARD)
    assert not isinstance(decoded, FrameBatches)
    assert has_dictionary(decoded.schema)
    assert [batch for batch, _ in read_all(decoded)] == [dictionary, dictionary]


def test_a_schema_declaring_big_endian_buffers_goes_to_pyarrows_reader():
    schema_message = INT64.serialize().to_pybytes()
    assert not declares_big_endian(schema_message)
    # point Schema.endianness (vtable slot 0, absent as pyarrow writes it) at a non-zero field
    (root,) = struct.unpack_from("<I", schema_message, 8)
    message = 8 + root
    vtable = message - struct.unpack_from("<i", schema_message, message)[0]
    header = message + struct.unpack_from("<H", schema_message, vtable + 8)[0]
    schema = header + struct.unpack_from("<I", schema_message, header)[0]
    schema_vtable = schema - struct.unpack_from("<i", schema_message, schema)[0]
    fields_at = struct.unpack_from("<H", schema_message, schema_vtable + 6)[0]
    patched = bytearray(schema_message)
    struct.pack_into("<H", patched, schema_vtable + 4, fields_at)
    assert declares_big_endian(bytes(patched))
    decoded = open_input(guarded(bytes(patched) + END_OF_STREAM), IpcValidation.STANDARD)
    assert not isinstance(decoded, FrameBatches)  # pyarrow's reader swaps such buffers to native order
    assert read_all(decoded) == []


def test_draining_stops_at_the_end_of_the_stream_and_leaves_the_next_request():
    first = stream_bytes(batch_of(1), batch_of(2), batch_of(3))
    following = stream_bytes(batch_of(9))
    reader = guarded(first + following)
    decoded = open_input(reader, IpcValidation.STANDARD)
    assert decoded.read_next_batch_with_custom_metadata()[0] == batch_of(1)
    decoded.drain()
    reader.begin_request()
    assert [batch for batch, _ in read_all(open_input(reader, IpcValidation.STANDARD))] == [batch_of(9)]


def test_an_abandoned_stream_ends_and_its_successor_is_read_whole():
    abandoned = stream_bytes(batch_of(1), end=False)
    following = stream_bytes(pa.record_batch({"y": ["a", "b"]}))
    reader = guarded(abandoned + following)
    assert [b for b, _ in read_all(open_input(reader, IpcValidation.STANDARD))] == [batch_of(1)]
    assert reader.abandoned_streams == 1
    reader.begin_request()
    second = read_all(open_input(reader, IpcValidation.STANDARD))
    assert second[0][0].column(0).to_pylist() == ["a", "b"]


def test_a_truncated_frame_is_reported_by_pyarrow_and_marks_the_input():
    data = stream_bytes(batch_of(*range(100)), end=False)
    reader = guarded(data[:-20])
    decoded = open_input(reader, IpcValidation.STANDARD)
    with pytest.raises(pa.ArrowInvalid):
        read_all(decoded)
    assert reader.at_eof
    assert reader.truncated


def test_a_body_above_the_maximum_is_refused_on_the_fast_path_too():
    data = stream_bytes(batch_of(*range(1000)))
    reader = guarded(data, max_frame=1000)
    decoded = open_input(reader, IpcValidation.STANDARD)
    with pytest.raises(FrameTooLargeError, match="message body of 8,000 bytes"):
        read_all(decoded)


# --------------------------------------------------------------- answers ----


def answers_written(schema: pa.Schema, batches: list[pa.RecordBatch]) -> bytes:
    """What ``_Answers`` puts on a connection for ``batches``, closed like the loop closes a stream."""
    with tempfile.TemporaryFile() as sink:
        connection = CountingWriter(sink.fileno())
        buffered = stream_loop._buffered(connection)
        with new_ipc_stream(buffered, schema) as writer:
            answers = stream_loop._Answers(writer, buffered, connection, schema)
            for batch in batches:
                answers.send(batch)
        buffered.flush()
        buffered.detach()
        sink.seek(0)
        return sink.read()


def writer_bytes(schema: pa.Schema, batches: list[pa.RecordBatch]) -> bytes:
    sink = io.BytesIO()
    with new_ipc_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue()


@pytest.mark.parametrize(
    "batches",
    [
        [batch_of(1, 2), batch_of(), batch_of(*range(2048))],
        [pa.record_batch({"s": pa.array(["x", None, "yz"])}), pa.record_batch({"s": pa.array(["é"] * 9)})],
        [pa.record_batch({"d": pa.array(["a", "b"]).dictionary_encode()})] * 3,
    ],
    ids=["int64", "strings", "dictionary"],
)
def test_answers_are_the_bytes_pyarrows_writer_produces(batches):
    schema = batches[0].schema
    assert answers_written(schema, batches) == writer_bytes(schema, batches)


def test_answers_with_log_messages_go_through_the_writer_in_order():
    with tempfile.TemporaryFile() as sink:
        connection = CountingWriter(sink.fileno())
        buffered = stream_loop._buffered(connection)
        with new_ipc_stream(buffered, INT64) as writer:
            answers = stream_loop._Answers(writer, buffered, connection, INT64)
            answers.send(batch_of(1))
            log = pa.KeyValueMetadata({b"vgi_rpc.log_level": b"INFO"})
            answers.send_all([AnnotatedBatch(batch_of(), log), AnnotatedBatch(batch_of(2))])
            answers.send(batch_of(3))
        buffered.flush()
        buffered.detach()
        sink.seek(0)
        reader = pa.ipc.open_stream(sink.read())
        read = [reader.read_next_batch_with_custom_metadata() for _ in range(4)]
    assert [batch.column(0).to_pylist() for batch, _ in read] == [[1], [], [2], [3]]
    assert [m is not None for _, m in read] == [False, True, False, False]


class _ExtraColumnState:
    """A state whose answers carry an extra, differently typed column, and which may promise a schema."""

    def __init__(self, promised: pa.Schema | None) -> None:
        self.answer_schema = promised

    def exchange_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        values = batch.column(0).cast(pa.int32())
        extra = pa.schema([("result", pa.int32()), ("debug", pa.string())])
        return pa.RecordBatch.from_arrays([values, pa.array(["?"] * len(values))], schema=extra)


OUTPUT = pa.schema([("result", pa.int64())])


def direct_exchange_reply(run: Callable[..., object]) -> tuple[object, pa.Table]:
    """``run(server, decoded input, answers, collector)`` over two input batches; its result and reply."""
    data = stream_bytes(batch_of(1, 2), batch_of(3))
    server = stream_loop.StreamLoopServer.__new__(stream_loop.StreamLoopServer)
    server._ipc_validation = IpcValidation.STANDARD
    with tempfile.TemporaryFile() as sink:
        connection = CountingWriter(sink.fileno())
        buffered = stream_loop._buffered(connection)
        with new_ipc_stream(buffered, OUTPUT) as writer:
            answers = stream_loop._Answers(writer, buffered, connection, OUTPUT)
            out = stream_loop._ReusedCollector(OUTPUT, producer_mode=False)
            result = run(server, open_input(guarded(data), IpcValidation.STANDARD), answers, out)
        buffered.flush()
        buffered.detach()
        sink.seek(0)
        return result, pa.ipc.open_stream(sink.read()).read_all()


def test_a_direct_exchange_answer_with_a_different_schema_is_fitted_like_the_collector_does():
    """``exchange_batch`` answers with extra and differently typed columns: projected and cast."""
    exchange_batch = _ExtraColumnState(None).exchange_batch
    cancelled, table = direct_exchange_reply(
        lambda server, decoded, answers, out: server._run_direct_exchange(
            decoded, answers, exchange_batch, out, INT64
        )
    )
    assert cancelled is False
    assert table.schema == OUTPUT
    assert table.column("result").to_pylist() == [1, 2, 3]


@pytest.mark.parametrize(
    "promised",
    [None, pa.schema([("result", pa.int64())], metadata={b"k": b"v"}), pa.schema([("other", pa.int64())])],
    ids=["no-promise", "promise-with-other-metadata", "promise-of-another-schema"],
)
def test_a_promised_answer_schema_is_trusted_only_when_it_is_the_streams(promised):
    """The loop skips the per-batch schema check only for a promise equal to the output schema."""
    state = _ExtraColumnState(promised)
    _, table = direct_exchange_reply(
        lambda server, decoded, answers, out: server._run(decoded, answers, state, out, None, INT64)
    )
    assert table.schema == OUTPUT
    assert table.column("result").to_pylist() == [1, 2, 3]


def test_a_producers_ticks_decode_to_what_pyarrow_reads_however_they_vary():
    """Repeated ticks reuse one decoded batch; a tick with other bytes is decoded afresh."""
    empty = pa.schema([])
    ticks = [pa.RecordBatch.from_struct_array(pa.array([{}] * n, pa.struct([]))) for n in (0, 0, 3, 0, 0)]
    data = stream_bytes(*ticks, metadata={3: {b"vgi.cache.if_none_match": b"etag"}})
    decoded = open_input(guarded(data), IpcValidation.STANDARD)
    assert isinstance(decoded, FrameBatches)
    assert decoded.schema == empty
    got = read_all(decoded)
    assert [batch.num_rows for batch, _ in got] == [0, 0, 3, 0, 0]
    assert [None if m is None else dict(m) for _, m in got] == [
        None,
        None,
        None,
        {b"vgi.cache.if_none_match": b"etag"},
        None,
    ]
    assert got[1][0] is got[0][0]  # the same bytes: the batch decoded once
