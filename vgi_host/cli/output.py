"""Where the CLI's output goes, and what happens when its reader goes away.

``vgi-host list | head -1`` closes the pipe after one line.  Left alone,
click reports that as exit code 1 (the code for "a pack failed") and Python
prints a ``BrokenPipeError`` at shutdown.  A reader that stops early is not a
failure: the rest of the output is dropped quietly and the exit code is 0.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator

import typer
from rich.console import Console

__all__ = ["console", "emit_lines", "quiet_broken_pipe"]


def console() -> Console:
    """A Rich console on stdout (markup off by default: callers pass pack text as ``Text``)."""
    return Console(highlight=False)


def emit_lines(lines: Iterable[str]) -> None:
    """Plain output, one record per line."""
    write = sys.stdout.write
    for line in lines:
        write(line + "\n")


@contextlib.contextmanager
def quiet_broken_pipe() -> Iterator[None]:
    """Run an output block; if stdout's reader has gone, stop writing and exit 0 silently."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Point fd 1 at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        raise typer.Exit(0) from None
