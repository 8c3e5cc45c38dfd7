"""The manifest cache's files: who may write them, and which of them the host believes.

A manifest is served as catalog truth (it can add a view with arbitrary SQL to
a pack's schema), so a manifest file is only read when this user wrote it:

* the cache directory and any parent the host creates are made ``0700``, and
  an existing cache directory owned by this user is tightened to ``0700``;
* a file is opened without following symlinks, and ignored unless it is a
  regular file owned by this user and not writable by group or others;
* file names are built only from pack names that are plain identifiers (a
  hostile entry-point name such as ``../../x`` never reaches a path);
* each Python environment gets its own file names (a tag derived from
  ``sys.prefix``), so environments sharing the per-user cache keep their own
  manifests instead of evicting each other's on every start.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import sys
from pathlib import Path

log = logging.getLogger("vgi_host.cache")

_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_MANIFEST_BYTES = 64 << 20
"""A manifest larger than this is not one the host wrote; ignore it rather than read it."""


def safe_file_stem(pack: str) -> str | None:
    """The pack name as a file-name component, or None when it is not a plain identifier."""
    return pack.lower() if _SAFE_NAME.fullmatch(pack) else None


def environment_tag(prefix: str | None = None) -> str:
    """A short, stable tag for this Python environment (its ``sys.prefix``)."""
    where = os.path.realpath(sys.prefix if prefix is None else prefix)
    return hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _owner_ok(info: os.stat_result) -> bool:
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


def trusted(info: os.stat_result) -> bool:
    """A regular file this user owns that nobody else may write."""
    return (
        stat.S_ISREG(info.st_mode)
        and _owner_ok(info)
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        and info.st_size <= _MAX_MANIFEST_BYTES
    )


def read_trusted(path: Path) -> str | None:
    """The file's text when it is :func:`trusted` (checked on the open descriptor), else None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(handle.fileno())
            if not trusted(info):
                log.warning("ignoring manifest %s: not a private file of this user", path)
                return None
            data = handle.read(_MAX_MANIFEST_BYTES + 1)
        except OSError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def private_directory(directory: Path) -> bool:
    """Create ``directory`` (and missing parents) as ``0700``; True when it is fit to write into.

    An existing directory owned by this user is tightened to ``0700``; one owned
    by someone else, or writable by others, is not written into.
    """
    missing: list[Path] = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    try:
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=0o700)
        info = os.stat(directory, follow_symlinks=False)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or not _owner_ok(info):
        log.warning("not writing manifests into %s: it is not a directory owned by this user", directory)
        return False
    if stat.S_IMODE(info.st_mode) != 0o700:
        try:
            os.chmod(directory, 0o700)
        except OSError:
            return False
    return True
