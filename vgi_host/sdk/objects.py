"""Tables and views a pack adds to its schema, besides functions.

A :class:`PackTable` is a named, argument-free way to read one of the pack's
table functions (``SELECT * FROM geo.cities`` runs ``geo.world_cities()``): a
reference dataset, a configuration listing, a fixed query.  A
:class:`PackView` is SQL text DuckDB binds itself.  Both are registered from
the hooks ``register_tables(register)`` / ``register_views(register)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PackTable:
    """A table backed by one of the pack's table functions, called with fixed arguments."""

    name: str
    function: str | type
    """The table function: its SQL name, or its class (it must be registered by the same pack)."""
    arguments: tuple[Any, ...] = ()
    """Positional constant arguments, as Python values (typed by the function's declarations)."""
    named: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True, slots=True)
class PackView:
    """A view: SQL that DuckDB binds and plans itself.

    Refer to the pack's own objects by schema-qualified name (``geo.cities``):
    the catalog's name is chosen by whoever runs ATTACH, so it cannot appear
    in the SQL.
    """

    name: str
    sql: str
    description: str = ""
