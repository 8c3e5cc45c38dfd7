"""Fixtures for driving an installed `vgi-host serve` with the reference vgi-python Client.

These tests run in an environment where vgi-host, vgi-pack-geo and the two
test packs (tests/packs/) are installed as real wheels (tox env `interop`).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from vgi.client import Client

from tests.host_environment import isolated_host_environment

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session", autouse=True)
def isolated_host_dirs(tmp_path_factory):
    """Every host process these tests start uses throwaway cache, state and config locations."""
    with isolated_host_environment(
        tmp_path_factory.mktemp("vgi-host-dirs"), "interop tests: no selection"
    ) as base:
        yield base


@pytest.fixture(scope="session")
def vgi_host_exe() -> str:
    exe = shutil.which("vgi-host", path=str(BIN))
    if exe is None:
        pytest.fail("the vgi-host console script is not installed next to this interpreter")
    return exe


@pytest.fixture(scope="session")
def serve_argv(vgi_host_exe) -> list[str]:
    return [vgi_host_exe, "serve"]


@pytest.fixture(scope="session")
def client(serve_argv):
    """One client for the session: one serving process answers every function call."""
    with Client(serve_argv, pool=None, worker_limit=1) as session_client:
        yield session_client


@pytest.fixture(scope="session")
def attach(client):
    return client.catalog_attach(name="packs", data_version_spec=None, implementation_version=None)


@pytest.fixture(scope="session")
def run_cli(vgi_host_exe):
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [vgi_host_exe, *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, **(env or {})},
        )

    return run
