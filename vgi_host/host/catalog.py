"""The merged catalog one ATTACH exposes: one schema per loaded pack, plus ``main``.

The catalog is data derived from the pack registry and served without calling
pack code.  Entries are built lazily per schema and cached for the life of the
process (a host serves one fixed set of packs; a changed set means a new
process and a new ``catalog_version``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property

from vgi_host import __version__
from vgi_host.host.registry import PackRegistry
from vgi_host.kinds.registry import kind_named
from vgi_host.model.records import HOST_SCHEMA, PackRecord
from vgi_host.protocol.attach import CatalogAttachResult, CatalogInfo
from vgi_host.protocol.catalog import SchemaInfo, TableInfo
from vgi_host.protocol.enums import SchemaObjectType

CATALOG_NAME = "packs"
"""What `catalog_catalogs` advertises (the bare ``ATTACH 'vgi-host serve'`` form uses it)."""

ATTACH_TOKEN_PREFIX = b"vgi-host/1 "
"""Marks attach data as ours; what follows is JSON, readable by any host process."""

_OBJECT_KINDS = ("table", "view", "scalar_function", "aggregate_function", "table_function", "macro", "index")


class HostCatalog:
    """Catalog answers for one process's pack registry."""

    def __init__(self, registry: PackRegistry) -> None:
        self.registry = registry

    @cached_property
    def version(self) -> int:
        """Changes whenever the set of served packs (or their versions) changes."""
        fingerprint = json.dumps(
            [[r.name, r.distribution, r.version, r.status.value] for r in self.registry.records]
        ).encode()
        return int.from_bytes(hashlib.sha256(fingerprint).digest()[:7], "big")

    def catalog_info(self) -> CatalogInfo:
        """The one catalog this host serves."""
        return CatalogInfo(name=CATALOG_NAME, implementation_version=__version__, data_version_spec=None)

    def attach(self, name: str) -> CatalogAttachResult:
        """Attach under any name: every name sees the same merged catalog."""
        token = ATTACH_TOKEN_PREFIX + json.dumps({"catalog": name, "version": self.version}).encode()
        loaded = ", ".join(f"{r.name} {r.version}" for r in self.registry.loaded) or "none"
        return CatalogAttachResult(
            attach_opaque_data=token,
            supports_transactions=False,
            supports_time_travel=False,
            catalog_version_frozen=True,
            catalog_version=self.version,
            attach_opaque_data_required=False,
            default_schema=HOST_SCHEMA,
            comment=f"vgi-host {__version__}; packs: {loaded}",
            tags={"vgi_host.version": __version__},
            resolved_data_version=None,
            resolved_implementation_version=__version__,
        )

    def _schema_info(self, record: PackRecord, comment: str) -> SchemaInfo:
        counts = dict.fromkeys(_OBJECT_KINDS, 0)
        for entry in record.entries:
            counts[kind_named(entry.kind).listing] += 1
        counts["table"] = len(record.tables)
        counts["view"] = len(record.views)
        return SchemaInfo(
            path=[record.name],
            comment=comment,
            tags={"vgi_host.distribution": record.distribution, "vgi_host.version": record.version},
            estimated_object_count=counts,
        )

    @cached_property
    def schemas(self) -> tuple[SchemaInfo, ...]:
        """``main`` first, then one schema per loaded pack in name order."""
        host = self._schema_info(
            self.registry.host, "vgi-host: vgi_packs, vgi_functions and unqualified aliases"
        )
        packs = (self._schema_info(r, f"{r.distribution} {r.version}") for r in self.registry.loaded)
        return (host, *packs)

    def schema(self, path: list[str]) -> SchemaInfo | None:
        """Look a schema up by path, case-insensitively."""
        wanted = [part.lower() for part in path]
        return next((s for s in self.schemas if [p.lower() for p in s.path] == wanted), None)

    def functions(self, path: list[str], kind: SchemaObjectType) -> list[bytes]:
        """Encoded function entries of one listing kind in one schema (empty for unknown schemas).

        The entries come from the packs' manifests already encoded, so serving a
        listing neither imports a pack nor re-encodes anything.
        """
        record = self._record(path)
        return (
            []
            if record is None
            else [entry.info for entry in record.entries if kind_named(entry.kind).listing == kind.value]
        )

    def _record(self, path: list[str]) -> PackRecord | None:
        return self.registry.pack(path[0]) if len(path) == 1 else None

    def tables(self, path: list[str], name: str | None = None) -> list[bytes]:
        """Encoded ``TableInfo`` items of one schema (just ``name`` when given)."""
        record = self._record(path)
        found = [] if record is None else list(record.tables)
        return [t.info for t in found if name is None or t.name.lower() == name.lower()]

    def views(self, path: list[str], name: str | None = None) -> list[bytes]:
        """Encoded ``ViewInfo`` items of one schema (just ``name`` when given)."""
        record = self._record(path)
        found = [] if record is None else list(record.views)
        return [v.info for v in found if name is None or v.name.lower() == name.lower()]

    def scan_function(self, path: list[str], name: str) -> bytes | None:
        """The ``ScanFunctionResult`` IPC of a table, for the legacy scan-function call."""
        (info,) = self.tables(path, name) or (None,)
        if info is None:
            return None
        table = TableInfo.deserialize_from_bytes(info)
        return table.scan_function.serialize_to_bytes() if table.scan_function is not None else None
