"""Throwaway cache, state and config locations for every `vgi-host serve` a test suite starts."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def isolated_host_environment(
    base: Path, purpose: str, extra: Mapping[str, str | None] = {}
) -> Iterator[Path]:
    """Point the host's cache, state database and config file into ``base``; restore on exit.

    ``extra`` sets (or, with None, removes) further variables for the suite.
    """
    values: dict[str, str | None] = {
        "VGI_HOST_CACHE_DIR": str(base / "cache"),
        "VGI_HOST_STATE_DB": str(base / "state" / "aggregate-state.sqlite3"),
        "VGI_HOST_CONFIG": str(base / "config.toml"),
        **extra,
    }
    saved = {key: os.environ.get(key) for key in values}
    (base / "config.toml").write_text(f"# {purpose}\n")
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield base
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
