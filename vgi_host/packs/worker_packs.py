"""A pack whose entry point names a reference-shaped ``Worker`` subclass instead of a hook module.

``worker_plugin`` turns such a class into the hook object the loader expects:
its ``register_schemas`` hook registers every schema of the worker's catalog
(with its comment and tags), and :func:`worker_catalog` asks the worker's
catalog interface (its own ``ReadOnlyCatalogInterface`` subclass, or the
plain one) what it answers to ``catalogs()`` and ``catalog_attach()``, so the
host can later answer the same.

Tables, views, macros and indexes declared in a worker's schema are refused
with a message saying so: vgi-host serves a worker's functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vgi_host.model.pack_catalog import PackCatalog
from vgi_host.packs.hookspecs import hookimpl
from vgi_host.sdk.catalog_interface import ReadOnlyCatalogInterface
from vgi_host.sdk.worker import Schema, Worker


class WorkerPackError(Exception):
    """A Worker pack uses something vgi-host cannot serve yet."""


class _WorkerHooks:
    """The hook implementations of one Worker-shaped pack."""

    def __init__(self, worker: type[Worker], schemas: tuple[Schema, ...]) -> None:
        self.worker = worker
        self._schemas = schemas

    @hookimpl
    def register_functions(self, register: Callable[[type], None]) -> None:
        """Nothing outside the worker's schemas (required hook; the schemas carry every function)."""

    @hookimpl
    def register_schemas(self, register: Callable[[Schema], None]) -> None:
        """Register every schema of the worker's catalog."""
        for schema in self._schemas:
            register(schema)


def worker_plugin(target: Any) -> Any:
    """The hook object for ``target``: itself, unless it is a ``Worker`` subclass."""
    if not (isinstance(target, type) and issubclass(target, Worker)):
        return target
    name = target.__name__
    schemas = target.declared_schemas()
    if not schemas:
        raise WorkerPackError(f"{name}: the worker declares no schema and no functions")
    for schema in schemas:
        extras = [kind for kind in ("tables", "views", "macros", "indexes") if getattr(schema, kind)]
        if extras:
            raise WorkerPackError(
                f"{name}: schema {schema.name!r} declares {', '.join(extras)}; "
                f"vgi-host serves a worker's functions only"
            )
    return _WorkerHooks(target, tuple(schemas))


def worker_catalog(plugin: Any, pack: str) -> PackCatalog | None:
    """What a Worker pack's catalog interface answers, or None for a hook module / bare function list.

    The interface's own ``catalogs()`` and ``catalog_attach(name=<its catalog>)``
    run here, once, at load; a failure is a load failure naming the pack.
    """
    if not isinstance(plugin, _WorkerHooks) or plugin.worker.catalog is None:
        return None
    worker = plugin.worker
    interface_class = worker.catalog_interface
    if interface_class is None:
        interface_class = type(f"{worker.__name__}Catalog", (ReadOnlyCatalogInterface,), {})
    if not (isinstance(interface_class, type) and issubclass(interface_class, ReadOnlyCatalogInterface)):
        raise WorkerPackError(
            f"{worker.__name__}: catalog_interface must subclass ReadOnlyCatalogInterface "
            f"(got {interface_class!r}); writable catalogs are not served"
        )
    if interface_class.catalog is None:
        interface_class = type(interface_class.__name__, (interface_class,), {"catalog": worker.catalog})
    interface = interface_class()
    listed = interface.catalogs()
    if len(listed) != 1:
        raise WorkerPackError(
            f"{worker.__name__}: its catalog interface lists {len(listed)} catalogs; one is served"
        )
    (info,) = listed
    attach = interface.catalog_attach(
        name=info.name, options={}, data_version_spec=None, implementation_version=None
    )
    return PackCatalog(pack=pack, info=info, attach=attach, interface=interface)
