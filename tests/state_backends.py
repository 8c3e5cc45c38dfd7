"""The three state-store backends as test resources, each isolated per test and cleaned up.

PostgreSQL (127.0.0.1:5432, trust auth, database ``test``) and Redis
(127.0.0.1:6379) run on the project's machines and in CI.  A test that needs
one which is not reachable is skipped with a reason naming the service and
the URL tried (override with ``VGI_TEST_POSTGRES_URL`` / ``VGI_TEST_REDIS_URL``).

Each backend gets a fresh namespace (Redis key prefix, PostgreSQL schema,
SQLite directory) so parallel runs never see each other's executions, and the
namespace is deleted afterwards.  Unit tests and the multi-process serve
tests share this module; the URL is all a serving process needs.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from vgi_host.state.config import check_state_store, open_state_store
from vgi_host.state.store import StateStore

REDIS_URL = os.environ.get("VGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("VGI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "redis", "postgresql")
TEST_KEY = "vgi-host-test-signing-key-0123456789"


@dataclass(frozen=True)
class Backend:
    """One isolated store: its URL (what ``--state-store`` gets) and a way to open it here."""

    name: str
    url: str

    def open(self, **overrides: float) -> StateStore:
        """A new store object on this backend (a new connection, as another process would have)."""
        url = self.url
        if overrides:
            url += ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in overrides.items())
        return open_state_store(check_state_store(url))


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def backend(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    """An isolated *name* backend for one test; skip (with the reason) when its server is down."""
    monkeypatch.setenv("VGI_SIGNING_KEY", TEST_KEY)
    tag = uuid.uuid4().hex[:12]
    cleanup: Callable[[], None]
    if name == "sqlite":
        url = f"sqlite:///{tmp_path / 'state' / 'aggregate-state.sqlite3'}"
        cleanup = lambda: None  # noqa: E731 - tmp_path is removed by pytest
    elif name == "redis":
        if not _reachable(REDIS_URL):
            pytest.skip(f"Redis is not reachable at {REDIS_URL} (set VGI_TEST_REDIS_URL)")
        url = f"{REDIS_URL}?prefix=vgi-test-{tag}:"

        def cleanup() -> None:
            store = Backend(name, url).open()
            store.delete_all()  # type: ignore[attr-defined]
            store.close()

    elif name == "postgresql":
        if not _reachable(POSTGRES_URL):
            pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL} (set VGI_TEST_POSTGRES_URL)")
        url = f"{POSTGRES_URL}?schema=vgi_test_{tag}"

        def cleanup() -> None:
            store = Backend(name, url).open()
            store.drop_schema()  # type: ignore[attr-defined]
            store.close()

    else:
        raise ValueError(name)
    try:
        yield Backend(name, url)
    finally:
        cleanup()
