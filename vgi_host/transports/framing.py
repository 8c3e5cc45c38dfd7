"""One policy for a protocol stream that cannot be read, for every stream transport.

vgi-rpc's serve loop answers a malformed request in some cases and lets the
exception escape (or ends silently) in others.  The host wants one rule,
whatever broke:

* a clean close (end of input exactly between two requests) ends the
  connection normally;
* anything else that stops a request from being read (truncated frames, bytes
  that are not Arrow IPC, an end-of-stream marker or a bare schema where a
  request should be, a declared length above the configured maximum) ends the
  connection with one reason recorded, after an error reply when nothing of the
  reply has been written yet (so a client waiting for an answer gets one);
* a client that hangs up while a reply is being written just ends the
  connection.

The connection's reader and writer (:class:`GuardedReader`,
:class:`CountingWriter`) measure where each request starts and whether any
reply bytes followed; :class:`FramingPolicyServer` wraps vgi-rpc's
``serve_one`` with the rule above and stops the serve loop by raising the
``EOFError`` vgi-rpc already treats as "connection over".
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Buffer
from typing import IO, Any, ClassVar

import pyarrow as pa
from vgi_rpc import Code, RpcServer
from vgi_rpc.log import Message

log = logging.getLogger("vgi_host.transport")

DEFAULT_MAX_FRAME_BYTES = 2 << 30
"""The largest declared metadata or body length read by default (2 GiB)."""

ENV_MAX_FRAME = "VGI_HOST_MAX_FRAME_BYTES"

_EMPTY_SCHEMA = pa.schema([])


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


class GuardedReader(io.RawIOBase):
    """The connection's input: counts bytes, notices end of input, refuses oversized reads.

    pyarrow reads an IPC message by asking for exactly the declared metadata
    length and then exactly the declared body length, so refusing a single
    ``read(n)`` above the maximum refuses the frame before its buffer exists.
    Large reads below the maximum are gathered in chunks, so memory grows with
    the bytes that really arrive, not with what a header claims.  Once a frame
    is refused the stream is out of step for good, so every later read fails
    the same way.

    The policy server calls :meth:`begin_request` before each request: end of
    input right there is a clean close and raises ``EOFError`` at once (before
    pyarrow turns it into an "invalid stream" error, which vgi-rpc would answer
    with an error reply nobody reads).
    """

    CHUNK = 1 << 20

    def __init__(self, raw: IO[bytes], max_frame: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        super().__init__()
        self._raw = raw
        self.max_frame = max_frame
        self.consumed = 0
        """Bytes read so far."""
        self.at_eof = False
        """The last read hit the end of input."""
        self.failure: str | None = None
        """Why the stream broke, once it has (set by :class:`FramingPolicyServer`)."""
        self.request_start = 0
        self.request_head = b""
        """The first bytes of the current request (to tell 'not Arrow IPC' from 'truncated')."""
        self._refused: FrameTooLargeError | None = None

    def begin_request(self) -> None:
        """A new request starts at the current position."""
        self.request_start = self.consumed
        self.request_head = b""

    def readable(self) -> bool:
        """Always: this is the connection's input."""
        return True

    def fileno(self) -> int:
        """The underlying descriptor (pyarrow and the pipe widening look at it)."""
        return self._raw.fileno()

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to ``size`` bytes; refuses ``size`` above the maximum (or unbounded) before reading."""
        if self._refused is not None:
            raise self._refused
        if size is None or size < 0 or size > self.max_frame:
            wanted = "an unbounded read" if size is None or size < 0 else f"a frame of {size:,} bytes"
            self._refused = FrameTooLargeError(
                f"the client declared {wanted}, above the maximum of {self.max_frame:,} bytes "
                f"(set {ENV_MAX_FRAME} to change it)"
            )
            raise self._refused
        data = self._raw.read(size) if size <= self.CHUNK else self._read_chunked(size)
        if size > 0 and not data and self.consumed == self.request_start:
            self.at_eof = True
            raise EOFError("the client closed the connection")
        self.consumed += len(data)
        self.at_eof = size > 0 and len(data) < size
        if len(self.request_head) < 8:
            self.request_head += data[: 8 - len(self.request_head)]
        return data

    def _read_chunked(self, size: int) -> bytes:
        parts: list[bytes] = []
        remaining = size
        while remaining > 0:
            part = self._raw.read(min(remaining, self.CHUNK))
            if not part:
                break
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)

    def readinto(self, buffer: Buffer, /) -> int:
        """Fill ``buffer`` through :meth:`read`, so the same limit and counting apply."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)


