"""The host's own schema, ``main``: what did this ATTACH give me, answered in SQL.

* tables ``vgi_packs`` (one row per discovered pack: status, error, remedy,
  counts by kind, conflicts) and ``vgi_functions`` (one row per function:
  pack, kind, SQL signature, return type, description), each backed by a
  table function of the same name — DuckDB's ``duckdb_extensions()`` and
  ``duckdb_functions()`` for packs;
* an alias in ``main`` for every function name that exactly one pack
  defines, so ``SELECT packs.haversine_km(...)`` works without the pack's
  schema.  A name several packs define gets no alias; the conflict is shown in
  ``vgi_packs``, ``vgi-host list`` and ``vgi-host check`` instead of being
  silently resolved.

Built lazily from the registry's records (manifest data): nothing here
imports a pack.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pyarrow as pa

from vgi_host import __version__
from vgi_host.packs.manifest import FunctionEntry, function_entries, object_entries
from vgi_host.packs.objects import DeclaredTable
from vgi_host.packs.records import PackRecord, PackStatus, conflicting_names
from vgi_host.protocol.common import encode_catalog_item
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.sdk.context import OutputCollector, ProcessParams
from vgi_host.sdk.objects import PackTable
from vgi_host.sdk.table import TableFunctionGenerator

HOST_SCHEMA = "main"

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


class _Rows:
    """The records the introspection functions describe (set when the host catalog is built)."""

    records: ClassVar[tuple[PackRecord, ...]] = ()


def _counts(record: PackRecord) -> dict[str, int]:
    kinds = [e.kind for e in record.entries]
    return {
        "scalar_functions": kinds.count("scalar"),
        "table_functions": kinds.count("table") + kinds.count("table_in_out"),
        "aggregate_functions": kinds.count("aggregate"),
        "tables": len(record.tables),
        "views": len(record.views),
    }


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
        }
        for name in PACKS_SCHEMA.names:
            columns[name].append(row[name])
    return columns


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
                "signature": described["signature"],
                "returns": described["returns"],
                "description": described["description"],
                "unqualified": entry.name.lower() not in clashes,
                "categories": described.get("categories", []),
            }
            for name in FUNCTIONS_SCHEMA.names:
                columns[name].append(row[name])
    return columns


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
        out.emit(pa.RecordBatch.from_pydict(packs_rows(_Rows.records), schema=PACKS_SCHEMA))
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
        loaded = tuple(r for r in _Rows.records if r.status is PackStatus.LOADED)
        out.emit(pa.RecordBatch.from_pydict(functions_rows(loaded), schema=FUNCTIONS_SCHEMA))
        out.finish()


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
            aliases.append(
                FunctionEntry(
                    entry.name,
                    entry.kind,
                    encode_catalog_item(alias),
                    {**entry.description, "alias_of": record.name},
                )
            )
    return tuple(aliases)


def host_record(records: tuple[PackRecord, ...]) -> PackRecord:
    """The ``main`` schema as a pack record: introspection functions and tables, plus aliases."""
    _Rows.records = records
    definitions = (VgiPacks.definition(), VgiFunctions.definition())
    tables = [
        DeclaredTable(
            PackTable(name, definition.name, description=definition.metadata.description),
            definition,
            definition.bind((), {}),
            (),
            {},
        )
        for name, definition in (("vgi_packs", definitions[0]), ("vgi_functions", definitions[1]))
    ]
    table_entries, _ = object_entries(HOST_SCHEMA, tables, ())
    loaded = tuple(r for r in records if r.status is PackStatus.LOADED)
    return PackRecord(
        name=HOST_SCHEMA,
        distribution="vgi-host",
        version=__version__,
        target="vgi_host.catalog.introspection",
        status=PackStatus.LOADED,
        entries=function_entries(HOST_SCHEMA, definitions) + _aliases(loaded),
        tables=table_entries,
        definitions=definitions,
    )
