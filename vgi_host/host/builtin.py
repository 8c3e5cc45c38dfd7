"""The host's own schema, ``main``: what did this ATTACH give me, answered in SQL.

* tables ``vgi_packs`` (one row per discovered pack: status, error, remedy,
  counts by kind, conflicts) and ``vgi_functions`` (one row per function:
  pack, kind, SQL signature, return type, description), each backed by a
  table function of the same name - DuckDB's ``duckdb_extensions()`` and
  ``duckdb_functions()`` for packs;
* an alias in ``main`` for every function name that exactly one pack
  defines, so ``SELECT packs.haversine_km(...)`` works without the pack's
  schema.  A name several packs define gets no alias; the conflict is shown in
  ``vgi_packs``, ``vgi-host list`` and ``vgi-host check`` instead of being
  silently resolved.

``main`` is a built-in pack: a hook object registering its functions and
tables through the same loader as every installed pack.  Its function classes
are made per registry and read that registry's records, so two registries in
one process never see each other's packs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import pyarrow as pa

from vgi_host import __version__
from vgi_host.kinds.registry import KIND_NAMES, kind_named
from vgi_host.model.candidate import PackCandidate
from vgi_host.model.entries import FunctionEntry
from vgi_host.model.records import HOST_SCHEMA, PackRecord, PackStatus, conflicting_names
from vgi_host.packs.hookspecs import RegisterFunction, hookimpl
from vgi_host.protocol.common import encode_catalog_item
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.sdk.context import OutputCollector, ProcessParams
from vgi_host.sdk.objects import PackTable
from vgi_host.sdk.table import TableFunctionGenerator

_PACK_FIELDS: list[pa.Field[Any]] = [
    pa.field("name", pa.string()),
    pa.field("distribution", pa.string()),
    pa.field("version", pa.string()),
    pa.field("status", pa.string()),
    pa.field("error", pa.string()),
    pa.field("remedy", pa.string()),
    pa.field("scalar_functions", pa.int64()),
    pa.field("table_functions", pa.int64()),
    pa.field("aggregate_functions", pa.int64()),
    pa.field("tables", pa.int64()),
    pa.field("views", pa.int64()),
    pa.field("conflicts", pa.list_(pa.string())),
    pa.field("declared_host_range", pa.string()),
    pa.field("catalog_from_cache", pa.bool_()),
    # What the pack declares itself (a Worker's catalog, register_schemas): kept per pack, never merged.
    pa.field("pack", pa.string()),
    pa.field("schema_comment", pa.string()),
    pa.field("schema_tags", pa.map_(pa.string(), pa.string())),
    pa.field("catalog", pa.string()),
    pa.field("catalog_comment", pa.string()),
    pa.field("catalog_tags", pa.map_(pa.string(), pa.string())),
    pa.field("implementation_version", pa.string()),
    pa.field("data_version", pa.string()),
    pa.field("source_url", pa.string()),
]
PACKS_SCHEMA = pa.schema(_PACK_FIELDS)

_FUNCTION_FIELDS: list[pa.Field[Any]] = [
    pa.field("pack", pa.string()),
    pa.field("name", pa.string()),
    pa.field("kind", pa.string()),
    pa.field("signature", pa.string()),
    pa.field("returns", pa.string()),
    pa.field("description", pa.string()),
    pa.field("unqualified", pa.bool_()),
    pa.field("categories", pa.list_(pa.string())),
]
FUNCTIONS_SCHEMA = pa.schema(_FUNCTION_FIELDS)


def _counts(record: PackRecord) -> dict[str, int]:
    counts = dict.fromkeys((kind.counted_as for kind in KIND_NAMES), 0)
    for entry in record.entries:
        counts[kind_named(entry.kind).counted_as] += 1
    return {**counts, "tables": len(record.tables), "views": len(record.views)}


def packs_rows(records: tuple[PackRecord, ...]) -> dict[str, list[Any]]:
    """``vgi_packs`` as columns."""
    clashes = conflicting_names(tuple(r for r in records if r.status is PackStatus.LOADED))
    columns: dict[str, list[Any]] = {name: [] for name in PACKS_SCHEMA.names}
    for record in records:
        counts = _counts(record)
        row = {
            "name": record.name,
            "distribution": record.distribution,
            "version": record.version,
            "status": record.status.value,
            "error": record.error,
            "remedy": record.remedy,
            **counts,
            "conflicts": sorted(n for n in record.function_names if n.lower() in clashes),
            "declared_host_range": record.declared_host_range,
            "catalog_from_cache": record.from_cache,
            **_declared(record),
        }
        for name in PACKS_SCHEMA.names:
            columns[name].append(row[name])
    return columns


def _declared(record: PackRecord) -> dict[str, Any]:
    """The ``vgi_packs`` columns of what a pack declares about its schema and its own catalog."""
    schema = record.schema_meta
    catalog = record.catalog
    return {
        "pack": record.pack,
        "schema_comment": schema.comment if schema is not None else None,
        "schema_tags": list(schema.tags.items()) if schema is not None else None,
        "catalog": catalog.name if catalog is not None else None,
        "catalog_comment": catalog.comment if catalog is not None else None,
        "catalog_tags": list(catalog.tags.items()) if catalog is not None else None,
        "implementation_version": catalog.implementation_version if catalog is not None else None,
        "data_version": catalog.data_version if catalog is not None else None,
        "source_url": catalog.source_url if catalog is not None else None,
    }


def functions_rows(records: tuple[PackRecord, ...]) -> dict[str, list[Any]]:
    """``vgi_functions`` as columns."""
    clashes = conflicting_names(records)
    columns: dict[str, list[Any]] = {name: [] for name in FUNCTIONS_SCHEMA.names}
    for record in records:
        for entry in record.entries:
            described = entry.description
            row = {
                "pack": record.name,
                "name": entry.name,
                "kind": entry.kind,
                "signature": described.signature,
                "returns": described.returns,
                "description": described.description,
                "unqualified": entry.name.lower() not in clashes,
                "categories": list(described.categories),
            }
            for name in FUNCTIONS_SCHEMA.names:
                columns[name].append(row[name])
    return columns


def _introspection_plugin(records: tuple[PackRecord, ...]) -> object:
    """A hook object, shaped like a pack module, whose functions describe ``records``."""

    class VgiPacks(TableFunctionGenerator):
        """Every discovered pack: status, error and remedy, function counts by kind, name conflicts.

        The equivalent of DuckDB's duckdb_extensions() for the packs behind this ATTACH.
        """

        FIXED_SCHEMA: ClassVar[pa.Schema] = PACKS_SCHEMA

        class Meta:
            """Catalog metadata."""

            name = "vgi_packs"
            examples = ("SELECT name, status, error FROM packs.main.vgi_packs",)
            categories = ("introspection",)

        @classmethod
        def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
            """One batch with every pack, then done."""
            out.emit(pa.RecordBatch.from_pydict(packs_rows(records), schema=PACKS_SCHEMA))
            out.finish()

    class VgiFunctions(TableFunctionGenerator):
        """Every function the packs provide: pack, kind, SQL signature, return type, description.

        The equivalent of DuckDB's duckdb_functions() for the packs behind this ATTACH.
        """

        FIXED_SCHEMA: ClassVar[pa.Schema] = FUNCTIONS_SCHEMA

        class Meta:
            """Catalog metadata."""

            name = "vgi_functions"
            examples = ("SELECT pack, name, signature FROM packs.main.vgi_functions WHERE kind = 'scalar'",)
            categories = ("introspection",)

        @classmethod
        def process(cls, params: ProcessParams, state: Any, out: OutputCollector) -> None:
            """One batch with every function of every loaded pack, then done."""
            loaded = tuple(r for r in records if r.status is PackStatus.LOADED)
            out.emit(pa.RecordBatch.from_pydict(functions_rows(loaded), schema=FUNCTIONS_SCHEMA))
            out.finish()

    class IntrospectionPack:
        """The built-in pack's hooks."""

        @hookimpl
        def register_functions(self, register: RegisterFunction) -> None:
            """The two introspection table functions."""
            register(VgiPacks)
            register(VgiFunctions)

        @hookimpl
        def register_tables(self, register: Callable[[PackTable], None]) -> None:
            """A table of the same name over each."""
            for function in (VgiPacks, VgiFunctions):
                definition = function.definition()
                register(PackTable(definition.name, function, description=definition.metadata.description))

    return IntrospectionPack()


