"""Reading the protocol stream one Arrow IPC frame at a time, before pyarrow sees it.

pyarrow's stream reader trusts every length a peer declares and treats the
bytes it is given as one stream.  :class:`GuardedReader` sits between the
connection and pyarrow and follows the encapsulated-message framing itself,
which lets the host refuse oversized frames before allocating them, end a
stream the client abandoned, and tell a clean close from a broken request.
What the host then does about a broken request is :mod:`vgi_host.transports.framing`.
"""

from __future__ import annotations

import io
import logging
import os
import struct
from collections import deque
from collections.abc import Buffer, Callable
from typing import IO, ClassVar

from vgi_rpc import Code

log = logging.getLogger("vgi_host.transport")

DEFAULT_MAX_FRAME_BYTES = 2 << 30
"""The largest declared metadata or body length read by default (2 GiB)."""

ENV_MAX_FRAME = "VGI_HOST_MAX_FRAME_BYTES"


class ProtocolStreamError(Exception):
    """A request could not be read from the protocol stream; the connection cannot continue.

    The message is what the operator reads on stderr and the client reads in
    the error reply, so it says what was wrong, never how the reader failed.
    """

    error_code: ClassVar[Code] = Code.INVALID_ARGUMENT


class FrameTooLargeError(ProtocolStreamError):
    """A frame declared a length above the configured maximum; refused before allocating it."""


def max_frame_bytes(environ: dict[str, str] | None = None) -> int:
    """``$VGI_HOST_MAX_FRAME_BYTES`` (a positive integer), else :data:`DEFAULT_MAX_FRAME_BYTES`.

    Raises:
        ValueError: the variable is set to something that is not a positive integer.

    """
    raw = (os.environ if environ is None else environ).get(ENV_MAX_FRAME, "").strip()
    if not raw:
        return DEFAULT_MAX_FRAME_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{ENV_MAX_FRAME}={raw!r} is not a positive number of bytes")
    return value


Frame = bytes | bytearray
"""One encapsulated IPC message as :meth:`GuardedReader.next_message` hands it over."""

CONTINUATION = b"\xff\xff\xff\xff"
END_OF_STREAM = CONTINUATION + b"\x00\x00\x00\x00"
_SCHEMA_MESSAGE = 1
_U16, _U32, _I32, _I64 = struct.Struct("<H"), struct.Struct("<I"), struct.Struct("<i"), struct.Struct("<q")


def message_header(metadata: bytes | memoryview) -> tuple[int, int]:
    """``(header type, body length)`` of an encapsulated IPC message's flatbuffer metadata.

    Reads the two fields the framing needs straight from the flatbuffer
    (``Message.header_type`` is field 1, ``Message.bodyLength`` field 3), so
    the reader can check a body's declared length and notice a new stream
    without handing the bytes to pyarrow first.

    Raises:
        ValueError: the bytes are not a flatbuffer table with sane offsets.

    """
    header_type, body_length, _ = message_fields(metadata)
    return header_type, body_length


def message_fields(metadata: bytes | memoryview) -> tuple[int, int, bool]:
    """:func:`message_header` and whether the message carries custom metadata (field 4).

    Raises:
        ValueError: the bytes are not a flatbuffer table with sane offsets.

    """
    try:
        (root,) = _U32.unpack_from(metadata, 0)
        (back,) = _I32.unpack_from(metadata, root)
        vtable = root - back
        (vtable_size,) = _U16.unpack_from(metadata, vtable)
        # a field's slot in the vtable is 4 + 2 * index; absent (offset 0) past the vtable's end
        (type_at,) = _U16.unpack_from(metadata, vtable + 6) if vtable_size >= 8 else (0,)
        (length_at,) = _U16.unpack_from(metadata, vtable + 10) if vtable_size >= 12 else (0,)
        (custom_at,) = _U16.unpack_from(metadata, vtable + 12) if vtable_size >= 14 else (0,)
        header_type = metadata[root + type_at] if type_at else 0
        (body_length,) = _I64.unpack_from(metadata, root + length_at) if length_at else (0,)
    except (struct.error, IndexError) as exc:
        raise ValueError("not an IPC message header") from exc
    return header_type, body_length, custom_at != 0


