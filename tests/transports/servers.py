"""Real serving processes for the transport tests: started here, found by pid, always stopped.

Every process binds 127.0.0.1 or a unix socket in a temporary directory, is
read for its discovery line with a deadline, and is stopped by its pid (SIGTERM,
then SIGKILL) when the test ends.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

BIN = Path(sys.executable).parent
START_TIMEOUT = 60.0


def vgi_host_exe() -> str:
    exe = BIN / "vgi-host"
    if not exe.exists():
        raise RuntimeError(f"the vgi-host console script is not installed next to {sys.executable}")
    return str(exe)


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM ``pid``, wait up to ``timeout``, then SIGKILL; tolerate it having exited already."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def read_line(process: subprocess.Popen[bytes], timeout: float = START_TIMEOUT) -> str:
    """The first stdout line of ``process`` within ``timeout`` (fails with its stderr otherwise)."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline().decode() if ready else ""
    if not line:
        stop_pid(process.pid)
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"no discovery line within {timeout}s; stderr:\n{stderr[-3000:]}")
    return line.strip()


class Served:
    """One serving process and the address it announced."""

    def __init__(self, process: subprocess.Popen[bytes], line: str) -> None:
        self.process = process
        self.line = line

    @property
    def port(self) -> int:
        return int(self.line.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run ``vgi-host serve ARGS`` until the block ends."""
    process = subprocess.Popen(
        [vgi_host_exe(), "serve", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    try:
        yield Served(process, read_line(process))
    finally:
        stop_pid(process.pid)
        process.wait(timeout=15)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def unix_socket_owner(path: str | Path) -> int:
    """The pid of the process listening on a unix socket (SO_PEERCRED), so it can be stopped by pid."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(5)
        probe.connect(str(path))
        credentials = probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, _uid, _gid = struct.unpack("3i", credentials)
    return pid


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
