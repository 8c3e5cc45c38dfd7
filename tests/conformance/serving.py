"""Serve one set of reference fixture classes twice: by the reference SDK and by vgi-host.

Both servers are real processes speaking the VGI protocol on stdin/stdout,
started by the reference client (``vgi.client.Client``) and stopped when the
client closes.  The reference side runs a generated worker script importing
the original classes from the installed wheel; the vgi-host side runs
``vgi-host serve`` with a generated throwaway pack on ``PYTHONPATH``: its
``*.dist-info`` directory declares the ``vgi.functions`` entry point, so the
host discovers it exactly like an installed distribution, and its module
registers the *ported* classes (``ported_fixtures``, see porter.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from porter import PORTED_PACKAGE

SCHEMA = "conformance"
DATA_SCHEMA = "data"
"""A second schema: the fixtures' same-named twins live in ``main`` and ``data`` of one worker."""
SCHEMAS = (SCHEMA, DATA_SCHEMA)
PACK_MODULE = "vgi_pack_conformance"


@dataclass(frozen=True)
class FixtureRef:
    """One reference class: the fixture module it lives in and its name."""

    module: str
    """Relative to ``vgi._test_fixtures``, e.g. ``scalar.arithmetic``."""
    name: str


def schema_of(ref: FixtureRef) -> str:
    """The schema a class is served in: ``data`` for the fixtures' ``data``-schema twins."""
    return DATA_SCHEMA if ref.name.startswith("SameNameData") else SCHEMA


def _names(refs: Sequence[FixtureRef], schema: str) -> str:
    return ", ".join(ref.name for ref in refs if schema_of(ref) == schema)


def _imports(refs: Sequence[FixtureRef], package: str) -> str:
    return "\n".join(f"from {package}.{ref.module} import {ref.name}" for ref in refs)


def write_reference_worker(directory: Path, refs: Sequence[FixtureRef]) -> list[str]:
    """A worker script serving ``refs`` in schema ``conformance``; returns its argv."""
    script = directory / "reference_worker.py"
    script.write_text(
        textwrap.dedent(
            """\
            from vgi.catalog import Catalog, Schema
            from vgi.worker import Worker
            {imports}


            class ConformanceWorker(Worker):
                catalog = Catalog(
                    name="conformance",
                    default_schema="{schema}",
                    schemas=[
                        Schema(path=["{schema}"], functions=[{names}]),
                        Schema(path=["{data}"], functions=[{data_names}]),
                    ],
                )


            if __name__ == "__main__":
                ConformanceWorker(quiet=True).run()
            """
        ).format(
            imports=_imports(refs, "vgi._test_fixtures"),
            schema=SCHEMA,
            names=_names(refs, SCHEMA),
            data=DATA_SCHEMA,
            data_names=_names(refs, DATA_SCHEMA),
        )
    )
    return [sys.executable, str(script)]


def write_throwaway_pack(directory: Path, refs: Sequence[FixtureRef]) -> Path:
    """The generated pack (module + dist-info) beside the ported fixtures; returns the path entry."""
    module = directory / PACK_MODULE
    module.mkdir(exist_ok=True)
    (module / "__init__.py").write_text(
        textwrap.dedent(
            '''\
            """Reference fixtures ported by the import rule, registered as one pack."""

            from vgi_host import RegisterFunction, RegisterSchema, Schema, hookimpl
            {imports}

            FUNCTIONS = [{names}]


            @hookimpl
            def register_functions(register: RegisterFunction) -> None:
                for function in FUNCTIONS:
                    register(function)


            @hookimpl
            def register_schemas(register: RegisterSchema) -> None:
                register(Schema(name="{data}", functions=[{data_names}]))
            '''
        ).format(
            imports=_imports(refs, PORTED_PACKAGE),
            names=_names(refs, SCHEMA),
            data=DATA_SCHEMA,
            data_names=_names(refs, DATA_SCHEMA),
        )
    )
    dist_info = directory / "vgi_pack_conformance-0.0.1.dist-info"
    if dist_info.exists():
        shutil.rmtree(dist_info)
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: vgi-pack-conformance\nVersion: 0.0.1\n"
        "Requires-Dist: vgi-host>=0.1,<0.2\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[vgi.functions]\n{SCHEMA} = {PACK_MODULE}\n")
    return directory


def host_environment(path_entry: Path, state_dir: Path, packs: str = SCHEMA) -> dict[str, str]:
    """Environment for ``vgi-host serve``: the pack(s) on PYTHONPATH, throwaway cache and state."""
    existing = os.environ.get("PYTHONPATH")
    return {
        "PYTHONPATH": str(path_entry) + (os.pathsep + existing if existing else ""),
        "VGI_HOST_CACHE_DIR": str(state_dir / "cache"),
        "VGI_HOST_STATE_DB": str(state_dir / "state.sqlite3"),
        "VGI_HOST_CONFIG": str(state_dir / "config.toml"),
        "VGI_HOST_PACKS": packs,
    }
