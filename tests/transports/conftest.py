"""Fixtures for the transport tests (tox env `transports`: vgi-host[http,granian], test packs as wheels).

Each transport gets one serving process per module, started by the test and
stopped by pid; clients are the reference vgi-python Client's
``from_launch`` / ``from_tcp`` / ``from_http``.
"""

from pathlib import Path

import pytest

from tests.host_environment import isolated_host_environment

SIGNING_KEY = "transport-tests-shared-signing-key-0123456789"


@pytest.fixture(scope="session", autouse=True)
def isolated_host_dirs(tmp_path_factory):
    """Throwaway manifest cache, aggregate state and config for every host process started here."""
    with isolated_host_environment(
        tmp_path_factory.mktemp("vgi-host-dirs"),
        "transport tests: no selection",
        {"VGI_SIGNING_KEY": None, "VGI_BEARER_TOKENS": None},
    ) as base:
        yield base


@pytest.fixture(scope="session")
def short_tmp():
    """A short directory for unix sockets (AF_UNIX paths are limited to 108 bytes)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vgi-t-", dir="/tmp") as name:
        yield Path(name)