def _aliases(loaded: tuple[PackRecord, ...]) -> tuple[FunctionEntry, ...]:
    """Each uniquely named function again, under ``main``, pointing at its pack."""
    clashes = conflicting_names(loaded)
    aliases = []
    for record in loaded:
        for entry in record.entries:
            if entry.name.lower() in clashes:
                continue
            info = FunctionInfo.deserialize_from_bytes(entry.info)
            alias = dataclasses.replace(
                info,
                schema_path=[HOST_SCHEMA],
                tags={**info.tags, "vgi_host.alias_of": f"{record.name}.{entry.name}"},
            )
            aliases.append(dataclasses.replace(entry, info=encode_catalog_item(alias), alias_of=record.name))
    return tuple(aliases)


BUILTIN = PackCandidate(HOST_SCHEMA, "vgi_host.host.builtin", "vgi-host", __version__)
"""The built-in pack as discovery would describe it."""


def host_record(records: tuple[PackRecord, ...]) -> PackRecord:
    """The ``main`` schema as a pack record: introspection functions and tables, plus aliases."""
    from vgi_host.packs.loader import load_pack

    record = load_pack(BUILTIN, plugin=_introspection_plugin(records))
    if record.status is not PackStatus.LOADED:  # a host bug, not a pack's: say so loudly
        raise RuntimeError(f"the built-in main schema failed to load: {record.error}\n{record.traceback}")
    loaded = tuple(r for r in records if r.status is PackStatus.LOADED)
    return record.with_entries(record.entries + _aliases(loaded))
