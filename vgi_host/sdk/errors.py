"""Errors the SDK raises, split by who has to act on them.

``FunctionDefinitionError`` is for the pack author (the class is malformed and
cannot be registered); ``BindError`` is for the SQL user (the call does not fit
the function).  Errors raised by a pack's own ``compute`` stay the pack's own
types; the runtime prefixes them with the pack and function name.
"""

from __future__ import annotations

from typing import ClassVar


class FunctionDefinitionError(TypeError):
    """A function class cannot be registered: its signature or ``Meta`` is invalid."""


class BindError(ValueError):
    """A call does not fit the function: wrong column count, type, or constant value.

    Carries ``INVALID_ARGUMENT`` so clients can tell a user mistake from a host
    fault without parsing text.
    """

    # A plain string (vgi-rpc parses it into its ``Code``) so that importing the
    # SDK does not import the RPC framework: packs must stay cheap to import.
    error_code: ClassVar[str] = "INVALID_ARGUMENT"
