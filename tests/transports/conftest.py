"""Fixtures for the transport tests (tox env `transports`: vgi-host[http,granian], test packs as wheels).

Each transport gets one serving process per module, started by the test and
stopped by pid; clients are the reference vgi-python Client's
``from_launch`` / ``from_tcp`` / ``from_http``.
"""

import os
from pathlib import Path

import pytest

SIGNING_KEY = "transport-tests-shared-signing-key-0123456789"


@pytest.fixture(scope="session", autouse=True)
def isolated_host_dirs(tmp_path_factory):
    """Throwaway manifest cache, aggregate state and config for every host process started here."""
    base = tmp_path_factory.mktemp("vgi-host-dirs")
    names = ("VGI_HOST_CACHE_DIR", "VGI_HOST_STATE_DB", "VGI_HOST_CONFIG")
    names += ("VGI_SIGNING_KEY", "VGI_BEARER_TOKENS")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["VGI_HOST_CACHE_DIR"] = str(base / "cache")
    os.environ["VGI_HOST_STATE_DB"] = str(base / "state" / "aggregate-state.sqlite3")
    os.environ["VGI_HOST_CONFIG"] = str(base / "config.toml")
    os.environ.pop("VGI_SIGNING_KEY", None)
    os.environ.pop("VGI_BEARER_TOKENS", None)
    (base / "config.toml").write_text("# transport tests: no selection\n")
    yield base
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def short_tmp():
    """A short directory for unix sockets (AF_UNIX paths are limited to 108 bytes)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vgi-t-", dir="/tmp") as name:
        yield Path(name)
