"""`vgi-host new` makes a pack that installs next to vgi-host in a fresh venv and passes its own tests."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

REPO = Path(__file__).resolve().parents[2]


def run(*argv, cwd=None, timeout=600) -> subprocess.CompletedProcess[str]:
    # Without the caller's venv: every command names the interpreter it targets.
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV" and not k.startswith("UV_INTERNAL")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def test_scaffolded_pack_passes_its_own_tests_in_a_fresh_venv(tmp_path, vgi_host_exe):
    uv = shutil.which("uv")
    assert uv is not None, "this test needs `uv` on PATH (it is, under `uv run tox`)"

    created = ok(run(vgi_host_exe, "new", "weather", "--path", tmp_path))
    pack = tmp_path / "vgi-pack-weather"
    assert "Created" in created.stdout
    for relative in (
        "pyproject.toml",
        "README.md",
        "src/vgi_pack_weather/__init__.py",
        "src/vgi_pack_weather/functions.py",
        "tests/test_weather_pack.py",
    ):
        assert (pack / relative).is_file(), relative
    assert run(vgi_host_exe, "new", "weather", "--path", tmp_path).returncode == 1, "never overwrites"

    # vgi-host from this repository (built afresh: uv caches directory builds), the pack, pytest.
    ok(run(uv, "build", "--quiet", "--wheel", "--out-dir", tmp_path / "dist", REPO))
    [wheel] = (tmp_path / "dist").glob("vgi_host-*.whl")
    venv = tmp_path / "venv"
    ok(run(uv, "venv", "--quiet", "--python", sys.executable, venv))
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    ok(run(uv, "pip", "install", "--quiet", "--python", python, "--no-sources", wheel, pack, "pytest"))

    tests = ok(run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=pack))
    assert " passed" in tests.stdout
    assert "failed" not in tests.stdout
    assert "error" not in tests.stdout.lower()

    listing = run(python.parent / "vgi-host", "list", "--json", "--no-cache")
    assert listing.returncode == 0, listing.stderr
    packs = {p["name"]: p for p in json.loads(listing.stdout)["packs"]}
    assert list(packs) == ["weather"]
    weather = packs["weather"]
    assert weather["status"] == "loaded"
    assert weather["distribution"] == "vgi-pack-weather"
    assert weather["function_count"] == 5
    assert sorted(f["kind"] for f in weather["functions"]) == [
        "aggregate",
        "scalar",
        "table",
        "table_buffering",
        "table_in_out",
    ]


def test_the_printed_next_steps_work_before_vgi_host_is_published(tmp_path, vgi_host_exe):
    """Run exactly what `vgi-host new` prints, from a fresh venv, with vgi-host on no index."""
    uv = shutil.which("uv")
    assert uv is not None, "this test needs `uv` on PATH (it is, under `uv run tox`)"
    created = ok(run(vgi_host_exe, "new", "tides", "--path", tmp_path))
    pack = tmp_path / "vgi-pack-tides"
    pyproject = (pack / "pyproject.toml").read_text()
    assert "[tool.uv.sources]" in pyproject  # this vgi-host came from a local wheel, not an index
    steps = created.stdout.split("Next:\n", 1)[1].splitlines()
    commands = [step.split("#", 1)[0].strip() for step in steps if step.strip().startswith("uv ")]
    assert commands[:2] == ["uv venv && uv pip install -e . pytest", "uv run pytest"]
    # The steps as a new author types them: `uv` from PATH, no virtualenv active.
    for command in commands[:2]:
        result = ok(run("bash", "-c", f'PATH="{Path(uv).parent}:$PATH" && {command}', cwd=pack, timeout=300))
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
    # The new pack already meets the metadata rules (strict profile): nothing to fix before CI.
    strict = run(pack / ".venv" / "bin" / "vgi-host", "check", "--strict", "--json", "tides", cwd=pack)
    assert json.loads(strict.stdout)["findings"] == [], strict.stdout
    assert strict.returncode == 0


def test_poor_pack_names_are_warned_about(tmp_path, vgi_host_exe):
    keyword = ok(run(vgi_host_exe, "new", "select", "--path", tmp_path))
    assert "SQL keyword" in keyword.stderr
    taken = ok(run(vgi_host_exe, "new", "geo", "--path", tmp_path))
    assert "already installed (vgi-pack-geo)" in taken.stderr
    assert "warning" not in ok(run(vgi_host_exe, "new", "tides", "--path", tmp_path)).stderr
