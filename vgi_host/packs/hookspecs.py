"""The hooks a function pack implements.

A pack is any importable module (or object) named by an entry point in the
``vgi.functions`` group; the host calls the hooks below on it.  Each hook
receives a ``register`` callback rather than returning a list, so the host can
stamp every registration with the pack that made it and validate it on the spot
(the shape llm and datasette use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT_NAME = "vgi_host"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

RegisterFunction = Callable[[type], None]
RegisterObject = Callable[[Any], None]


@hookspec
def register_functions(register: RegisterFunction) -> None:
    """Register the pack's functions: call ``register(FunctionClass)`` once per function.

    Required.  The SQL name is ``Meta.name`` or the class name in snake_case;
    two functions with one SQL name in a pack are reported as a conflict.
    """


@hookspec
def register_tables(register: RegisterObject) -> None:
    """Optional: call ``register(PackTable(...))`` for each table the pack's schema shows.

    A table reads one of the pack's own table functions with fixed arguments;
    ``SELECT * FROM <pack>.<table>`` is the way users meet reference data.
    """


@hookspec
def register_views(register: RegisterObject) -> None:
    """Optional: call ``register(PackView(name, sql))`` for each view in the pack's schema."""


RegisterSchema = Callable[[Any], None]


@hookspec
def register_schemas(register: RegisterSchema) -> None:
    """Optional: call ``register(Schema(name, comment=..., tags=..., functions=[...]))`` per extra schema.

    A ``Schema`` named like the pack describes the pack's own schema (its
    comment and tags; its functions join those of ``register_functions``).
    Any other name is one more schema the pack serves; ``main`` is the host's,
    so a schema of that name is served under the pack's name.  A schema name
    another pack also claims is reported as a conflict and served by neither.
    """
