"""vgi-host: serve every installed VGI function pack through one DuckDB ATTACH.

This module is the pack author's public API and nothing else: the function
base classes, the annotation markers, and the pluggy ``hookimpl`` marker.  It
deliberately imports no protocol or server machinery, so a pack that does
``from vgi_host import ScalarFunction`` stays cheap to import.
"""

from __future__ import annotations

from vgi_host.packs.hookspecs import RegisterFunction, hookimpl, hookspec
from vgi_host.protocol.enums import FunctionStability, NullHandling
from vgi_host.sdk.params import ConstParam, FunctionExample, Param, Returns
from vgi_host.sdk.scalar import ScalarFunction

__version__ = "0.1.0"

__all__ = [
    "ConstParam",
    "FunctionExample",
    "FunctionStability",
    "NullHandling",
    "Param",
    "RegisterFunction",
    "Returns",
    "ScalarFunction",
    "__version__",
    "hookimpl",
    "hookspec",
]
