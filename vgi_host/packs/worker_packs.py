"""A pack whose entry point names a reference-shaped ``Worker`` subclass instead of a hook module.

``worker_plugin`` turns such a class into the hook object the loader expects:
its ``register_functions`` registers every function of the worker's schema.
Served today: a worker with one schema of functions (it becomes the pack's
schema, named by the entry point).  A worker with several schemas, or with
tables, views, macros or a catalog interface, is refused with a message
saying so: multi-schema packs and catalog-level metadata are not served yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vgi_host.packs.hookspecs import hookimpl
from vgi_host.sdk.worker import Worker


class WorkerPackError(Exception):
    """A Worker pack uses something vgi-host cannot serve yet."""


class _WorkerHooks:
    """The hook implementations of one Worker-shaped pack."""

    def __init__(self, functions: tuple[type, ...]) -> None:
        self._functions = functions

    @hookimpl
    def register_functions(self, register: Callable[[type], None]) -> None:
        """Register every function of the worker's schema."""
        for function in self._functions:
            register(function)


def worker_plugin(target: Any) -> Any:
    """The hook object for ``target``: itself, unless it is a ``Worker`` subclass."""
    if not (isinstance(target, type) and issubclass(target, Worker)):
        return target
    name = target.__name__
    if target.catalog_interface is not None:
        raise WorkerPackError(f"{name}: a catalog_interface (versions, attach options) is not served yet")
    schemas = target.declared_schemas()
    if len(schemas) != 1:
        raise WorkerPackError(
            f"{name}: a Worker pack needs exactly one schema of functions; it declares {len(schemas)} "
            f"(multi-schema packs are not served yet)"
        )
    (schema,) = schemas
    extras = [kind for kind in ("tables", "views", "macros", "indexes") if getattr(schema, kind)]
    if extras:
        raise WorkerPackError(f"{name}: schema {schema.name!r} declares {', '.join(extras)}, not served yet")
    return _WorkerHooks(tuple(schema.functions))
