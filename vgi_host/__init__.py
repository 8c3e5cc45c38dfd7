"""vgi-host: serve every installed VGI function pack through one DuckDB ATTACH.

This module is the pack author's public API and nothing else: the function
base classes of the four kinds, the annotation markers, the objects callbacks
receive, and the pluggy ``hookimpl`` marker.

Names are resolved on first use (PEP 562): a host process that only answers
catalog calls never imports the SDK or pluggy, and DuckDB starts one such
process per worker slot.  ``from vgi_host import ScalarFunction`` works as
usual, and type checkers see the real imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AggregateFunction": "vgi_host.sdk.aggregate",
    "Arg": "vgi_host.sdk.params",
    "Args": "vgi_host.sdk.context",
    "BindError": "vgi_host.errors",
    "BindParams": "vgi_host.sdk.context",
    "ConstParam": "vgi_host.sdk.params",
    "DistinctDependence": "vgi_host.protocol.enums",
    "FunctionExample": "vgi_host.sdk.params",
    "FunctionStability": "vgi_host.protocol.enums",
    "NullHandling": "vgi_host.protocol.enums",
    "OrderDependence": "vgi_host.protocol.enums",
    "OutputCollector": "vgi_host.sdk.context",
    "PackTable": "vgi_host.sdk.objects",
    "PackView": "vgi_host.sdk.objects",
    "Param": "vgi_host.sdk.params",
    "ProcessParams": "vgi_host.sdk.context",
    "RegisterFunction": "vgi_host.packs.hookspecs",
    "Returns": "vgi_host.sdk.params",
    "ScalarFunction": "vgi_host.sdk.scalar",
    "TableFunctionGenerator": "vgi_host.sdk.table",
    "TableInOutFunction": "vgi_host.sdk.table_in_out",
    "TableInput": "vgi_host.sdk.params",
    "hookimpl": "vgi_host.packs.hookspecs",
    "hookspec": "vgi_host.packs.hookspecs",
}

__all__ = [
    "AggregateFunction",
    "Arg",
    "Args",
    "BindError",
    "BindParams",
    "ConstParam",
    "DistinctDependence",
    "FunctionExample",
    "FunctionStability",
    "NullHandling",
    "OrderDependence",
    "OutputCollector",
    "PackTable",
    "PackView",
    "Param",
    "ProcessParams",
    "RegisterFunction",
    "Returns",
    "ScalarFunction",
    "TableFunctionGenerator",
    "TableInOutFunction",
    "TableInput",
    "__version__",
    "hookimpl",
    "hookspec",
]

if TYPE_CHECKING:
    from vgi_host.errors import BindError
    from vgi_host.packs.hookspecs import RegisterFunction, hookimpl, hookspec
    from vgi_host.protocol.enums import DistinctDependence, FunctionStability, NullHandling, OrderDependence
    from vgi_host.sdk.aggregate import AggregateFunction
    from vgi_host.sdk.context import Args, BindParams, OutputCollector, ProcessParams
    from vgi_host.sdk.objects import PackTable, PackView
    from vgi_host.sdk.params import Arg, ConstParam, FunctionExample, Param, Returns, TableInput
    from vgi_host.sdk.scalar import ScalarFunction
    from vgi_host.sdk.table import TableFunctionGenerator
    from vgi_host.sdk.table_in_out import TableInOutFunction


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vgi_host' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
