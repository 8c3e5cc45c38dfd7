"""Loading one pack in isolation: import, validate hooks, collect registrations.

Every way a pack can break (its import raises, it implements an unknown hook,
it lacks ``register_functions``, the hook raises, a registered class is
invalid, two functions share an SQL name) ends as a FAILED
:class:`~vgi_host.model.records.PackRecord` carrying the problem and its
traceback.  Nothing escapes to the caller, so one bad pack can never stop the
others (pluggy's own ``load_setuptools_entrypoints`` stops at the first).

Each pack gets its own :class:`pluggy.PluginManager`: the registrations it
makes are then unambiguously its own, and pluggy validates its hook
implementations against our specs on their own.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pluggy

from vgi_host.catalog.table_entries import DeclaredTable, object_entries
from vgi_host.errors import FunctionDefinitionError
from vgi_host.kinds.capture import function_entries
from vgi_host.kinds.registry import definition_of
from vgi_host.model.candidate import PackCandidate
from vgi_host.model.pack_catalog import PackCatalog, SchemaMeta
from vgi_host.model.records import HOST_SCHEMA, PackRecord, PackStatus, not_served
from vgi_host.packs import hookspecs
from vgi_host.packs.discovery import NameClash
from vgi_host.packs.overload_checks import overload_problems
from vgi_host.packs.table_registrations import check_names, declared_tables, declared_views
from vgi_host.packs.worker_packs import worker_catalog, worker_plugin
from vgi_host.sdk.definition import FunctionDefinition
from vgi_host.sdk.metadata import SQL_IDENTIFIER
from vgi_host.sdk.objects import PackView
from vgi_host.sdk.overloads import group_overloads

DYNAMIC_CATALOG_FLAG = "VGI_HOST_DYNAMIC_CATALOG"
"""Set to True on a pack's entry-point object to never cache its catalog (it changes at run time)."""

RESERVED_PACK_NAMES = frozenset({HOST_SCHEMA, "information_schema", "pg_catalog", "system", "temp"})
"""Schema names the host or DuckDB already uses; a pack may not take them."""


class PackLoadError(Exception):
    """Internal: one stage of loading failed; carries the user-facing text."""

    def __init__(self, problem: str, remedy: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.remedy = remedy


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Pack code must not write to stdout: under `serve` stdout is the protocol channel."""
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved


def _import_target(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    obj: Any = importlib.import_module(module_name.strip())
    for part in filter(None, attribute.strip().split(".")):
        obj = getattr(obj, part)
    return obj


def _plugin_manager(pack: str, plugin: Any) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    try:
        manager.register(plugin, name=pack)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PackLoadError(
            f"invalid hook implementation: {exc}", "fix the hook's name or signature"
        ) from exc
    if not (manager.hook.register_functions.get_hookimpls() or manager.hook.register_schemas.get_hookimpls()):
        raise PackLoadError(
            "does not implement the required hook register_functions (or register_schemas)",
            "decorate a `register_functions(register)` function with @vgi_host.hookimpl",
        )
    return manager


def _definitions(registered: list[object]) -> tuple[FunctionDefinition, ...]:
    definitions: list[FunctionDefinition] = []
    problems: list[str] = []
    for function_class in registered:
        try:
            definitions.append(definition_of(function_class))
        except FunctionDefinitionError as exc:
            problems.append(f"invalid function: {exc}")
    problems.extend(overload_problems(definitions))
    if problems:
        raise PackLoadError("; ".join(problems), "fix the function classes named above")
    return tuple(sorted(group_overloads(definitions), key=lambda d: d.name))


@dataclass(frozen=True, slots=True)
class ImportedSchema:
    """One schema a pack serves: its name in the merged catalog, its own metadata, its objects."""

    name: str
    definitions: tuple[FunctionDefinition, ...]
    tables: tuple[DeclaredTable, ...] = ()
    views: tuple[PackView, ...] = ()
    meta: SchemaMeta | None = None


@dataclass(frozen=True, slots=True)
class ImportedPack:
    """A pack's validated schemas, its own catalog (a Worker's), and whether it opted out of caching."""

    schemas: tuple[ImportedSchema, ...]
    dynamic: bool
    catalog: PackCatalog | None = None

    @property
    def definitions(self) -> tuple[FunctionDefinition, ...]:
        """The functions of the pack's first schema (the only one of a cacheable pack)."""
        return self.schemas[0].definitions if self.schemas else ()

    @property
    def cacheable(self) -> bool:
        """One schema named like the pack, with no metadata of its own: a manifest holds all of it.

        A pack with several schemas or with catalog/schema metadata is imported at start-up
        (its catalog interface is live code); its manifest is not cached.
        """
        return self.catalog is None and len(self.schemas) == 1 and self.schemas[0].meta is None


