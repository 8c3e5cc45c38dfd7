"""Session fixtures: port the installed third-party workers, serve originals and ports, one client each.

Run with ``uv run tox -e thirdparty`` (installs vgi-easter and vgi-scikit-bio with their real
dependencies).  The originals run with the reference SDK, one process each; the ports run in one
``vgi-host serve`` as two packs and are attached by each worker's own catalog name.  The
terminal summary reports the compared functions per kind.
"""

from __future__ import annotations

import collections
import importlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "conformance"))  # porter, samples, comparison: shared, not copied
sys.path.insert(0, str(HERE))

from porting import port_modules, reference_argv, write_pack, write_reference_launcher  # noqa: E402
from serving import host_environment  # noqa: E402
from workers import WORKERS, ThirdParty  # noqa: E402

PORT_DIRECTORY = Path(tempfile.mkdtemp(prefix="vgi-thirdparty-"))
"""Ported at collection, so every function can be a test of its own; removed at session end."""
port_modules(PORT_DIRECTORY)
write_pack(PORT_DIRECTORY)
sys.path.insert(0, str(PORT_DIRECTORY))


@dataclass(frozen=True)
class PortedFunction:
    """One function class of a ported worker, where it lives and what kind it is."""

    worker: ThirdParty
    schema: str
    """The schema as the worker names it (its own catalog's path)."""
    cls: type
    kind: str

    @property
    def name(self) -> str:
        from vgi_host.kinds.registry import definition_of

        return definition_of(self.cls).name

    @property
    def id(self) -> str:
        return f"{self.worker.pack}.{self.schema}.{self.name}"


def kind_of(cls: type) -> str | None:
    """The kind of a ported class, by its vgi_host base class."""
    import vgi_host

    for base, kind in (
        ("ScalarFunction", "scalar"),
        ("AggregateFunction", "aggregate"),
        ("TableBufferingFunction", "table_buffering"),
        ("TableInOutGenerator", "table_in_out"),
        ("TableFunctionGenerator", "table"),
    ):
        if issubclass(cls, getattr(vgi_host, base)):
            return kind
    return None


def _enumerate() -> list[PortedFunction]:
    found: list[PortedFunction] = []
    for worker in WORKERS:
        module, _, attribute = worker.worker.partition(":")
        worker_class = getattr(importlib.import_module(module), attribute)
        for schema in worker_class.catalog.schemas:
            for cls in schema.functions:
                found.append(PortedFunction(worker, schema.path[-1], cls, kind_of(cls) or "?"))
    return found


FUNCTIONS = _enumerate()

_outcomes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)


def record(function: PortedFunction, outcome: str) -> None:
    """Count one function's result for the per-kind summary."""
    _outcomes[function.kind][outcome] += 1


def _client(argv: list[str]) -> object:
    from vgi.client import Client

    return Client(argv, pool=None, worker_limit=1)


@pytest.fixture(scope="session")
def reference_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Each original worker served by the reference SDK, by pack name."""
    launcher = write_reference_launcher(tmp_path_factory.mktemp("reference"))
    clients = {w.pack: _client(reference_argv(launcher, w.main)) for w in WORKERS}
    try:
        yield {pack: client.__enter__() for pack, client in clients.items()}  # type: ignore[attr-defined]
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def host_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One ``vgi-host serve`` with both ports installed as packs."""
    state = tmp_path_factory.mktemp("host-state")
    (state / "config.toml").write_text("# thirdparty: no selection file\n")
    exe = shutil.which("vgi-host", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("the vgi-host console script is not installed next to this interpreter")
    packs = ",".join(w.pack for w in WORKERS)
    environment = [f"{k}={v}" for k, v in host_environment(PORT_DIRECTORY, state, packs).items()]
    with _client(["/usr/bin/env", *environment, exe, "serve", "--strict"]) as client:  # type: ignore[attr-defined]
        try:
            client.catalogs()
        except Exception as exc:  # a port failed to load: --strict made the host exit
            pytest.fail(f"vgi-host did not serve the ported workers (its reason is on stderr above): {exc}")
        yield client


def attach(client: object, worker: ThirdParty) -> object:
    """ATTACH by the worker's own catalog name."""
    return client.catalog_attach(  # type: ignore[attr-defined]
        name=worker.catalog, data_version_spec=None, implementation_version=None
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(PORT_DIRECTORY, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    write = terminalreporter.write_line
    write("")
    write("third-party workers ported by the rule, compared with the originals through the reference client:")
    for kind in sorted({f.kind for f in FUNCTIONS}):
        total = sum(1 for f in FUNCTIONS if f.kind == kind)
        counts = _outcomes.get(kind, collections.Counter())
        write(f"  {kind:<16} passed {counts['passed']:>3}  failed {counts['failed']:>3}  (of {total})")