class CountingWriter(io.RawIOBase):
    """The connection's output: unbuffered, never a short write, counts what was written."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.written = 0

    def writable(self) -> bool:
        """Always: this is the connection's output."""
        return True

    def fileno(self) -> int:
        """The protocol descriptor."""
        return self._fd

    def write(self, data: Buffer, /) -> int:
        """Write all of ``data`` (retrying short writes); return its length."""
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        self.written += done
        return done


_HANG_UPS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


_CONTINUATION = b"\xff\xff\xff\xff"


def describe_failure(exc: BaseException, reader: GuardedReader) -> str:
    """One sentence for a request that could not be read (no traceback, no paths)."""
    if isinstance(exc, ProtocolStreamError):
        return str(exc)
    request_bytes = reader.consumed - reader.request_start
    head = reader.request_head
    if len(head) >= 4 and not head.startswith(_CONTINUATION):
        return f"the input is not an Arrow IPC stream (a request starts with {head[:8]!r})"
    if isinstance(exc, StopIteration):
        return "a request stream ended without its request batch"
    if request_bytes == 8 and head == _CONTINUATION + b"\x00\x00\x00\x00":
        return "an end-of-stream marker arrived where a request was expected"
    if reader.at_eof:
        return f"the input ended in the middle of a request ({request_bytes:,} bytes of it were read)"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no detail"
    return f"the input is not a valid Arrow IPC request stream ({type(exc).__name__}: {detail[:200]})"


def write_error_reply(writer: io.RawIOBase, message: str) -> None:
    """Answer the current request with an error stream carrying ``message`` (best effort)."""
    fields = Message.from_exception(ProtocolStreamError(message), include_traceback=False).add_to_metadata()
    metadata = pa.KeyValueMetadata({key.encode(): value.encode() for key, value in fields.items()})
    batch = pa.RecordBatch.from_arrays([], schema=_EMPTY_SCHEMA)
    with (
        contextlib.suppress(OSError, ValueError, pa.ArrowException),
        pa.ipc.new_stream(writer, _EMPTY_SCHEMA) as stream,
    ):
        stream.write_batch(batch, custom_metadata=metadata)


class FramingPolicyServer(RpcServer):
    """vgi-rpc's server with the host's policy for unreadable requests (see module docs).

    The policy applies when the transport's reader is a :class:`GuardedReader`
    and its writer a :class:`CountingWriter`; other transports are served
    exactly as vgi-rpc serves them.
    """

    def serve_one(self, transport: Any, *, shm_cache: Any = None) -> None:
        """Serve one request; turn an unreadable one into a recorded, answered end of connection."""
        reader, writer = transport.reader, transport.writer
        if not isinstance(reader, GuardedReader) or not isinstance(writer, CountingWriter):
            super().serve_one(transport, shm_cache=shm_cache)
            return
        reader.begin_request()
        started_out = writer.written
        try:
            super().serve_one(transport, shm_cache=shm_cache)
        except _HANG_UPS:
            log.debug("the client hung up while a reply was being written")
            raise EOFError from None
        except Exception as exc:
            if reader.consumed == reader.request_start and reader.at_eof:
                log.debug("the client closed the connection")
                raise EOFError from None
            reason = describe_failure(exc, reader)
            reader.failure = reason
            log.debug("unreadable request", exc_info=True)
            if writer.written == started_out:
                write_error_reply(writer, reason)
            raise EOFError from None
