"""A stream call's input batches, decoded one frame at a time from the guarded reader.

pyarrow's stream reader pulls every message through the connection's Python
file object in four ``read`` calls (continuation marker, length, metadata,
body), and on a pipe or socket that file is the host's
:class:`~vgi_host.transports.frame_reader.GuardedReader`, whose framing,
limits and abandoned-stream handling are Python.  At 2,048-row batches those
four trips cost about as much as decoding the batch itself.  Here the guarded
reader hands over each message whole (:meth:`GuardedReader.next_message`) and
pyarrow decodes it from memory (``read_record_batch`` on the frame): the same
checks on the same bytes, one Python call per batch.

Two shapes of input still go through pyarrow's stream reader, because it keeps
state across messages that a frame-at-a-time decoder would have to rebuild:

* a stream whose schema has a dictionary-encoded column (its dictionary
  batches update a memo the record batches refer to): the schema frame is
  handed back to the guarded reader and pyarrow reads the stream from its
  start;
* a batch that carries custom metadata (a client cancel, vgi-rpc's log and
  pointer markers): rare, so it is decoded by a one-batch stream reader over
  the schema frame and that batch's frame, which is where pyarrow exposes a
  message's custom metadata.
"""

from __future__ import annotations

import contextlib
import struct
from typing import Protocol

import pyarrow as pa
from pyarrow import ipc
from vgi_rpc.rpc._wire import _drain_stream
from vgi_rpc.utils import IPC_READ_OPTIONS, IpcValidation, ValidatedReader

from vgi_host.transports.frame_reader import END_OF_STREAM, Frame, GuardedReader, message_fields

_I16, _U16, _U32, _I32 = struct.Struct("<h"), struct.Struct("<H"), struct.Struct("<I"), struct.Struct("<i")
_read_record_batch, _py_buffer = ipc.read_record_batch, pa.py_buffer
"""Looked up once: the per-batch decode calls them for every batch."""
_PREFIX = 8
"""Continuation marker and metadata length in front of every encapsulated message."""
_HEADER_SLOT = 4 + 2 * 2
"""Where ``Message.header`` (flatbuffer field 2) sits in the message table's vtable."""
_ENDIANNESS_SLOT = 4
"""Where ``Schema.endianness`` (flatbuffer field 0) sits in the schema table's vtable."""


class InputBatches(Protocol):
    """What the per-batch loop reads a stream's input through."""

    @property
    def schema(self) -> pa.Schema:
        """The input stream's schema."""
        ...

    def read_next_batch_with_custom_metadata(self) -> tuple[pa.RecordBatch, pa.KeyValueMetadata | None]:
        """The next batch and its custom metadata; ``StopIteration`` at the end of the stream."""
        ...

    def drain(self) -> None:
        """Read and drop what is left of the stream (errors ignored: the stream may be broken)."""
        ...


def open_input(source: object, validation: IpcValidation) -> InputBatches:
    """The call's input stream, decoded frame by frame when the connection's reader allows it."""
    if isinstance(source, GuardedReader):
        schema_frame = source.next_message()
        schema = ipc.read_schema(pa.py_buffer(schema_frame)) if _is_message(schema_frame) else None
        if schema is not None and not has_dictionary(schema) and not declares_big_endian(schema_frame):
            return FrameBatches(source, schema_frame, schema)
        source.push_back(schema_frame)  # pyarrow reads it again, and reports what was wrong with it
    return _StreamReaderBatches(ipc.open_stream(source, options=IPC_READ_OPTIONS), validation)  # type: ignore[arg-type]  # any object with read()


