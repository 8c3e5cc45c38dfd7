"""The pipe transport: the protocol on stdin/stdout of a process DuckDB (or a client) started.

Three things happen here, in this order:

* a person who runs ``vgi-host serve`` at a terminal gets a one-line hint
  instead of a process silently waiting for binary input (:func:`terminal_hint`);
* :class:`PipeEndpoint` claims the protocol descriptors before any pack code
  runs: the real stdout is moved aside for the protocol and descriptor 1 is
  pointed at stderr, so a stray ``print`` in a pack or a C library writing to
  fd 1 lands in the log instead of corrupting the stream; both pipes are
  widened to 1 MiB where the kernel allows it, because at large batch sizes
  the default 64 KiB pipe dominates transfer time;
* :meth:`PipeEndpoint.serve` runs vgi-rpc's serve loop under the host's
  framing policy (:mod:`vgi_host.transports.framing`) and turns how the
  stream ended into the exit status: 0 for a clean close, 1 (after one line
  on stderr) for a stream that could not be read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from dataclasses import dataclass
from typing import IO

from vgi_rpc import PipeTransport, RpcServer

from vgi_host.transports.frame_reader import DEFAULT_MAX_FRAME_BYTES, GuardedReader
from vgi_host.transports.framing import CountingWriter

log = logging.getLogger("vgi_host.serve")

EXIT_CLEAN = 0
EXIT_BROKEN_STREAM = 1
EXIT_INTERRUPTED = 130

_PIPE_BYTES = 1 << 20
INPUT_BUFFER_BYTES = 1 << 16
"""The input's read buffer: a 2,048-row batch's head, metadata and body in one ``read`` from the pipe."""
_F_SETPIPE_SZ = 1031  # Linux fcntl command; absent from the fcntl module on some builds

TERMINAL_HINT = (
    "vgi-host serve speaks the VGI protocol (Arrow IPC) on stdin/stdout for DuckDB; it is not "
    "interactive. Use it from DuckDB: ATTACH 'packs' (TYPE vgi, LOCATION 'vgi-host serve'); "
    "see vgi-host serve --help, or vgi-host list to see the installed packs."
)


def terminal_hint(stdin: IO[str] | None = None) -> str | None:
    """The hint to print when stdin is a terminal (nobody will send Arrow IPC there), else None."""
    stream = sys.stdin if stdin is None else stdin
    try:
        interactive = stream is not None and stream.isatty()
    except (ValueError, OSError):
        interactive = False
    return TERMINAL_HINT if interactive else None


def _widen_pipe(fd: int) -> None:
    with contextlib.suppress(OSError, ImportError):
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", _F_SETPIPE_SZ), _PIPE_BYTES)


@dataclass
class PipeEndpoint:
    """The protocol's input and output on this process's standard descriptors."""

    reader: GuardedReader
    writer: CountingWriter

    @classmethod
    def claim(cls, max_frame: int = DEFAULT_MAX_FRAME_BYTES) -> PipeEndpoint:
        """Take stdin/stdout for the protocol; from now on fd 1 and ``sys.stdout`` are stderr."""
        protocol_fd = os.dup(sys.stdout.fileno())
        sys.stdout.flush()
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        sys.stdout = sys.stderr
        stdin_fd = sys.stdin.fileno()
        for fd in (stdin_fd, protocol_fd):
            _widen_pipe(fd)
        raw = os.fdopen(stdin_fd, "rb", buffering=INPUT_BUFFER_BYTES, closefd=False)
        return cls(GuardedReader(raw, max_frame), CountingWriter(protocol_fd))

    def serve(self, server: RpcServer) -> int:
        """Serve until the client closes the stream; the exit status for how it ended."""
        try:
            server.serve(PipeTransport(self.reader, self.writer))
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        if self.reader.failure is not None:
            log.error("stopped serving: %s", self.reader.failure)
            return EXIT_BROKEN_STREAM
        return EXIT_CLEAN
