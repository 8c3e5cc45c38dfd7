"""Starting and stopping one ``vgi-host serve`` for a test, with an environment of its own.

The host is a real subprocess, spawned with an explicit environment (the
parent's ``os.environ`` is read, never changed, so tests running in threads
cannot see each other's settings).  Readiness is the protocol itself: the
first call blocks until the host answers it.  Stopping closes the host's
stdin — the end of the stream DuckDB also sends — waits for the process to
exit and for its stderr to be read to the end, so the log a failure message
quotes is complete.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast

from vgi_rpc import PipeTransport, RpcConnection

from vgi_host.protocol.service import VgiProtocol

__all__ = ["HostProcess", "default_serve_argv", "host_environment"]

# The host's environment variables (see docs/configuration.md).
ENV_PACKS = "VGI_HOST_PACKS"
ENV_DISABLE = "VGI_HOST_DISABLE"
ENV_CONFIG = "VGI_HOST_CONFIG"
ENV_STRICT = "VGI_HOST_STRICT"
ENV_STATE_DB = "VGI_HOST_STATE_DB"
ENV_CACHE_DIR = "VGI_HOST_CACHE_DIR"

EXIT_TIMEOUT_SECONDS = 10.0
"""How long a host may take to exit after its stdin closes before it is killed."""


def default_serve_argv() -> list[str]:
    """``vgi-host serve`` from this interpreter's environment (``python -m vgi_host serve`` without it)."""
    script = Path(sys.executable).parent / ("vgi-host.exe" if os.name == "nt" else "vgi-host")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-m", "vgi_host", "serve"]


def host_environment(
    base: Mapping[str, str],
    packs: Sequence[str],
    scratch: Path | None,
    extra: Mapping[str, str | None],
) -> dict[str, str]:
    """The complete environment of a test host.

    ``base`` (normally ``os.environ``) is copied; ``packs`` become
    ``VGI_HOST_PACKS`` (all packs when empty).  With a ``scratch`` directory the
    host gets a throwaway state database, manifest cache and empty config file,
    and the user's ``VGI_HOST_DISABLE``/``VGI_HOST_STRICT`` are dropped, so
    results do not depend on the machine.  ``extra`` comes last; ``None``
    removes a variable.
    """
    overrides: dict[str, str | None] = {ENV_PACKS: ",".join(packs) if packs else None}
    if scratch is not None:
        config = scratch / "config.toml"
        config.write_text("# vgi_host.testing: no pack selection beyond VGI_HOST_PACKS\n", encoding="utf-8")
        overrides |= {
            ENV_DISABLE: None,
            ENV_STRICT: None,
            ENV_CONFIG: str(config),
            ENV_STATE_DB: str(scratch / "state" / "aggregate-state.sqlite3"),
            ENV_CACHE_DIR: str(scratch / "cache"),
        }
    environment = dict(base)
    for key, value in (overrides | dict(extra)).items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


class _WholeWrites(io.RawIOBase):
    """The host's stdin, where every ``write`` delivers all its bytes.

    Arrow writes a message with one call and ignores a short count, which a
    pipe may return when a signal interrupts the write.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data: Any, /) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            written = self._raw.write(view[done:])
            if not written:
                raise BrokenPipeError("vgi-host serve stopped reading its stdin")
            done += written
        return done

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _forward_stderr(pipe: IO[bytes], log: logging.Logger) -> None:
    """Log each stderr line of the host until it closes the stream (it exits)."""
    with pipe:
        for raw in pipe:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                log.info(line)


class HostProcess:
    """One ``vgi-host serve`` subprocess and the protocol connection to it."""

    def __init__(self, argv: Sequence[str], environment: Mapping[str, str], log: logging.Logger) -> None:
        self.argv = list(argv)
        self._environment = dict(environment)
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None
        self._connection: RpcConnection[VgiProtocol] | None = None
        self._stderr_reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        """The host's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> VgiProtocol:
        """Spawn the host and return the protocol proxy (the first call waits for the host)."""
        process = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self._environment,
            bufsize=0,
        )
        self._process = process
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        self._stderr_reader = threading.Thread(
            target=_forward_stderr, args=(process.stderr, self._log), name="vgi-host stderr", daemon=True
        )
        self._stderr_reader.start()
        transport = PipeTransport(
            io.BufferedReader(cast(io.FileIO, process.stdout)),  # raw (bufsize=0): buffered here
            _WholeWrites(process.stdin),
        )
        self._connection = RpcConnection(VgiProtocol, transport)  # type: ignore[type-abstract]
        return self._connection.__enter__()

    def stop(self) -> int | None:
        """Close the host's stdin, wait for it to exit (killing it after a timeout); its exit code."""
        connection, self._connection = self._connection, None
        process, self._process = self._process, None
        reader, self._stderr_reader = self._stderr_reader, None
        if connection is not None:
            connection.__exit__(None, None, None)  # closes both pipes: the host sees end of input
        if process is None:
            return None
        try:
            process.wait(timeout=EXIT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._log.warning("vgi-host serve (pid %d) did not exit; killing it", process.pid)
            process.kill()
            process.wait()
        if reader is not None:
            reader.join(timeout=EXIT_TIMEOUT_SECONDS)  # the host exited: its stderr is at end of file
        return process.returncode
