"""The host's stderr log: a level people can type, tracebacks only when asked for.

stderr of ``vgi-host serve`` is what DuckDB users and operators read when a
query fails, so a line must say what happened in one line.  Tracebacks are for
whoever debugs the host: they are printed at ``DEBUG`` only; at every other
level an exception's record shows its message alone.
"""

from __future__ import annotations

import logging
import sys

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMAT = "vgi-host[%(process)d] %(levelname)s %(message)s"


class LevelError(ValueError):
    """A log level that is not one of :data:`LEVELS`."""


def parse_level(text: str, source: str = "--log-level") -> str:
    """``debug``, ``Debug`` and ``DEBUG`` all mean ``DEBUG``; anything else is refused."""
    level = text.strip().upper()
    if level not in LEVELS:
        raise LevelError(f"{source}={text!r} is not a log level; use one of {', '.join(LEVELS)}")
    return level


class _OneLineFormatter(logging.Formatter):
    """Drops exception and stack details from records unless the host runs at DEBUG."""

    def __init__(self, keep_tracebacks: bool) -> None:
        super().__init__(FORMAT)
        self._keep = keep_tracebacks

    def formatException(self, ei: object) -> str:  # noqa: N802 - logging's API name
        return super().formatException(ei) if self._keep else ""  # type: ignore[arg-type]

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's API name
        return super().formatStack(stack_info) if self._keep else ""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text if self._keep else text.rstrip("\n")


def configure(level: str) -> None:
    """Send the host's log to stderr at ``level`` (already parsed)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter(keep_tracebacks=level == "DEBUG"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
