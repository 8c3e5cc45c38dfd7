"""Which function kinds exist, and how to get a definition from a registered class.

``register(cls)`` accepts any function class; this module is the one place that
maps a class to its kind's definition, so the loader and the catalog never
switch on base classes themselves.
"""

from __future__ import annotations

from vgi_host.sdk.aggregate import AggregateDefinition, AggregateFunction
from vgi_host.sdk.errors import FunctionDefinitionError
from vgi_host.sdk.scalar import ScalarDefinition, ScalarFunction
from vgi_host.sdk.table import TableDefinition, TableFunctionGenerator
from vgi_host.sdk.table_in_out import TableInOutDefinition, TableInOutFunction

FunctionDefinition = ScalarDefinition | TableDefinition | TableInOutDefinition | AggregateDefinition
"""Any kind's definition.  All have ``name``, ``metadata``, ``arguments`` and ``function_class``."""

_BASES: tuple[type, ...] = (ScalarFunction, TableFunctionGenerator, TableInOutFunction, AggregateFunction)


def definition_of(function_class: object) -> FunctionDefinition:
    """Validate a registered class and return its definition."""
    if isinstance(function_class, type):
        if issubclass(function_class, ScalarFunction):
            return function_class.definition()
        if issubclass(function_class, TableFunctionGenerator):
            return function_class.definition()
        if issubclass(function_class, TableInOutFunction):
            return function_class.definition()
        if issubclass(function_class, AggregateFunction):
            return function_class.definition()
    kinds = ", ".join(base.__name__ for base in _BASES)
    raise FunctionDefinitionError(f"register() expects a subclass of one of {kinds}; got {function_class!r}")
