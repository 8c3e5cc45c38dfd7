"""Install footprint: what `pip install vgi-host` puts on a machine, and what `serve` imports.

Builds the wheel of this checkout, installs it into a fresh virtual
environment (with uv, from the configured index), then reports the number of
distributions, the size of site-packages, and the modules `vgi-host serve`
imports before it answers (``python -X importtime``, stdin closed at once, so
the process starts, loads no pack and exits as after a client's exit).

    python benchmarks/install_footprint.py            # this checkout
    python benchmarks/install_footprint.py --keep DIR # leave the venv in DIR to look around
    python benchmarks/install_footprint.py --also typer==0.29.2  # what a dependency change costs
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV" and not k.startswith("UV_INTERNAL")}
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, check=True, env=env, **kwargs
    )  # type: ignore[call-overload, no-any-return]


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="create the venv here and keep it")
    parser.add_argument("--also", action="append", default=[], help="a requirement to install alongside")
    options = parser.parse_args()
    uv = shutil.which("uv")
    if uv is None:
        sys.exit("needs uv on PATH")
    work = Path(tempfile.mkdtemp(prefix="vgi-footprint-"))
    venv = options.keep or work / "venv"
    try:
        run(uv, "build", "--quiet", "--wheel", "--out-dir", work / "dist", ROOT)
        [wheel] = (work / "dist").glob("vgi_host-*.whl")
        run(uv, "venv", "--quiet", "--python", sys.executable, venv)
        python = venv / "bin" / "python"
        run(uv, "pip", "install", "--quiet", "--python", python, wheel, *options.also)
        listed = run(uv, "pip", "list", "--python", python, "--format", "freeze").stdout.split()
        site = Path(
            run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
        )
        print(f"distributions installed: {len(listed)}")
        print("  " + " ".join(sorted(listed)))
        print(f"site-packages: {directory_bytes(site) / 1e6:.1f} MB")
        for heavy in ("pydantic", "pydantic_core", "pyarrow", "rich", "typer", "pygments"):
            if (site / heavy).is_dir():
                print(f"  {heavy}: {directory_bytes(site / heavy) / 1e6:.1f} MB")
        for _ in range(2):  # the first run also writes the .pyc files; report the second
            trace = subprocess.run(
                [str(python), "-X", "importtime", "-m", "vgi_host", "serve"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
                env={**os.environ, "VGI_HOST_NO_CACHE": "1"},
            ).stderr
        rows = [
            re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line) for line in trace.splitlines()
        ]
        top = [(int(m.group(2)), m.group(4)) for m in rows if m and len(m.group(3)) == 1]
        print(f"`vgi-host serve` imports (cumulative, top level): {sum(t for t, _ in top) / 1000:.0f} ms")
        for micros, module in sorted(top, reverse=True)[:8]:
            print(f"  {module}: {micros / 1000:.1f} ms")
        names = {m.group(4).split(".")[0] for m in rows if m}
        print(f"  typer imported: {'typer' in names}; rich imported: {'rich' in names}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
