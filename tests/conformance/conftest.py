"""Session fixtures: port the reference fixtures, serve them twice, one client per server.

Run with ``uv run tox -e conformance`` (vgi-host installed as a wheel).  The
terminal summary reports the pass count per kind and every excluded class.
"""

from __future__ import annotations

import collections
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cases import enumerate_fixtures, exclusions
from porter import port_fixtures
from serving import FixtureRef, host_environment, write_reference_worker, write_throwaway_pack

ALL_FIXTURES = enumerate_fixtures()
EXCLUDED = exclusions(ALL_FIXTURES)
INCLUDED = [(ref, kind) for ref, kind in ALL_FIXTURES if ref.name not in EXCLUDED]
KIND_OF = {ref.name: kind for ref, kind in ALL_FIXTURES}

_outcomes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated ported fixtures, throwaway pack and reference worker script."""
    directory = tmp_path_factory.mktemp("conformance")
    port_fixtures(directory, tuple(sorted({ref.module.split(".")[0] for ref, _ in ALL_FIXTURES})))
    return directory


@pytest.fixture(scope="session")
def included_refs() -> list[FixtureRef]:
    return [ref for ref, _ in INCLUDED]


def _start(argv: list[str]) -> object:
    from vgi.client import Client

    return Client(argv, pool=None, worker_limit=1)


@pytest.fixture(scope="session")
def reference_client(workspace: Path, included_refs: list[FixtureRef]) -> Iterator[object]:
    """The reference SDK serving the original classes."""
    argv = write_reference_worker(workspace, included_refs)
    with _start(argv) as client:
        yield client


@pytest.fixture(scope="session")
def host_client(workspace: Path, included_refs: list[FixtureRef]) -> Iterator[object]:
    """vgi-host serving the ported classes as a pack."""
    write_throwaway_pack(workspace, included_refs)
    state = workspace / "host-state"
    state.mkdir(exist_ok=True)
    (state / "config.toml").write_text("# conformance: no selection file\n")
    exe = shutil.which("vgi-host", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("the vgi-host console script is not installed next to this interpreter")
    environment = [f"{key}={value}" for key, value in host_environment(workspace, state).items()]
    with _start(["/usr/bin/env", *environment, exe, "serve", "--strict"]) as client:
        try:
            client.catalog_attach(name="conformance", data_version_spec=None, implementation_version=None)
        except Exception as exc:  # the pack failed to load: --strict made the host exit
            pytest.fail(f"vgi-host did not serve the ported pack (its reason is on stderr above): {exc}")
        yield client


def record(name: str, outcome: str) -> None:
    """Count one class's result for the per-kind summary."""
    _outcomes[KIND_OF.get(name, "?")][outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _outcomes and not EXCLUDED:
        return
    write = terminalreporter.write_line
    write("")
    write("conformance with vgi-python 0.47.0 (classes compared through the reference client):")
    kinds = sorted({kind for _, kind in ALL_FIXTURES})
    for kind in kinds:
        total = sum(1 for _, k in ALL_FIXTURES if k == kind)
        excluded = sum(1 for ref, k in ALL_FIXTURES if k == kind and ref.name in EXCLUDED)
        counts = _outcomes.get(kind, collections.Counter())
        write(
            f"  {kind:<16} passed {counts['passed']:>3}  failed {counts['failed']:>3}  "
            f"excluded {excluded:>3}  (of {total})"
        )
    for name, reason in sorted(EXCLUDED.items()):
        write(f"  excluded {name}: needs {reason}")
