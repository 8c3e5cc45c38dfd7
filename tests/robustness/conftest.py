"""A real `vgi-host serve`, throwaway host directories, and one captured client session to mutate.

These tests run where vgi-host and the test packs are installed as wheels
(tox env `robustness`).  The captured session is recorded once per test run:
the reference vgi-python Client drives `vgi-host serve` through `tee`, which
keeps every byte the client sent.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from vgi import Arguments
from vgi.client import Client

from tests.host_environment import isolated_host_environment
from tests.robustness import wire

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session", autouse=True)
def isolated_host_dirs(tmp_path_factory):
    # The failing test packs would add their warnings to every stderr the tests read.
    with isolated_host_environment(
        tmp_path_factory.mktemp("vgi-host-dirs"),
        "robustness tests: selection by VGI_HOST_DISABLE",
        {"VGI_HOST_DISABLE": "broken,future"},
    ) as base:
        yield base


@pytest.fixture(scope="session")
def exe() -> str:
    found = shutil.which("vgi-host", path=str(BIN))
    if found is None:
        pytest.fail("the vgi-host console script is not installed next to this interpreter")
    warm = wire.serve(found, b"")  # fills the manifest cache: later runs import no pack
    assert warm.returncode == 0, warm.stderr
    return found


@pytest.fixture(scope="session")
def session_bytes(exe, tmp_path_factory) -> bytes:
    """What the reference client sends for: attach, a scalar call, a table function, a catalog listing."""
    capture = tmp_path_factory.mktemp("capture")
    # One file per worker process the client starts (named by the shell's pid).
    argv = ["bash", "-c", 'tee "$0/client-to-host.$$.bin" | "$1" serve', str(capture), exe]
    with Client(argv, pool=None, worker_limit=1) as client:
        client.catalog_attach(name="packs", data_version_spec=None, implementation_version=None)
        batch = pa.RecordBatch.from_pydict({"a": [48.8566], "b": [2.3522], "c": [51.5074], "d": [-0.1278]})
        results = list(
            client.scalar_function(
                function_name="haversine_km", schema_path=["geo"], input=iter([batch]), arguments=Arguments()
            )
        )
        assert results[0].num_rows == 1
        rows = client.table_function(
            function_name="count_to",
            schema_path=["testkit"],
            arguments=Arguments(positional=(pa.scalar(5),), named={"batch": pa.scalar(2)}),
        )
        assert sum(b.num_rows for b in rows) == 5
    files = sorted(capture.glob("client-to-host.*.bin"), key=lambda p: p.stat().st_mtime_ns)
    data = b"".join(path.read_bytes() for path in files)
    assert len(wire.streams(data)) >= 5
    return data