class GuardedReader(io.RawIOBase):
    """The connection's input, read one IPC message frame at a time.

    The reader follows the encapsulated message framing itself (continuation
    marker, metadata length, flatbuffer metadata, body) before pyarrow sees a
    byte.  That gives the host three things vgi-rpc's reader cannot:

    * a declared metadata or body length above the maximum is refused before
      anything is allocated for it, and large bodies are read in chunks, so
      memory grows with the bytes that really arrive;
    * a new stream's schema arriving while the previous stream is still open
      (a client that abandoned a result stream and sent its next request) is
      answered by ending the open stream: pyarrow is handed an end-of-stream
      marker and the schema is kept for the next request, so the worker
      resynchronises instead of reading the request as garbage;
    * end of input exactly where a request would start raises ``EOFError``
      (the clean close vgi-rpc ends its loop on) instead of pyarrow's "invalid
      stream" error, which vgi-rpc would answer with a reply nobody reads.

    The counters (:attr:`consumed`, :attr:`at_eof`, :attr:`request_head`) let
    :class:`FramingPolicyServer` tell a clean close from a broken request.
    """

    CHUNK = 1 << 20

    __slots__ = (
        "_body_left",
        "_broken",
        "_framed",
        "_known_fields",
        "_known_metadata",
        "_raw",
        "_read1",
        "_read_into",
        "_repeat_head",
        "_repeat_plain",
        "_repeat_size",
        "_replay",
        "_stream_open",
        "abandoned_streams",
        "at_eof",
        "consumed",
        "failure",
        "frame_is_plain",
        "max_frame",
        "request_bytes",
        "request_head",
        "truncated",
    )
    """Slots, although ``RawIOBase`` keeps a ``__dict__``: on its subclasses an attribute in the
    instance dict costs about three times a slot's, and the per-batch path reads a dozen of them."""

    def __init__(self, raw: IO[bytes], max_frame: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        super().__init__()
        self._raw = raw
        self.max_frame = max_frame
        self.consumed = 0
        """Bytes taken from the input so far."""
        self.at_eof = False
        """The input has ended."""
        self.failure: str | None = None
        """Why the stream broke, once it has (set by :class:`FramingPolicyServer`)."""
        self.request_bytes = 0
        """Bytes of the current request taken so far."""
        self.request_head = b""
        """The first bytes of the current request (to tell 'not Arrow IPC' from 'truncated')."""
        self.abandoned_streams = 0
        """Streams the client left open and the reader ended for it."""
        self.truncated = False
        """The input ended inside a frame or an unfinished stream (so no later close is clean)."""
        self._framed: deque[bytes] = deque()
        """The framed message's pieces not yet handed to pyarrow, in the sizes pyarrow asks for them."""
        self._body_left = 0
        self._replay = b""
        self._stream_open = False
        self._broken: ProtocolStreamError | None = None
        self.frame_is_plain = False
        """The last :meth:`next_message` frame is known to be a message without custom metadata."""
        self._known_metadata = b""
        self._known_fields = (-1, -1, True)
        self._read_into: Callable[[memoryview], int | None] = self._read_copy
        self._read1: Callable[[int], bytes] | None = None
        """A buffered reader's ``read1`` (what the repeated-frame path needs); ``None`` for other inputs."""
        if isinstance(raw, io.BufferedReader):
            self._read_into, self._read1 = raw.readinto, raw.read1
        self._repeat_head = b""
        """Head (prefix and metadata) of a batch frame that came twice in a row; empty when none did."""
        self._repeat_size = 0
        self._repeat_plain = False

    def _read_copy(self, view: memoryview) -> int:
        """``readinto`` for an input without a buffered reader's (its ``read`` may come back short)."""
        data = self._raw.read(len(view))
        view[: len(data)] = data
        return len(data)

    def begin_request(self) -> None:
        """A new request starts at the current position."""
        self.request_bytes = 0
        self.request_head = b""

    def readable(self) -> bool:
        """Always: this is the connection's input."""
        return True

    def fileno(self) -> int:
        """The underlying descriptor (pyarrow and the pipe widening look at it)."""
        return self._raw.fileno()

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to ``size`` bytes of the framed stream (fewer only at end of input).

        pyarrow reads a message as continuation marker, length, metadata and
        body, and the framing queues exactly those pieces, so a read usually
        hands over one queued piece as it is, without copying it.
        """
        if self._broken is not None:
            raise self._broken
        if size is None or size < 0:
            raise self._refuse("the reader was asked for an unbounded read")
        framed = self._framed
        if framed and len(framed[0]) == size:
            return framed.popleft()
        parts: list[bytes] = []
        wanted = size
        while wanted > 0:
            if framed:
                part = framed.popleft()
                if len(part) > wanted:
                    framed.appendleft(part[wanted:])
                    part = part[:wanted]
            elif self._body_left:
                part = self._take(min(wanted, self._body_left))
                self._body_left -= len(part)
                if not part:
                    break
            elif not self._next_message():
                break
            else:
                continue
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    def readinto(self, buffer: Buffer, /) -> int:
        """Fill ``buffer`` through :meth:`read`, so the same framing and limits apply."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def next_message(self) -> Frame:
        """The stream's next message as one encapsulated frame, for a caller that decodes it itself.

        The per-batch loop (:mod:`vgi_host.transports.stream_loop`) decodes
        each batch with ``pyarrow.ipc.read_record_batch`` instead of letting
        pyarrow's stream reader pull the four pieces of every message through
        :meth:`read`: same framing, limits and abandoned-stream handling,
        a quarter of the Python calls.  An end-of-stream marker comes back as
        its 8 bytes (:data:`END_OF_STREAM`); a frame cut short by the end of
        input comes back short, for pyarrow to report; no bytes at all means
        the input ended between two messages (pyarrow's reader ends the
        stream there too).  Only at a message boundary (nothing of a message
        handed out through :meth:`read`).

        Raises:
            EOFError: the input ended where a request would start (a clean close).

        """
        frame = self.next_batch_frame()
        if frame is not None:
            return frame
        if self._broken is not None:
            raise self._broken
        framed = self._framed
        self.frame_is_plain = False
        if not framed and not self._body_left and not self._next_message():
            return b""
        parts = list(framed)
        framed.clear()
        if self._body_left:
            body = self._take(self._body_left)
            self._body_left = 0
            parts.append(body)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def next_batch_frame(self) -> Frame | None:
        """:meth:`next_message` for its common case, or ``None`` (then call :meth:`next_message`).

        Inside a request, with nothing queued, the next message is usually a
        record batch whose body fits in one chunk.  This is the per-batch
        loop's input path, so it is written out in one method: each call or
        attribute saved here is saved on every batch of every stream.  Anything
        else - an end-of-stream marker, a schema, a short read, a length
        outside the limits, a large body - puts the bytes read back in front
        of the input and answers ``None``, so the general framing
        (:meth:`_next_message`) sees them from the start and decides, with its
        own checks and messages.  ``frame_is_plain`` tells whether the frame
        carries custom metadata.
        """
        if self._framed or self._body_left or self._replay or self.request_bytes < 8 or self._broken:
            return None
        if self._repeat_head:
            return self._next_repeated_frame()
        read = self._raw.read
        head = read(8)
        taken: bytes = head
        if len(head) == 8 and head.startswith(CONTINUATION):
            (length,) = _I32.unpack_from(head, 4)
            if 0 < length <= self.max_frame:
                metadata = read(length)
                taken = head + metadata
                if len(metadata) == length:
                    repeated = metadata == self._known_metadata
                    if repeated:
                        header_type, body_length, custom = self._known_fields
                    else:
                        header_type, body_length, custom = self._fields_of(metadata)
                    within = 0 <= body_length <= self.CHUNK and body_length <= self.max_frame
                    if header_type != _SCHEMA_MESSAGE and within:
                        start = 8 + length
                        frame = bytearray(start + body_length)
                        frame[:start] = taken
                        got = self._read_into(memoryview(frame)[start:]) if body_length else 0
                        if got == body_length:
                            size = start + body_length
                            self.consumed += size
                            self.request_bytes += size
                            self.frame_is_plain = not custom
                            if repeated and self._read1 is not None:  # the stream repeats this frame's shape
                                self._repeat_head, self._repeat_size = taken, size
                                self._repeat_plain = not custom
                            return frame
                        taken = bytes(frame[: start + (got or 0)])
        self._put_back(taken)
        return None

    def _next_repeated_frame(self) -> Frame | None:
        """:meth:`next_batch_frame` once the stream repeats a frame's head: one read, one comparison.

        A stream of fixed-width columns sends every full batch with
        byte-identical prefix and metadata, which the checks above have
        already passed once; the next frame is read whole with one buffered
        ``read1`` (never more than that frame's size, never waiting for more
        bytes than have arrived) and compared with that head.  Only bytes that
        a prefix or head already read declares are waited for, as the general
        framing would: a shorter message (the end-of-stream marker) never
        blocks here.  A frame that differs goes back in front of the input,
        and the stream returns to reading heads one by one.
        """
        known = self._repeat_head
        size = self._repeat_size
        data = self._read1(size)  # type: ignore[misc]  # set whenever a head repeats
        if len(data) < len(known) and known.startswith(data):
            read = self._raw.read
            if len(data) < 8:
                data += read(8 - len(data))  # the prefix: every message has one
            if 8 <= len(data) < len(known) and known.startswith(data):
                data += read(len(known) - len(data))  # the metadata that prefix declares
        if data.startswith(known):
            if len(data) < size:
                data += self._raw.read(size - len(data))  # the body that metadata declares
            if len(data) == size:
                self.consumed += size
                self.request_bytes += size
                self.frame_is_plain = self._repeat_plain
                return data
        self._repeat_head = b""
        self._put_back(data)
        return None

    def _put_back(self, taken: bytes) -> None:
        """Bytes the fast path took but does not answer: the general framing reads them first."""
        self.consumed += len(taken)
        self._replay = taken  # nothing was queued, so nothing is ahead of them
        self.frame_is_plain = False

    def _fields_of(self, metadata: bytes) -> tuple[int, int, bool]:
        """:func:`message_fields`, remembered for the last metadata seen (invalid: ``(-1, -1, True)``).

        A stream's fixed-width batches of one size carry byte-identical
        metadata, so one comparison usually replaces the flatbuffer walk.
        """
        if metadata == self._known_metadata:
            return self._known_fields
        try:
            fields = message_fields(metadata)
        except ValueError:
            return -1, -1, True
        self._known_metadata, self._known_fields = metadata, fields
        return fields

    def push_back(self, message: Frame) -> None:
        """Hand ``message`` (a stream's schema, just taken by :meth:`next_message`) to the next reader.

        The loop returns a schema it will not decode itself (one with
        dictionary-encoded columns) so that pyarrow's stream reader, reading
        through :meth:`read`, starts the same stream from its first byte.
        """
        self._replay = bytes(message) + self._replay
        self._stream_open = False
        self.request_bytes -= len(message)  # counted again when replayed

    # ------------------------------------------------------------ framing ----

    def _refuse(
        self, reason: str, error: type[ProtocolStreamError] = ProtocolStreamError
    ) -> ProtocolStreamError:
        self._broken = error(reason)
        return self._broken

    def _take(self, size: int) -> bytes:
        """Up to ``size`` bytes from the input (replayed bytes first), in bounded chunks."""
        parts: list[bytes] = []
        if not self._replay and 0 < size <= self.CHUNK:
            part = self._raw.read(size)  # the usual case: all of it in one read
            if part:
                self.consumed += len(part)
                self.request_bytes += len(part)
                if len(self.request_head) < 8:
                    self.request_head += part[: 8 - len(self.request_head)]
                if len(part) == size:
                    return part
                parts.append(part)
                size -= len(part)
        while size > 0:
            if self._replay:
                part, self._replay = self._replay[:size], self._replay[size:]
            else:
                part = self._raw.read(min(size, self.CHUNK))
                if not part:
                    self.at_eof = True
                    break
                self.consumed += len(part)
            self.request_bytes += len(part)
            if len(self.request_head) < 8:
                self.request_head += part[: 8 - len(self.request_head)]
            parts.append(part)
            size -= len(part)
        if size > 0:
            self.truncated = True
        return b"".join(parts)

    def _next_message(self) -> bool:
        """Frame the next message into :attr:`_framed`; False at end of input.

        A body up to :attr:`CHUNK` bytes is read with its message, so pyarrow's
        four reads of a batch are served from the queue; a larger body is
        passed on in chunks as pyarrow asks for it.
        """
        at_request_start = self.request_bytes == 0
        head = self._take(8)
        if not head:
            if at_request_start and not self._stream_open:
                self.truncated = False
                raise EOFError("the client closed the connection")
            return False
        framed = self._framed
        if len(head) < 4:
            framed.append(head)  # the input ended inside a frame: pyarrow reports the truncation
            return True
        if head[:4] != CONTINUATION:
            raise self._refuse(f"the input is not an Arrow IPC stream (a message starts with {head[:4]!r})")
        if len(head) < 8:
            framed.append(head)
            return True
        (length,) = _I32.unpack_from(head, 4)
        if length == 0:
            self._stream_open = False
            framed.append(head)
            return True
        if length < 0 or length > self.max_frame:
            raise self._refuse(self._too_large("message metadata", length), FrameTooLargeError)
        metadata = self._take(length)
        if len(metadata) < length:
            framed.extend((head, metadata) if metadata else (head,))
            return True
        try:
            header_type, body_length = message_header(metadata)
        except ValueError:
            framed.extend((head, metadata))  # pyarrow reports the malformed metadata
            return True
        if body_length < 0 or body_length > self.max_frame:
            raise self._refuse(self._too_large("message body", body_length), FrameTooLargeError)
        if header_type == _SCHEMA_MESSAGE:
            if self._stream_open:
                self._end_abandoned_stream(head + metadata)
                return True
            self._stream_open = True
        framed.extend((head[:4], head[4:], metadata))
        if body_length > self.CHUNK:
            self._body_left = body_length
        elif body_length:
            body = self._take(body_length)
            if body:
                framed.append(body)
        return True

    def _end_abandoned_stream(self, schema_message: bytes) -> None:
        """A schema arrived inside an open stream: end that stream, keep the schema for later."""
        self._replay = schema_message + self._replay
        self._framed.append(END_OF_STREAM)
        self._stream_open = False
        self.abandoned_streams += 1
        log.info("the client abandoned a stream and sent a new one; ended the open stream and continued")

    def _too_large(self, what: str, declared: int) -> str:
        return (
            f"the client declared {what} of {declared:,} bytes, outside the allowed 0..{self.max_frame:,} "
            f"(set {ENV_MAX_FRAME} to change the maximum)"
        )
