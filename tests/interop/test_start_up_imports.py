"""What `vgi-host serve` imports before it has answered its first catalog request.

DuckDB spawns one `vgi-host serve` per worker slot, so everything the serve path
imports is paid again and again.  This starts the real console script twice in a
throwaway cache (the first start warms the manifest and discovery caches, as the
first start on any machine does), has the reference client ask the second one
for its catalogs, and reads the modules it imported from Python's own
``-X importtime`` report (``PYTHONPROFILEIMPORTTIME=1``): nothing is patched into
the process.  A module on the deny list imported there fails the test.

The broken and incompatible test packs are disabled: a pack that fails to load
is imported (and an incompatible one checked with ``packaging``) on every start,
by design, so its error is reported fresh.
"""

from __future__ import annotations

import os
import shlex

import pytest
from vgi.client import Client

DENIED = {
    # the CLI stack of the other commands
    "typer": "the typer CLI (serve is dispatched before it)",
    "rich": "rich (only the typer commands print with it)",
    "click": "click (typer's base)",
    "pygments": "pygments (rich's highlighter)",
    "vgi_host.cli.app": "the typer app",
    # pack loading, needed only when a manifest is missing
    "pluggy": "pluggy (hooks run only when a pack is imported)",
    "packaging": "packaging (compatibility is checked only when a pack is imported)",
    "importlib.metadata": "importlib.metadata (discovery is cached)",
    "email": "the email parser (distribution metadata is read only by a discovery scan)",
    "vgi_host.packs.loader": "the pack loader",
    "vgi_host.packs.compatibility": "the compatibility check",
    # the packs themselves: a catalog request is answered from their manifests
    "vgi_pack_geo": "the geo pack's code",
    "vgi_pack_text": "the text pack's code",
    "vgi_pack_testkit": "the testkit pack's code",
    # the function kinds and the SDK: a kind is imported on its first call (the stream-state
    # union only the HTTP transport needs is declared there), and the catalog comes from manifests
    "vgi_host.kinds.scalar": "the scalar kind",
    "vgi_host.kinds.table": "the table kind",
    "vgi_host.kinds.table_in_out": "the table-in-out kind",
    "vgi_host.kinds.aggregate": "the aggregate kind",
    "vgi_host.kinds.table_buffering": "the table-buffering kind",
    "vgi_host.sdk.scalar": "the SDK's scalar functions",
    "vgi_host.sdk.table": "the SDK's table functions",
    "vgi_host.sdk.aggregate": "the SDK's aggregates",
    "vgi_host.sdk.binding": "the SDK's argument binding",
    # wire_methods.py is current: no wire class has its methods compiled at import
    "vgi_host.protocol.wire_codegen": "the wire-method generator",
    # compute kernels and other transports are not needed to list a catalog
    "pyarrow.compute": "pyarrow.compute (no kernel runs before the first batch)",
    "waitress": "the HTTP server",
    "granian": "the multi-process HTTP server",
    "falcon": "vgi-rpc's HTTP app",
    "redis": "the Redis state store",
    "psycopg": "the PostgreSQL state store",
}


def _imported(report: str) -> set[str]:
    """Every module named in an ``-X importtime`` report."""
    modules = set()
    for line in report.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules


def _denied(imported: set[str]) -> dict[str, str]:
    """Deny-list entries imported, themselves or any of their submodules."""
    return {
        module: why
        for module, why in DENIED.items()
        if module in imported or any(name.startswith(module + ".") for name in imported)
    }


def _catalogs(argv: list[str], report: str | None) -> int:
    command = shlex.join(argv)
    if report is not None:
        command = f"PYTHONPROFILEIMPORTTIME=1 exec {command} 2>{shlex.quote(report)}"
    with Client(["sh", "-c", command], pool=None, worker_limit=1) as client:
        return len(client.catalogs())


@pytest.fixture
def warm_serve(serve_argv, tmp_path, monkeypatch):
    """`vgi-host serve` (healthy packs) in a fresh cache, started once to warm it."""
    monkeypatch.setenv("VGI_HOST_CACHE_DIR", str(tmp_path / "cache"))
    argv = [*serve_argv, "--disable", "broken", "--disable", "future"]
    assert _catalogs(argv, None) == 1
    assert any((tmp_path / "cache").glob("discovery-*.json")), "the first start wrote no discovery cache"
    return argv


def test_serve_imports_nothing_on_the_deny_list_before_the_first_catalog_answer(warm_serve, tmp_path):
    report = tmp_path / "importtime.txt"
    assert _catalogs(warm_serve, str(report)) == 1
    imported = _imported(report.read_text())
    assert "vgi_host.runtime.host_service" in imported, "the report does not cover the serve path"
    assert "vgi_rpc" in imported
    found = _denied(imported)
    assert found == {}, f"imported on the serve path: {found}"


def test_the_report_would_see_a_denied_import(warm_serve, tmp_path):
    """The same probe, with the cache turned off: packs are imported, and the report says so."""
    report = tmp_path / "importtime.txt"
    os.environ["VGI_HOST_NO_CACHE"] = "1"
    try:
        assert _catalogs(warm_serve, str(report)) == 1
    finally:
        del os.environ["VGI_HOST_NO_CACHE"]
    assert {"pluggy", "importlib.metadata", "vgi_pack_geo"} <= set(_denied(_imported(report.read_text())))
