"""vgi-host: serve every installed VGI function pack through one DuckDB ATTACH.

This module is the pack author's public API and nothing else: the function
base classes of the four kinds, the annotation markers, the objects callbacks
receive, and the pluggy ``hookimpl`` marker.  It deliberately imports no
protocol or server machinery, so a pack that does
``from vgi_host import ScalarFunction`` stays cheap to import.
"""

from __future__ import annotations

from vgi_host.packs.hookspecs import RegisterFunction, hookimpl, hookspec
from vgi_host.protocol.enums import DistinctDependence, FunctionStability, NullHandling, OrderDependence
from vgi_host.sdk.aggregate import AggregateFunction
from vgi_host.sdk.context import Args, BindParams, OutputCollector, ProcessParams
from vgi_host.sdk.params import Arg, ConstParam, FunctionExample, Param, Returns, TableInput
from vgi_host.sdk.scalar import ScalarFunction
from vgi_host.sdk.table import TableFunctionGenerator
from vgi_host.sdk.table_in_out import TableInOutFunction

__version__ = "0.1.0"

__all__ = [
    "AggregateFunction",
    "Arg",
    "Args",
    "BindParams",
    "ConstParam",
    "DistinctDependence",
    "FunctionExample",
    "FunctionStability",
    "NullHandling",
    "OrderDependence",
    "OutputCollector",
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
