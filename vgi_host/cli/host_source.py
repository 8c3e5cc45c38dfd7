"""Where this vgi-host came from, so a new pack can depend on it before it is on PyPI.

A pack's pyproject depends on ``vgi-host``.  Until vgi-host is published, an
index cannot satisfy that, so `vgi-host new` asks how the running vgi-host was
installed (PEP 610's ``direct_url.json``): from a local checkout or a local
wheel, the new pack gets a ``[tool.uv.sources]`` entry pointing there, which
``uv pip install`` and ``uv run`` honour; pip users get the equivalent command
line.  Installed from an index, nothing is added and the pack resolves
vgi-host like any other dependency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["LocalHost", "local_host"]


@dataclass(frozen=True, slots=True)
class LocalHost:
    """A vgi-host installed from the local file system."""

    path: Path
    """A checkout (directory) or a wheel file."""
    editable: bool

    def uv_source(self) -> str:
        """The ``[tool.uv.sources]`` table for the pack's pyproject."""
        editable = ", editable = true" if self.editable else ""
        return (
            "\n# vgi-host from the local checkout or wheel `vgi-host new` ran from (it is not on\n"
            "# PyPI yet).  Delete this table once `pip install vgi-host` works.\n"
            f"[tool.uv.sources]\nvgi-host = {{ path = {json.dumps(str(self.path))}{editable} }}\n"
        )

    def pip_argument(self) -> str:
        """What to add to a ``pip install`` so vgi-host comes from here."""
        return f"-e {self.path}" if self.editable else str(self.path)


def local_host() -> LocalHost | None:
    """The local checkout or wheel vgi-host was installed from, if it was and still exists."""
    try:
        raw = metadata.distribution("vgi-host").read_text("direct_url.json")
        document = json.loads(raw) if raw else {}
    except (metadata.PackageNotFoundError, ValueError):
        return None
    url = urlparse(str(document.get("url", "")))
    if url.scheme != "file":
        return None
    path = Path(unquote(url.path))
    if not path.exists():
        return None
    editable = bool(document.get("dir_info", {}).get("editable", False))
    return LocalHost(path, editable)
