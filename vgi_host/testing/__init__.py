"""Testing packs through a real ``vgi-host serve``: a client and a pytest plugin.

The plugin (:mod:`vgi_host.testing.plugin`) is registered with pytest through
the ``pytest11`` entry point, so installing vgi-host gives every test suite the
``vgi`` fixture::

    def test_distance(vgi):
        [km] = vgi.scalar("geo", "haversine_km", [48.8566], [2.3522], [51.5074], [-0.1278])
        assert round(km) == 344

Names here are resolved on first use (PEP 562): pytest imports the plugin in
every run, and a test session that never asks for the fixture should not pay
for the RPC layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["HostClient", "HostStartError", "VgiCallError"]

if TYPE_CHECKING:
    from vgi_host.testing.client import HostClient, HostStartError, VgiCallError


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'vgi_host.testing' has no attribute {name!r}")
    # Not cached here: looked up in sys.modules each time, so the names stay those of the
    # client module actually in use, even after a test runner drops and re-imports it.
    return getattr(importlib.import_module("vgi_host.testing.client"), name)


def __dir__() -> list[str]:
    return __all__