def _served_name(pack: str, schema: Any, alone: bool) -> str:
    """A declared schema's name in the merged catalog.

    The pack's only schema, and a schema called ``main`` (the host's), take the pack's name;
    any other keeps its own.  The pack's own catalog (ATTACH by its name) shows the original.
    """
    path = list(schema.path)
    if len(path) != 1:
        raise PackLoadError(
            f"schema path {path!r} has {len(path)} parts; vgi-host serves one-part schema names",
            "declare the schema with Schema(name=...)",
        )
    (name,) = path
    if alone or name.lower() == HOST_SCHEMA:
        return pack
    problem = _naming_problem(name)
    if problem is not None:
        raise PackLoadError(problem.replace("pack name", "schema name"), "rename the schema")
    return str(name)


def _schemas(
    pack: str,
    functions: list[object],
    tables: tuple[DeclaredTable, ...],
    views: tuple[PackView, ...],
    declared: list[Any],
) -> tuple[ImportedSchema, ...]:
    """The pack's schemas: its own (``register_functions``/tables/views) and every declared one."""
    from vgi_host.sdk.worker import Schema

    own = bool(functions or tables or views)
    alone = not own and len(declared) == 1
    by_name: dict[str, tuple[list[object], SchemaMeta | None]] = {}
    if own or not declared:
        by_name[pack.lower()] = (list(functions), None)
    names: dict[str, str] = {pack.lower(): pack}
    for schema in declared:
        if not isinstance(schema, Schema):
            raise PackLoadError(
                f"register_schemas registered {schema!r}, not a vgi_host.Schema",
                "register Schema(...) objects",
            )
        served = _served_name(pack, schema, alone)
        meta = SchemaMeta(tuple(schema.path), schema.comment, dict(schema.tags))
        previous = by_name.get(served.lower())
        if previous is not None and previous[1] is not None:
            raise PackLoadError(f"two of its schemas are both served as {served!r}", "rename one of them")
        names[served.lower()] = served
        by_name[served.lower()] = ([*(previous[0] if previous else []), *schema.functions], meta)
    result: list[ImportedSchema] = []
    for key, (registered, declared_meta) in by_name.items():
        name = names[key]
        mine = name == pack
        result.append(
            ImportedSchema(
                name,
                _definitions(registered),
                tables if mine else (),
                views if mine else (),
                declared_meta,
            )
        )
    return tuple(result)


_STAGE_PROBLEMS = {
    "import": "import of {target!r} failed",
    "worker": "its Worker class cannot be served",
    "hooks": "registering its hooks failed",
    "register_functions": "its register_functions hook raised",
    "register_tables": "its register_tables hook raised",
    "register_views": "its register_views hook raised",
    "register_schemas": "its register_schemas hook raised",
    "catalog": "its catalog interface failed",
    "validate": "validating its functions failed",
    "objects": "validating its tables and views failed",
}


