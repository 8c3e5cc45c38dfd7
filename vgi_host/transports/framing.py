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

The connection's reader and writer
(:class:`~vgi_host.transports.frame_reader.GuardedReader`,
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
import threading
from collections.abc import Buffer
from typing import Any

import pyarrow as pa
from vgi_rpc.log import Message

from vgi_host.transports.frame_reader import CONTINUATION, GuardedReader, ProtocolStreamError
from vgi_host.transports.stream_loop import StreamLoopServer

log = logging.getLogger("vgi_host.transport")

_EMPTY_SCHEMA = pa.schema([])


_BYTE_SIZED = (bytes, bytearray, pa.Buffer)
"""Buffers whose ``len`` is their size in bytes (a memoryview's counts its items)."""


class CountingWriter(io.RawIOBase):
    """The connection's output: unbuffered, never a short write, counts what was written."""

    __slots__ = ("_fd", "written")  # see GuardedReader.__slots__: written once per answer

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
        done = os.write(self._fd, data)
        size = len(data) if isinstance(data, _BYTE_SIZED) else memoryview(data).nbytes
        if done < size:  # a pipe or socket took part of it: write the rest
            view = memoryview(data).cast("B")
            while done < size:
                done += os.write(self._fd, view[done:])
        self.written += size
        return size


_HANG_UPS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


def describe_failure(exc: BaseException, reader: GuardedReader) -> str:
    """One sentence for a request that could not be read (no traceback, no paths)."""
    if isinstance(exc, ProtocolStreamError):
        return str(exc)
    request_bytes = reader.request_bytes
    head = reader.request_head
    if len(head) >= 4 and not head.startswith(CONTINUATION):
        return f"the input is not an Arrow IPC stream (a request starts with {head[:8]!r})"
    if isinstance(exc, StopIteration):
        return "a request stream ended without its request batch"
    if request_bytes == 8 and head == CONTINUATION + b"\x00\x00\x00\x00":
        return "an end-of-stream marker arrived where a request was expected"
    if reader.at_eof and request_bytes == 0:
        return "the input ended in the middle of the previous request's stream"
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


class _HeldRecords(logging.Filter):
    """Holds vgi-rpc's records about failed stream reads until the stream's fate is known.

    When a data stream breaks in the middle of a call, vgi-rpc logs the read
    failure as the method's error ("Error in vgi.v2.init: Invalid flatbuffers
    message."), answers it, and reads on; the policy then stops at the next
    request and logs why.  Records whose exception is a read failure (an
    ``OSError``, a pyarrow error or a :class:`ProtocolStreamError`, never a
    pack's :class:`~vgi_host.errors.FunctionError`) are therefore held, per
    thread, until the following request ends: logged at DEBUG when the stream
    broke, emitted unchanged when it did not.  Every other record passes at once.
    """

    _READ_FAILURES = (OSError, EOFError, pa.ArrowException, ProtocolStreamError)

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def _held(self) -> list[tuple[int, logging.LogRecord]]:
        held: list[tuple[int, logging.LogRecord]] | None = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = []
        return held

    def begin(self, request: int) -> None:
        """Request number ``request`` starts on this thread."""
        self._local.request = request

    def settle(self, request: int, stream_broke: bool) -> None:
        """Request ``request`` ended: drop everything held if the stream broke, else emit older records."""
        keep: list[tuple[int, logging.LogRecord]] = []
        self._local.releasing = True
        try:
            for held_in, record in self._held():
                if stream_broke:
                    log.debug("before the stream broke: %s", record.getMessage())
                elif held_in < request:
                    logging.getLogger(record.name).handle(record)
                else:
                    keep.append((held_in, record))
        finally:
            self._local.releasing = False
        self._local.held = keep

    def filter(self, record: logging.LogRecord) -> bool:
        """Hold warnings and errors about failed reads; let everything else through."""
        error = record.exc_info[1] if record.exc_info else None
        if record.levelno < logging.WARNING or not isinstance(error, self._READ_FAILURES):
            return True
        if getattr(self._local, "releasing", False):
            return True
        self._held().append((getattr(self._local, "request", 0), record))
        return False


_RPC_LOGGER = "vgi_rpc.rpc"
_held = _HeldRecords()


class FramingPolicyServer(StreamLoopServer):
    """vgi-rpc's server with the host's policy for unreadable requests (see module docs).

    Stream calls run in the host's per-batch loop
    (:class:`~vgi_host.transports.stream_loop.StreamLoopServer`).

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
        rpc_log = logging.getLogger(_RPC_LOGGER)
        if _held not in rpc_log.filters:
            rpc_log.addFilter(_held)
        self._requests = getattr(self, "_requests", 0) + 1
        _held.begin(self._requests)
        try:
            self._serve_one_under_policy(transport, shm_cache, reader, writer, started_out)
        except BaseException:
            _held.settle(self._requests, stream_broke=reader.failure is not None)
            raise
        _held.settle(self._requests, stream_broke=False)

    def _serve_one_under_policy(
        self, transport: Any, shm_cache: Any, reader: GuardedReader, writer: CountingWriter, started_out: int
    ) -> None:
        try:
            super().serve_one(transport, shm_cache=shm_cache)
        except _HANG_UPS:
            log.debug("the client hung up while a reply was being written")
            raise EOFError from None
        except Exception as exc:
            if reader.request_bytes == 0 and reader.at_eof and not reader.truncated:
                log.debug("the client closed the connection")
                raise EOFError from None
            reason = describe_failure(exc, reader)
            reader.failure = reason
            log.debug("unreadable request", exc_info=True)
            if writer.written == started_out:
                write_error_reply(writer, reason)
            raise EOFError from None
