"""The testing client's parts: the host's environment, its process lifecycle, the per-kind drivers."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from vgi_host.kinds.registry import KIND_NAMES
from vgi_host.testing.drivers import DRIVERS
from vgi_host.testing.process import HostProcess, host_environment
from vgi_host.testing.values import batch_of, is_column, slices


def test_the_environment_is_built_from_a_copy_and_isolates_the_host(tmp_path: Path) -> None:
    base = {"PATH": "/bin", "VGI_HOST_DISABLE": "geo", "VGI_HOST_STRICT": "1", "KEEP": "x"}
    before = dict(base)
    env = host_environment(base, ("geo", "text"), tmp_path, {"KEEP": None, "EXTRA": "1"})
    assert base == before  # the caller's mapping (os.environ in real use) is never changed
    assert env["VGI_HOST_PACKS"] == "geo,text"
    assert "VGI_HOST_DISABLE" not in env
    assert "VGI_HOST_STRICT" not in env
    assert "KEEP" not in env
    assert env["EXTRA"] == "1"
    assert env["PATH"] == "/bin"
    assert Path(env["VGI_HOST_CONFIG"]).read_text(encoding="utf-8").startswith("#")
    assert Path(env["VGI_HOST_STATE_DB"]).is_relative_to(tmp_path)
    assert Path(env["VGI_HOST_CACHE_DIR"]).is_relative_to(tmp_path)


def test_without_isolation_the_users_settings_stay(tmp_path: Path) -> None:
    env = host_environment({"VGI_HOST_DISABLE": "geo", "VGI_HOST_PACKS": "old"}, (), None, {})
    assert env == {"VGI_HOST_DISABLE": "geo"}  # no packs named: every pack, so the old list goes


def test_the_process_gets_its_environment_and_its_whole_stderr_is_logged(caplog) -> None:
    script = (
        "import os, sys\n"
        "sys.stdin.read()\n"  # runs until the parent closes stdin, like vgi-host serve
        "for i in range(200): print(os.environ['VGI_TEST_MARK'], i, file=sys.stderr)\n"
        "sys.exit(3)\n"
    )
    log = logging.getLogger("tests.testing_parts")
    process = HostProcess([sys.executable, "-c", script], {**os.environ, "VGI_TEST_MARK": "mark"}, log)
    with caplog.at_level(logging.INFO, logger=log.name):
        process.start()
        assert process.pid is not None
        assert process.stop() == 3
    assert "VGI_TEST_MARK" not in os.environ
    lines = [r.getMessage() for r in caplog.records if r.name == log.name]
    assert lines == [f"mark {i}" for i in range(200)]  # complete once stop() returns: no waiting


def test_there_is_one_driver_per_registered_kind() -> None:
    assert set(DRIVERS) == {kind.name for kind in KIND_NAMES}


def test_columns_constants_and_batches() -> None:
    assert is_column([1])
    assert is_column((1,))
    assert not is_column(1)
    assert not is_column("abc")
    batch = batch_of([[1, 2, 3], ["a", "b", "c"]], ["n", "s"])
    assert [len(piece) for piece in slices(batch, 2)] == [2, 1]
    with pytest.raises(ValueError, match=r"same number of rows; got n=2, s=1"):
        batch_of([[1, 2], ["a"]], ["n", "s"])
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        slices(batch, 0)
