"""Markers for parameters filled from the call's session, not from SQL.

``Setting()`` (a DuckDB setting's value), ``Secret(type)`` (a DuckDB secret's
fields) and ``Auth()`` (the caller's identity) mark parameters of a scalar's
``compute`` or of a table function's ``on_bind`` (see :mod:`vgi_host.sdk.session`).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from vgi_host.protocol.wire import frozen_record


@frozen_record
class Setting:
    """The value of a DuckDB setting (by the parameter's name unless ``name`` is given)."""

    name: str | None = None
    desc: str = ""
    default: Any = None


@frozen_record
class Secret:
    """The fields of the DuckDB secret of type ``secret_type`` (optionally by ``name`` or ``scope``)."""

    secret_type: str
    name: str | None = None
    scope: str | None = None


@frozen_record
class Auth:
    """The authenticated caller's :class:`AuthContext`."""


@frozen_record
class AuthContext:
    """Who is calling: a principal and its claims (always anonymous under vgi-host today)."""

    principal: str | None = None
    domain: str | None = None
    authenticated: bool = False
    claims: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def anonymous(cls) -> AuthContext:
        """The identity of an unauthenticated caller."""
        return cls()
