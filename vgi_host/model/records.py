"""What the host knows about each pack: where it came from, its status, its functions.

Listings, the catalog and error messages are produced from records, never from
pack modules, so a broken pack is described with the same care as a working
one.  A record's functions are :class:`FunctionEntry` data; the pack's classes
(``FunctionDefinition``) are imported only when a call needs one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any

from vgi_host.errors import PackImportError
from vgi_host.model.about import PackAbout
from vgi_host.model.candidate import PackCandidate
from vgi_host.model.entries import FunctionEntry, TableEntry, ViewEntry
from vgi_host.model.pack_catalog import PackCatalog, SchemaMeta

if TYPE_CHECKING:  # the SDK is imported only when a pack is
    from vgi_host.sdk.definition import FunctionDefinition

HOST_SCHEMA = "main"
"""The host's own schema (introspection tables and unqualified aliases); no pack may take it."""

Importer = Callable[[], "tuple[FunctionDefinition, ...]"]
"""Imports a pack and returns its validated definitions (raises on failure)."""


class PackStatus(Enum):
    """Outcome of considering one pack."""

    LOADED = "loaded"
    FAILED = "failed"
    DISABLED = "disabled"
    INCOMPATIBLE = "incompatible"


class PackRecord:
    """One pack, loaded or not.  Everything but the lazily imported definitions is plain data."""

    __slots__ = (
        "_by_name",
        "_definitions",
        "_importer",
        "about",
        "catalog",
        "declared_host_range",
        "distribution",
        "dynamic",
        "entries",
        "from_cache",
        "load_seconds",
        "name",
        "pack",
        "problems",
        "remedy",
        "schema_meta",
        "status",
        "tables",
        "target",
        "traceback",
        "version",
        "views",
    )

    def __init__(
        self,
        *,
        name: str,
        distribution: str,
        version: str,
        target: str,
        status: PackStatus,
        entries: tuple[FunctionEntry, ...] = (),
        tables: tuple[TableEntry, ...] = (),
        views: tuple[ViewEntry, ...] = (),
        problems: tuple[str, ...] = (),
        traceback: str | None = None,
        remedy: str | None = None,
        load_seconds: float = 0.0,
        declared_host_range: str | None = None,
        from_cache: bool = False,
        dynamic: bool = False,
        definitions: tuple[FunctionDefinition, ...] | None = None,
        importer: Importer | None = None,
        about: PackAbout | None = None,
        pack: str | None = None,
        schema_meta: SchemaMeta | None = None,
        catalog: PackCatalog | None = None,
    ) -> None:
        self.name = name
        self.pack = pack if pack is not None else name
        """The pack (entry-point) name; a multi-schema pack has one record per schema, ``name`` each."""
        self.schema_meta = schema_meta
        """The schema as the pack declares it (its own path, comment, tags), when it declares one."""
        self.catalog = catalog
        """The pack's own catalog (a Worker pack's), shared by all of its schema records."""
        self.distribution = distribution
        self.version = version
        self.target = target
        self.status = status
        self.entries = entries
        self.tables = tables
        self.views = views
        self.problems = problems
        self.traceback = traceback
        self.remedy = remedy
        self.load_seconds = load_seconds
        self.declared_host_range = declared_host_range
        self.from_cache = from_cache
        self.dynamic = dynamic
        """The pack opted out of manifest caching (its catalog changes at run time)."""
        self._by_name = {e.name.lower(): e for e in entries}
        self._definitions = {d.name.lower(): d for d in definitions} if definitions is not None else None
        self._importer = importer
        self.about = about if about is not None else PackAbout()
        """The distribution's own metadata (the catalog's doc tags; see vgi_host.model.tags)."""

    @classmethod
    def of(cls, candidate: PackCandidate, status: PackStatus, **details: Any) -> PackRecord:
        """The record of a discovered pack: its identity from ``candidate``, the rest from ``details``."""
        return cls(
            distribution=candidate.distribution,
            version=candidate.version,
            target=candidate.target,
            status=status,
            **{"name": candidate.name, "about": candidate.about, **details},
        )

    def __repr__(self) -> str:
        return f"PackRecord({self.name!r}, {self.distribution} {self.version}, {self.status.value})"

    @property
    def own_path(self) -> list[str]:
        """The schema's path in the pack's own catalog (its served name when it declares none)."""
        return list(self.schema_meta.path) if self.schema_meta is not None else [self.name]

    def with_entries(self, entries: tuple[FunctionEntry, ...]) -> PackRecord:
        """The same loaded pack serving ``entries`` (the built-in ``main`` adds aliases this way)."""
        return PackRecord(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            target=self.target,
            status=self.status,
            entries=entries,
            tables=self.tables,
            views=self.views,
            load_seconds=self.load_seconds,
            declared_host_range=self.declared_host_range,
            from_cache=self.from_cache,
            dynamic=self.dynamic,
            definitions=tuple(self._definitions.values()) if self._definitions is not None else None,
            importer=self._importer,
            about=self.about,
            pack=self.pack,
            schema_meta=self.schema_meta,
            catalog=self.catalog,
        )

    @property
    def error(self) -> str | None:
        """All problems as one message, or None when the pack loaded."""
        return "; ".join(self.problems) if self.problems else None

    @property
    def function_names(self) -> list[str]:
        """SQL names of the pack's functions, sorted."""
        return [e.name for e in self.entries]

    @property
    def imported(self) -> bool:
        """Whether the pack's module has been imported in this process."""
        return self._definitions is not None

    def entry(self, name: str) -> FunctionEntry | None:
        """Look a function up by SQL name, case-insensitively as DuckDB does, without importing."""
        return self._by_name.get(name.lower())

    def definition(self, name: str) -> FunctionDefinition | None:
        """The function's class-backed definition, importing the pack on first use."""
        if self.entry(name) is None:
            return None
        if self._definitions is None:
            if self._importer is None:
                raise PackImportError(f"pack {self.name!r} has no importer")
            try:
                definitions = self._importer()
            except Exception as exc:
                raise PackImportError(
                    f"pack {self.name!r} ({self.distribution} {self.version}) could not be imported: {exc}"
                ) from exc
            self._definitions = {d.name.lower(): d for d in definitions}
        return self._definitions.get(name.lower())


def not_served(
    candidate: PackCandidate,
    status: PackStatus,
    problem: str,
    remedy: str | None,
    trace: str | None = None,
    seconds: float = 0.0,
) -> PackRecord:
    """A record for a pack that is listed but not served (failed, disabled, incompatible)."""
    return PackRecord.of(
        candidate,
        status,
        problems=(problem,),
        traceback=trace,
        remedy=remedy,
        load_seconds=seconds,
        about=candidate.about,
    )


def conflicting_names(records: Iterable[PackRecord]) -> dict[str, list[str]]:
    """Function names (lower-cased) defined by more than one of ``records`` -> those packs' names."""
    owners: dict[str, list[str]] = {}
    for record in records:
        for name in {n.lower() for n in record.function_names}:  # overloads are one name
            owners.setdefault(name, []).append(record.name)
    return {name: packs for name, packs in owners.items() if len(packs) > 1}