def import_pack(candidate: PackCandidate, plugin: object | None = None) -> ImportedPack:
    """Import one pack and validate its registrations; raise :class:`PackLoadError` on any failure.

    ``plugin`` is the pack's hook object when the caller already has it (the
    host's built-in ``main`` pack); otherwise the entry point's target is
    imported.
    """
    stage = "import"
    try:
        with _stdout_to_stderr():
            if plugin is None:
                plugin = _import_target(candidate.target)
                stage = "worker"
                plugin = worker_plugin(plugin)
            stage = "hooks"
            manager = _plugin_manager(candidate.name, plugin)
            stage = "register_functions"
            registered: list[object] = []
            manager.hook.register_functions(register=registered.append)
            stage = "register_tables"
            registered_tables: list[object] = []
            manager.hook.register_tables(register=registered_tables.append)
            stage = "register_views"
            registered_views: list[object] = []
            manager.hook.register_views(register=registered_views.append)
            stage = "register_schemas"
            registered_schemas: list[object] = []
            manager.hook.register_schemas(register=registered_schemas.append)
            stage = "catalog"
            catalog = worker_catalog(plugin, candidate.name)
        stage = "validate"
        definitions = _definitions(registered)
        stage = "objects"
        tables = declared_tables(registered_tables, definitions)
        views = declared_views(registered_views)
        check_names(tables, views)
        stage = "validate"
        schemas = _schemas(candidate.name, registered, tuple(tables), tuple(views), registered_schemas)
        dynamic = bool(getattr(plugin, DYNAMIC_CATALOG_FLAG, False))
        return ImportedPack(schemas, dynamic, catalog)
    except PackLoadError:
        raise
    except (Exception, SystemExit) as exc:
        problem = _STAGE_PROBLEMS[stage].format(target=candidate.target)
        remedy = (
            f"reinstall or upgrade {candidate.distribution}, or report the error to its author"
            if stage == "import"
            else f"report the error to the author of {candidate.distribution}"
        )
        raise PackLoadError(f"{problem}: {type(exc).__name__}: {exc}", remedy) from exc


def load_pack(
    candidate: PackCandidate, declared_host_range: str | None = None, plugin: object | None = None
) -> PackRecord:
    """Import and validate one single-schema pack (the host's ``main``); never raises."""
    return load_pack_schemas(candidate, declared_host_range, plugin)[0]


def load_pack_schemas(
    candidate: PackCandidate, declared_host_range: str | None = None, plugin: object | None = None
) -> list[PackRecord]:
    """Import and validate one pack: one record per schema it serves (one failed record); never raises."""
    started = time.perf_counter()
    naming_problem = _naming_problem(candidate.name) if plugin is None else None
    if naming_problem is not None:
        remedy = f"ask the author of {candidate.distribution} to rename the entry point"
        return [_failed(candidate, started, naming_problem, remedy, None)]
    try:
        imported = import_pack(candidate, plugin)
        built = [
            (
                schema,
                function_entries(schema.name, schema.definitions),
                *object_entries(schema.name, schema.tables, schema.views),
            )
            for schema in imported.schemas
        ]
    except PackLoadError as exc:
        failed = _failed(candidate, started, exc.problem, exc.remedy, traceback.format_exc())
        failed.declared_host_range = declared_host_range  # `info` shows what it declares, loaded or not
        return [failed]
    seconds = time.perf_counter() - started
    return [
        PackRecord.of(
            candidate,
            PackStatus.LOADED,
            name=schema.name,
            entries=entries,
            tables=tables,
            views=views,
            load_seconds=seconds,
            declared_host_range=declared_host_range,
            definitions=schema.definitions,
            dynamic=imported.dynamic or not imported.cacheable,
            schema_meta=schema.meta,
            catalog=imported.catalog,
            pack=candidate.name,
        )
        for schema, entries, tables, views in built
    ]


def _naming_problem(name: str) -> str | None:
    """Checked before import: a pack whose name cannot be a schema is never imported."""
    if not SQL_IDENTIFIER.match(name):
        return f"pack name {name!r} is not a valid SQL identifier (letters, digits, underscore)"
    if name.lower() in RESERVED_PACK_NAMES:
        return f"pack name {name!r} is reserved for the host's or DuckDB's own schema"
    return None


def _failed(
    candidate: PackCandidate, started: float, problem: str, remedy: str | None, trace: str | None
) -> PackRecord:
    return not_served(candidate, PackStatus.FAILED, problem, remedy, trace, time.perf_counter() - started)


def clash_records(clash: NameClash) -> list[PackRecord]:
    """Describe every claimant of a clashing pack name as a failed pack."""
    return [not_served(c, PackStatus.FAILED, clash.message, clash.remedy) for c in clash.claimants]
