"""The one line a serving process prints so whoever started it can find it.

vgi-rpc's launcher waits for ``UNIX:<path>``; test harnesses and process
managers read ``TCP:<host>:<port>`` and ``PORT:<n>``.  After that line the
process writes nothing more to that stream, so it is written once, flushed, and
the descriptor is closed when the caller no longer needs it.
"""

from __future__ import annotations

import os


class DiscoveryLine:
    """Writes a single announcement line to a descriptor that belongs to the announcer."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._sent = False

    def send(self, line: str) -> None:
        """Write ``line`` and a newline, all of it, exactly once."""
        if self._sent:
            raise RuntimeError("the discovery line has already been sent")
        data = f"{line}\n".encode()
        while data:
            data = data[os.write(self._fd, data) :]
        self._sent = True