class FrameBatches:
    """The input's record batches, one :meth:`GuardedReader.next_message` each (module docs)."""

    __slots__ = (
        "_ended",
        "_last_tick",
        "_next_batch_frame",
        "_next_message",
        "_reader",
        "_schema_frame",
        "_ticks",
        "schema",
    )

    def __init__(self, reader: GuardedReader, schema_frame: Frame, schema: pa.Schema) -> None:
        self._reader = reader
        self._next_message = reader.next_message
        self._next_batch_frame = reader.next_batch_frame
        self._schema_frame = schema_frame
        self.schema = schema
        self._ended = False
        self._ticks = len(schema) == 0
        """A producer's input: batches without columns, so without a body - the frame is the whole batch."""
        self._last_tick: tuple[Frame, pa.RecordBatch | None] = (b"", None)

    def read_next_batch_with_custom_metadata(self) -> tuple[pa.RecordBatch, pa.KeyValueMetadata | None]:
        """Decode the next frame; the end-of-stream marker (or the input's end) stops the stream.

        The common frame - a plain record batch, read by the reader's fast
        path - is decoded at once: this runs once per batch of every stream.
        """
        frame: Frame | None = None if self._ended or self._ticks else self._next_batch_frame()
        if frame is not None and self._reader.frame_is_plain:
            return self._decode(frame), None
        if frame is None:
            frame = b"" if self._ended else self._next_message()
            if frame == END_OF_STREAM or not frame:
                self._ended = True
                raise StopIteration
        if not self._reader.frame_is_plain and _carries_custom_metadata(frame):
            return self._with_custom_metadata(frame)
        if self._ticks:
            return self._tick(frame), None
        return self._decode(frame), None

    def _decode(self, frame: Frame) -> pa.RecordBatch:
        try:
            return _read_record_batch(_py_buffer(frame), self.schema)
        except OSError as exc:  # a frame cut short: reported as pyarrow's stream reader reports it
            raise pa.ArrowInvalid(str(exc)) from exc

    def _tick(self, frame: Frame) -> pa.RecordBatch:
        """A producer's tick: the same bytes as the previous tick are the same (immutable) batch.

        Decoding a batch without columns costs pyarrow about as much as a
        small batch with data, and a producer's client sends the same tick
        for every batch it asks for.
        """
        last_frame, last_batch = self._last_tick
        if last_batch is not None and frame == last_frame:
            return last_batch
        batch = self._decode(frame)
        self._last_tick = (frame, batch)
        return batch

    def _with_custom_metadata(self, frame: Frame) -> tuple[pa.RecordBatch, pa.KeyValueMetadata | None]:
        """Decode through a one-batch stream reader: only there does pyarrow expose custom metadata."""
        reader = ipc.open_stream(pa.py_buffer(self._schema_frame + frame + END_OF_STREAM))
        batch, metadata = reader.read_next_batch_with_custom_metadata()
        return batch, metadata

    def drain(self) -> None:
        """Frames until the end-of-stream marker, the input's end, or a broken frame."""
        with contextlib.suppress(pa.ArrowInvalid, OSError, EOFError):
            while not self._ended:
                frame = self._next_message()
                self._ended = not frame or frame == END_OF_STREAM


class _StreamReaderBatches:
    """pyarrow's stream reader, for the inputs :class:`FrameBatches` leaves to it."""

    __slots__ = ("_reader", "_validation", "read_next_batch_with_custom_metadata")

    def __init__(self, reader: ipc.RecordBatchStreamReader, validation: IpcValidation) -> None:
        self._reader = reader
        self._validation = validation
        self.read_next_batch_with_custom_metadata = reader.read_next_batch_with_custom_metadata

    @property
    def schema(self) -> pa.Schema:
        """The stream's schema, as pyarrow read it."""
        return self._reader.schema

    def drain(self) -> None:
        """Every remaining batch, validated and dropped, as vgi-rpc's own loop ends a stream."""
        with contextlib.suppress(pa.ArrowInvalid, OSError):
            _drain_stream(ValidatedReader(self._reader, self._validation))


def _is_message(frame: Frame) -> bool:
    """A whole metadata block after the prefix (a short or empty frame goes to pyarrow to report)."""
    if len(frame) < _PREFIX or frame == END_OF_STREAM:
        return False
    length: int = _I32.unpack_from(frame, 4)[0]
    return len(frame) >= _PREFIX + length > _PREFIX


def has_dictionary(schema: pa.Schema) -> bool:
    """Any dictionary-encoded column, at any depth."""
    return any(_type_has_dictionary(field.type) for field in schema)


def _type_has_dictionary(data_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(data_type):
        return True
    return any(_type_has_dictionary(data_type.field(i).type) for i in range(data_type.num_fields))


def declares_big_endian(frame: Frame) -> bool:
    """Whether a schema message says its buffers are big-endian (``Schema.endianness``, field 0).

    ``read_record_batch`` takes buffers as they are, where pyarrow's stream
    reader swaps a big-endian peer's data to native order; such a stream goes
    to the stream reader.  An absent field means little-endian, which is what
    pyarrow writes on every platform the host runs on.
    """
    try:
        (root,) = _U32.unpack_from(frame, _PREFIX)
        message = _PREFIX + root
        header_at = _field_offset(frame, message, _HEADER_SLOT)
        if not header_at:
            return False
        field = message + header_at
        schema = field + _U32.unpack_from(frame, field)[0]
        endianness_at = _field_offset(frame, schema, _ENDIANNESS_SLOT)
        return bool(endianness_at) and _I16.unpack_from(frame, schema + endianness_at)[0] != 0
    except struct.error:
        return True  # not a sane flatbuffer: the stream reader reports it


def _field_offset(frame: Frame, table: int, slot: int) -> int:
    """A flatbuffer table field's offset from the table (0 when absent), read from its vtable."""
    vtable = table - _I32.unpack_from(frame, table)[0]
    if _U16.unpack_from(frame, vtable)[0] <= slot:
        return 0
    offset: int = _U16.unpack_from(frame, vtable + slot)[0]
    return offset


def _carries_custom_metadata(frame: Frame) -> bool:
    """Whether the message's flatbuffer has a ``custom_metadata`` field (the frame reader's header walk)."""
    try:
        return message_fields(memoryview(frame)[_PREFIX:])[2]
    except ValueError:
        return True  # not a sane flatbuffer: the stream reader reports it
