"""What a person or a misconfiguration does to `vgi-host` (issue 13 items 4-5, issue 14 item 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from vgi.client import Client
from vgi.client.catalog_mixin import CatalogClientError

from tests.robustness import wire


def test_serve_on_a_terminal_prints_a_hint_and_exits_2(exe):
    primary, secondary = os.openpty()
    try:
        completed = subprocess.run(
            [exe, "serve"], stdin=secondary, capture_output=True, timeout=wire.RUN_TIMEOUT, check=False
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert completed.returncode == 2
    assert completed.stdout == b""
    lines = completed.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "ATTACH 'packs' (TYPE vgi, LOCATION 'vgi-host serve')" in lines[0]
    assert "--help" in lines[0]


@pytest.mark.parametrize("level", ["debug", "Info", "WARNING"])
def test_log_level_names_are_accepted_in_any_case(exe, level):
    run = wire.serve(exe, b"", env={"VGI_HOST_LOG_LEVEL": level})
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        ((), {"VGI_HOST_LOG_LEVEL": "verbose"}, "VGI_HOST_LOG_LEVEL='verbose'"),
        (("--log-level", "loud"), {}, "--log-level='loud'"),
    ],
)
def test_an_unknown_log_level_is_exit_2_with_a_message(exe, args, env, source):
    run = wire.serve(exe, b"", *args, env=env)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert source in run.stderr
    assert "DEBUG, INFO, WARNING, ERROR" in run.stderr


def test_a_config_file_that_is_not_utf8_is_exit_2_with_a_message(exe, tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(b"[packs]\ndisable = ['\xff\xfe']\n")
    run = wire.serve(exe, b"", env={"VGI_HOST_CONFIG": str(config)})
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"cannot read config file {config}" in run.stderr
    listing = subprocess.run(
        [exe, "list"],
        capture_output=True,
        text=True,
        timeout=wire.RUN_TIMEOUT,
        check=False,
        env={**os.environ, "VGI_HOST_CONFIG": str(config)},
    )
    assert listing.returncode == 2
    assert "Traceback" not in listing.stderr
    assert "cannot read config file" in listing.stderr + listing.stdout


def _wait_until_in_host_code(pid: int) -> None:
    """Return once the process has mapped Arrow's library: vgi-host's own imports are running.

    An interrupt that lands earlier, while the interpreter is still importing
    ``site``, happens before any vgi-host code exists to handle it; what this
    test holds vgi-host to starts at its own imports.
    """
    deadline = time.monotonic() + wire.RUN_TIMEOUT
    maps = Path(f"/proc/{pid}/maps")
    while time.monotonic() < deadline:
        try:
            if "libarrow" in maps.read_text():
                return
        except OSError:  # exited already: the caller reads its status
            return
        time.sleep(0.002)
    pytest.fail("vgi-host serve never loaded pyarrow")


def test_ctrl_c_during_start_up_prints_no_traceback(exe):
    for delay in (0.0, 0.02, 0.1, 0.3):
        process = subprocess.Popen(
            [exe, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _wait_until_in_host_code(process.pid)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=wire.RUN_TIMEOUT)
        assert "Traceback" not in stderr.decode(), (delay, stderr.decode())
        assert process.returncode in (130, -signal.SIGINT), (delay, process.returncode)


def test_new_refuses_a_name_with_a_trailing_newline(exe, tmp_path):
    completed = subprocess.run(
        [exe, "new", "evil\n"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=wire.RUN_TIMEOUT,
        check=False,
    )
    assert completed.returncode != 0
    assert "not a valid pack name" in completed.stdout + completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_strict_failure_is_served_as_an_error_every_call_answers(exe, session_bytes, monkeypatch):
    monkeypatch.setenv("VGI_HOST_DISABLE", "future")  # leave the broken test pack enabled
    attach = wire.streams(session_bytes)[0]
    run = wire.serve(exe, attach + attach, "--strict", env={"VGI_HOST_DISABLE": "future"})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    first, second = wire.replies(run.stdout)
    for reply in (first, second):
        assert reply.error is not None
        assert "--strict: 1 pack(s) failed to load (broken); not serving" in reply.error
    with (
        Client([exe, "serve", "--strict"], pool=None, worker_limit=1) as client,
        pytest.raises(CatalogClientError, match=r"--strict: 1 pack\(s\) failed to load \(broken\)"),
    ):
        client.catalog_attach(name="packs", data_version_spec=None, implementation_version=None)
