"""Markers for ``compute`` parameters the reference SDK fills from the session, not from SQL.

``Setting()`` (a DuckDB setting's value), ``Secret(type)`` (a DuckDB secret's
fields) and ``Auth()`` (the caller's identity) are importable so that a
module using them still imports and its other functions still load.  The host
does not yet pass settings, secrets or identities to packs, so a function that
declares one of these is refused at registration with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    """The value of a DuckDB setting (by the parameter's name unless ``name`` is given)."""

    name: str | None = None
    desc: str = ""
    default: Any = None


@dataclass(frozen=True, slots=True)
class Secret:
    """The fields of the DuckDB secret of type ``secret_type``."""

    secret_type: str
    secret_name: str | None = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class Auth:
    """The authenticated caller's :class:`AuthContext`."""


@dataclass(frozen=True, slots=True)
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


UNSERVED_MARKERS: tuple[type, ...] = (Setting, Secret, Auth)
"""Parameter markers whose values the host cannot supply yet."""
