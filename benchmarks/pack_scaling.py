"""Start-up cost as packs are installed: 1, 10 and 50 packs, cold and warm manifest cache.

For each pack count this builds a throwaway virtual environment (under
``.bench/scaling-<n>``) with vgi-host and n generated pack distributions
installed as real wheels; each pack's module costs ~50 ms to import (it sleeps,
standing in for a pack that pulls in numpy or shapely).  It then times, with
the reference vgi-python Client (imported once, before timing):

* ``vgi-host serve`` spawned → first scalar result (from pack 0), warm cache;
* the same with the manifest cache disabled (``VGI_HOST_NO_CACHE=1``: every pack imported);
* ``vgi-host list --json``, warm cache.

Run:  python3 benchmarks/pack_scaling.py  [--counts 1 10 50] [--rounds 10]
(needs ``uv`` on PATH; it re-runs itself inside a venv that has vgi-python).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / ".bench"
DRIVER_VENV = WORK / "driver"

PACK_TEMPLATE = '''
"""Generated benchmark pack {index}: importing it costs ~50 ms."""

import time
from typing import Annotated

import pyarrow as pa

from vgi_host import Param, Returns, ScalarFunction, hookimpl

time.sleep(0.05)


class Plus{index}(ScalarFunction):
    """Add {index}."""

    class Meta:
        name = "plus"

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="x")]) -> Annotated[pa.Int64Array, Returns()]:
        import pyarrow.compute as pc

        return pc.add(x, {index})


@hookimpl
def register_functions(register):
    register(Plus{index})
'''


def run(*argv: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in argv], check=True, env={**os.environ, **(env or {})})


def make_pack(root: Path, index: int) -> Path:
    package = f"bench_pack_{index:03d}"
    directory = root / f"bench-pack-{index:03d}"
    (directory / package).mkdir(parents=True, exist_ok=True)
    (directory / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [project]
        name = "bench-pack-{index:03d}"
        version = "1.0"
        requires-python = ">=3.13"
        dependencies = ["vgi-host>=0.1,<0.2"]
        [project.entry-points."vgi.functions"]
        p{index:03d} = "{package}"
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        [tool.hatch.build.targets.wheel]
        packages = ["{package}"]
        """)
    )
    (directory / package / "__init__.py").write_text(PACK_TEMPLATE.format(index=index))
    return directory


def environment(count: int) -> Path:
    venv = WORK / f"scaling-{count}"
    marker = venv / ".ready"
    if marker.exists():  # packs are built once; vgi-host is reinstalled from the tree every run
        run(
            "uv",
            "pip",
            "install",
            "--quiet",
            "--no-sources",
            "--compile-bytecode",
            "--reinstall-package",
            "vgi-host",
            "--python",
            venv / "bin" / "python",
            REPO,
        )
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    run("uv", "venv", "--quiet", venv, env={"UV_PYTHON_DOWNLOADS": "never"})
    packs = [make_pack(WORK / "packs", i) for i in range(count)]
    run(
        "uv",
        "pip",
        "install",
        "--quiet",
        "--no-sources",
        "--compile-bytecode",
        "--python",
        venv / "bin" / "python",
        REPO,
        *packs,
    )
    marker.write_text("ok")
    return venv


def ensure_driver() -> None:
    """Re-run inside a venv with the reference client (vgi-python is not a runtime dependency)."""
    if os.environ.get("VGI_HOST_BENCH_DRIVER"):
        return
    python = DRIVER_VENV / "bin" / "python"
    if not python.exists():
        run("uv", "venv", "--quiet", DRIVER_VENV, env={"UV_PYTHON_DOWNLOADS": "never"})
        run("uv", "pip", "install", "--quiet", "--compile-bytecode", "--python", python, "vgi-python==0.47.0")
    os.execve(python, [str(python), __file__, *sys.argv[1:]], {**os.environ, "VGI_HOST_BENCH_DRIVER": "1"})


def first_result(argv: list[str], env: dict[str, str]) -> float:
    import pyarrow as pa
    from vgi.client import Client

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        batch = pa.RecordBatch.from_pydict({"x": [1, 2, 3]})
        start = time.perf_counter()
        with Client(argv, pool=None, worker_limit=1) as client:
            (result,) = client.scalar_function(
                function_name="plus", schema_path=["p000"], input=iter([batch])
            )
            elapsed = time.perf_counter() - start
        assert result.column(0).to_pylist() == [1, 2, 3]
        return elapsed
    finally:
        os.environ.clear()
        os.environ.update(saved)


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, env={**os.environ, **env})
    return time.perf_counter() - start


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    ensure_driver()
    rows = []
    (WORK / "none.toml").write_text("# pack_scaling.py: no selection\n")
    for count in options.counts:
        venv = environment(count)
        exe = str(venv / "bin" / "vgi-host")
        cache = {
            "VGI_HOST_CACHE_DIR": str(WORK / f"cache-{count}"),
            "VGI_HOST_CONFIG": str(WORK / "none.toml"),
        }
        no_cache = {**cache, "VGI_HOST_NO_CACHE": "1"}
        timed([exe, "list", "--json"], cache)  # fill the cache, warm the page cache
        first_result([exe, "serve"], cache)
        warm = [first_result([exe, "serve"], cache) for _ in range(options.rounds)]
        cold = [first_result([exe, "serve"], no_cache) for _ in range(max(3, options.rounds // 3))]
        listing = [timed([exe, "list", "--json"], cache) for _ in range(options.rounds)]
        rows.append((count, median_ms(warm), median_ms(cold), median_ms(listing)))
    header = (
        "packs",
        "serve → first result, cached manifests",
        "same, no cache (every pack imported)",
        "list --json",
    )
    print("| " + " | ".join(header) + " |")
    print("| ---: | ---: | ---: | ---: |")
    for count, warm, cold, listing in rows:
        print(f"| {count} | {warm:.0f} ms | {cold:.0f} ms | {listing:.0f} ms |")
    if len(rows) > 1:
        base, last = rows[0], rows[-1]
        print(
            f"\n{last[0]} packs vs {base[0]}: serve {last[1] / base[1]:.2f}x, list {last[3] / base[3]:.2f}x"
        )


if __name__ == "__main__":
    main()
