"""Which function kinds exist, and how to get a definition from a registered class.

``register(cls)`` accepts any function class; this module is the one place that
maps a class to its kind's definition, so the loader and the catalog never
switch on base classes themselves.
"""

from __future__ import annotations

from vgi_host.sdk.errors import FunctionDefinitionError
from vgi_host.sdk.scalar import ScalarDefinition, ScalarFunction

FunctionDefinition = ScalarDefinition
"""Any kind's definition (a union as more kinds are added)."""


def definition_of(function_class: object) -> FunctionDefinition:
    """Validate a registered class and return its definition."""
    if isinstance(function_class, type) and issubclass(function_class, ScalarFunction):
        return function_class.definition()
    raise FunctionDefinitionError(
        f"register() expects a function class (a ScalarFunction subclass); got {function_class!r}"
    )
