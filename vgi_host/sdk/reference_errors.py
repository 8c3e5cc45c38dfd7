"""The reference SDK's error classes that worker code raises or catches, by name.

Raised from pack code they behave like any exception (the host adds the pack
and function in front of the message and keeps the message unchanged); the
ones about arguments are ``BindError`` subclasses so that a bind-time raise
reads as the caller's mistake.
"""

from __future__ import annotations

from vgi_host.errors import BindError


class ArgumentValidationError(BindError):
    """An argument value is out of range or otherwise not accepted."""


class TableInputValidationError(BindError):
    """The input table of a table-in-out function does not have the expected shape."""


class TypeMismatchError(BindError, TypeError):
    """An argument or input column has a type the function cannot take."""


class RowCountMismatchError(Exception):
    """A function returned a different number of rows than it received."""
