"""`vgi-host serve`: speak the VGI protocol on stdin/stdout.

Kept free of typer and rich (see :mod:`vgi_host.cli.main`).  Two things here
protect the protocol channel:

* stdout is the Arrow IPC stream, so before any pack code runs the real stdout
  descriptor is moved aside for the protocol and descriptor 1 is pointed at
  stderr: a stray ``print`` in a pack, or a C library writing to fd 1, ends up
  in the log instead of corrupting the stream;
* both pipes are widened to 1 MiB where the kernel allows it, because at large
  batch sizes the default 64 KiB pipe dominates transfer time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
from collections.abc import Buffer
from pathlib import Path
from typing import IO

from vgi_host import __version__

log = logging.getLogger("vgi_host.serve")

_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux fcntl command; absent from the fcntl module on some builds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vgi-host serve",
        description=(
            "Speak the VGI protocol (vgi.v2 2.2.0) on stdin/stdout, serving every installed pack. "
            "DuckDB runs this for ATTACH 'packs' (TYPE vgi, LOCATION 'vgi-host serve')."
        ),
    )
    parser.add_argument(
        "--log-level",
        default=os.environ.get("VGI_HOST_LOG_LEVEL", "WARNING"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level (default: $VGI_HOST_LOG_LEVEL or WARNING)",
    )
    add_selection_arguments(parser)
    parser.add_argument("--version", action="version", version=f"vgi-host {__version__}")
    return parser


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The pack-selection options `serve` shares with `list` (see vgi_host.packs.selection)."""
    parser.add_argument(
        "-p",
        "--pack",
        action="append",
        default=[],
        metavar="NAME",
        help="serve only these packs (repeatable or comma-separated; overrides $VGI_HOST_PACKS)",
    )
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="NAME",
        help="never serve these packs (overrides $VGI_HOST_DISABLE)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default: $VGI_HOST_CONFIG or the user config dir)",
    )
    parser.add_argument(
        "--strict", action="store_true", default=None, help="any pack failure is a startup error"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="ignore the manifest cache: import every pack"
    )


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


class _WriteAll(io.RawIOBase):
    """Unbuffered writer on a descriptor that never returns a short write."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, data: Buffer, /) -> int:
        view = memoryview(data).cast("B")
        written = 0
        while written < len(view):
            written += os.write(self._fd, view[written:])
        return written


def _widen_pipe(fd: int) -> None:
    with contextlib.suppress(OSError, ImportError):
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", _F_SETPIPE_SZ), _PIPE_BYTES)


def _claim_stdout() -> int:
    """Move the protocol stream off descriptor 1 and send fd 1 to stderr."""
    protocol_fd = os.dup(sys.stdout.fileno())
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return protocol_fd


def serve_main(argv: list[str]) -> int:
    """Run the serve loop until the client closes stdin; return the exit code."""
    options = _parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=options.log_level, format="vgi-host[%(process)d] %(levelname)s %(message)s"
    )
    protocol_fd = _claim_stdout()
    reader: IO[bytes] = os.fdopen(sys.stdin.fileno(), "rb", closefd=False)
    for fd in (sys.stdin.fileno(), protocol_fd):
        _widen_pipe(fd)

    from vgi_host.host.registry import PackRegistry
    from vgi_host.packs.selection import ConfigError, resolve_selection

    try:
        selection = resolve_selection(
            enable=_split(options.pack),
            disable=_split(options.disable),
            strict=options.strict,
            config=options.config,
        )
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    registry = PackRegistry.load(selection=selection, use_cache=not options.no_cache)
    for record in registry.failed:
        log.warning(
            "pack %s (%s %s) not served: %s", record.name, record.distribution, record.version, record.error
        )
    if selection.strict and registry.failed:
        log.error("--strict: %d pack(s) failed; not serving", len(registry.failed))
        return 1

    from vgi_rpc import PipeTransport

    from vgi_host.runtime.server import build_server

    server, _ = build_server(registry)
    try:
        server.serve(PipeTransport(reader, _WriteAll(protocol_fd)))  # type: ignore[arg-type]
    except KeyboardInterrupt:
        return 130
    return 0
