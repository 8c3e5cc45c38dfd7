"""Opening the SQLite state database so that nobody else can plant or swap its files.

SQLite trusts whatever it finds next to the database: on open it replays a
``<db>-wal`` file and maps ``<db>-shm``.  If another user could create those
(a shared, sticky directory such as ``/tmp``), they could inject rows into the
store.  So before SQLite sees the path:

* the directory must belong to the current user and not be writable by group
  or others: then nobody else can create, replace or rename anything in it;
* the database and every companion that exists (``-wal``, ``-shm``,
  ``-journal``) must be regular files of the current user that nobody else
  can read or write (states are private data too);
* the directory is opened once (``O_DIRECTORY | O_NOFOLLOW``), the checks run
  on that descriptor and the database is created through it (``O_NOFOLLOW``),
  and SQLite is given the path through the same descriptor
  (``/proc/self/fd/N/name`` on Linux).  SQLite resolves that path to the real
  one when it opens the file, right after the checks; from then on only the
  owner can change entries in the checked directory, so no companion can be
  planted or swapped later either.

What stays out of reach: a *parent* directory that other users may rename
(a world-writable directory without the sticky bit) could move the checked
directory between the check and SQLite's open.  Where ``/proc/self/fd`` does
not exist the plain path is used, with the same checks.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["COMPANION_SUFFIXES", "PrivateDatabase", "UnsafeStateFileError", "open_private_database"]

COMPANION_SUFFIXES: Final = ("-wal", "-shm", "-journal")
_PROC_FD: Final = Path("/proc/self/fd")


class UnsafeStateFileError(Exception):
    """The database, a companion or the directory could be written by someone else."""


@dataclass(frozen=True, slots=True)
class PrivateDatabase:
    """A checked database file, and the path SQLite must open it by."""

    dir_fd: int
    """Held open for as long as the connection lives; close with :meth:`close`."""
    sqlite_path: str

    def close(self) -> None:
        """Release the directory descriptor."""
        os.close(self.dir_fd)


def open_private_database(path: Path, *, hint: str) -> PrivateDatabase:
    """Create (0o700 dirs, 0o600 file) or check *path* and return how SQLite should open it.

    *hint* is appended to refusals (how to choose another location).
    """
    directory = path.parent
    missing = [parent for parent in (directory, *directory.parents) if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir(mode=0o700, exist_ok=True)
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    dir_fd = os.open(directory, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        _check(os.fstat(dir_fd), directory, "directory", hint, private_read=False)
        fd = os.open(
            path.name,
            os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
            0o600,
            dir_fd=dir_fd,
        )
        try:
            _check(os.fstat(fd), path, "state database", hint, private_read=True)
        finally:
            os.close(fd)
        for suffix in COMPANION_SUFFIXES:
            try:
                status = os.stat(path.name + suffix, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            _check(
                status,
                path.with_name(path.name + suffix),
                "state database companion",
                hint,
                private_read=True,
            )
    except BaseException:
        os.close(dir_fd)
        raise
    through_fd = _PROC_FD / str(dir_fd)
    sqlite_path = str(through_fd / path.name) if through_fd.is_dir() else str(path)
    return PrivateDatabase(dir_fd, sqlite_path)


def _check(status: os.stat_result, path: Path, what: str, hint: str, *, private_read: bool) -> None:
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # no POSIX ownership (Windows): nothing to check
        return
    problems = []
    if status.st_uid != getuid():
        problems.append(f"it belongs to uid {status.st_uid}, not to you (uid {getuid()})")
    expected = stat.S_ISREG if private_read else stat.S_ISDIR
    if not expected(status.st_mode):
        problems.append("it is not a regular file" if private_read else "it is not a directory")
    forbidden = 0o077 if private_read else 0o022
    if status.st_mode & forbidden:
        who = "read or written by group or others" if private_read else "written by group or others"
        problems.append(f"it can be {who} (mode {stat.S_IMODE(status.st_mode):o})")
    if problems:
        raise UnsafeStateFileError(
            f"refusing the aggregate state store: the {what} {path} is unsafe: {'; '.join(problems)}. "
            f"Another user could plant data the host would load. {hint}"
        )
