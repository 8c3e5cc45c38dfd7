"""The catalogs one host serves: the merged one (every pack's schemas plus ``main``) and each pack's own.

``ATTACH`` under any name gives the merged catalog.  ``ATTACH`` under the
catalog name a Worker pack declares (``skbio``) gives that pack alone, shaped
exactly as the original worker's catalog: its schemas under their own names,
its default schema, comments, tags, versions and ATTACH options, so a worker
can be swapped for vgi-host without changing a query.  Which of the two a
later call addresses is written in the attach token, which every call carries.

The catalog is data derived from the pack registry and served without calling
pack code (a pack's own ATTACH with options asks its catalog interface).
Entries are built lazily per schema and cached for the life of the
process (a host serves one fixed set of packs; a changed set means a new
process and a new ``catalog_version``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cached_property
from typing import Any

import pyarrow as pa

from vgi_host import __version__
from vgi_host.catalog.record_tags import merged_catalog_tags, pack_schema_tags
from vgi_host.host.registry import PackRegistry
from vgi_host.kinds.registry import kind_named
from vgi_host.model.records import HOST_SCHEMA, PackRecord
from vgi_host.protocol.attach import CatalogAttachRequest, CatalogAttachResult, CatalogInfo
from vgi_host.protocol.catalog import SchemaInfo, TableInfo
from vgi_host.protocol.enums import SchemaObjectType
from vgi_host.protocol.functions import FunctionInfo

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
        """The merged catalog's listing entry."""
        return CatalogInfo(name=CATALOG_NAME, implementation_version=__version__, data_version_spec=None)

    def catalog_infos(self) -> list[CatalogInfo]:
        """The merged catalog, then each pack's own catalog exactly as its worker lists it."""
        return [self.catalog_info(), *(r.catalog.info for r in self.registry.catalogs() if r.catalog)]

    def _token(self, name: str, pack: str | None) -> bytes:
        fields: dict[str, Any] = {"catalog": name, "version": self.version}
        if pack is not None:
            fields["pack"] = pack
        return ATTACH_TOKEN_PREFIX + json.dumps(fields).encode()

    def attach_request(self, request: CatalogAttachRequest) -> CatalogAttachResult:
        """Attach: a pack's own catalog name gives that pack alone, any other name the merged catalog."""
        records = self.registry.pack_catalog(request.name)
        if records is None:
            return self.attach(request.name)
        catalog = records[0].catalog
        assert catalog is not None  # pack_catalog only returns records with one
        result = catalog.attach
        if request.options or request.data_version_spec or request.implementation_version:
            result = catalog.interface.catalog_attach(
                name=catalog.name,
                options=_options(request.options),
                data_version_spec=request.data_version_spec,
                implementation_version=request.implementation_version,
            )
        # Only the token is ours (it names the pack for every later call); catalog_contents is not
        # served, so the per-schema listing is advertised instead.
        return dataclasses.replace(
            result,
            attach_opaque_data=self._token(catalog.name, records[0].pack),
            supports_catalog_contents=False,
        )

    def attach(self, name: str) -> CatalogAttachResult:
        """Attach under ``name`` to the merged catalog."""
        token = self._token(name, None)
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
            tags={"vgi_host.version": __version__, **merged_catalog_tags(self.registry.loaded)},
            resolved_data_version=None,
            resolved_implementation_version=__version__,
        )

    def _schema_info(self, record: PackRecord, comment: str | None, *, own: bool = False) -> SchemaInfo:
        counts = dict.fromkeys(_OBJECT_KINDS, 0)
        for entry in record.entries:
            counts[kind_named(entry.kind).listing] += 1
        counts["table"] = len(record.tables)
        counts["view"] = len(record.views)
        declared = record.schema_meta
        if own:  # the pack's own catalog: the schema exactly as the worker declares it
            tags = dict(declared.tags) if declared is not None else {}
            return SchemaInfo(path=record.own_path, comment=comment, tags=tags, estimated_object_count=counts)
        return SchemaInfo(
            path=[record.name],
            comment=comment,
            tags={
                "vgi_host.distribution": record.distribution,
                "vgi_host.version": record.version,
                **pack_schema_tags(record),
                **(declared.tags if declared is not None else {}),
            },
            estimated_object_count=counts,
        )

    @cached_property
    def schemas(self) -> tuple[SchemaInfo, ...]:
        """``main`` first, then one schema per loaded pack in name order."""
        host = self._schema_info(
            self.registry.host, "vgi-host: vgi_packs, vgi_functions and unqualified aliases"
        )
        packs = (self._schema_info(r, _merged_comment(r)) for r in self.registry.loaded)
        return (host, *packs)

    def schemas_of(self, attach: bytes | None) -> tuple[SchemaInfo, ...]:
        """The schemas the attach sees: one pack's own, or the merged catalog's."""
        records = self._pack_records(attach)
        if records is None:
            return self.schemas
        return tuple(
            self._schema_info(r, r.schema_meta.comment if r.schema_meta else None, own=True) for r in records
        )

    def schema(self, path: list[str], attach: bytes | None = None) -> SchemaInfo | None:
        """Look a schema up by path, case-insensitively."""
        wanted = [part.lower() for part in path]
        return next((s for s in self.schemas_of(attach) if [p.lower() for p in s.path] == wanted), None)

    def functions(self, path: list[str], kind: SchemaObjectType, attach: bytes | None = None) -> list[bytes]:
        """Encoded function entries of one listing kind in one schema (empty for unknown schemas).

        The entries come from the packs' manifests already encoded, so serving a
        listing of the merged catalog neither imports a pack nor re-encodes anything.
        A pack's own catalog names a schema the worker called ``main`` by that name,
        so its entries are re-encoded with the worker's own schema path.
        """
        record = self.record(path, attach)
        if record is None:
            return []
        found = [entry.info for entry in record.entries if kind_named(entry.kind).listing == kind.value]
        own = record.own_path
        if self._pack_records(attach) is None or own == [record.name]:
            return found
        return [_with_schema_path(info, own) for info in found]

    def _pack_records(self, attach: bytes | None) -> list[PackRecord] | None:
        pack = pack_of_token(attach)
        if pack is None:
            return None
        records = [r for r in self.registry.loaded if r.pack == pack]
        return records or None

    def record(self, path: list[str] | None, attach: bytes | None = None) -> PackRecord | None:
        """The record serving ``path`` in the catalog the attach token names."""
        if not path or len(path) != 1:
            return None
        records = self._pack_records(attach)
        if records is None:
            return self.registry.pack(path[0])
        wanted = [part.lower() for part in path]
        return next((r for r in records if [p.lower() for p in r.own_path] == wanted), None)

    def tables(self, path: list[str], name: str | None = None, attach: bytes | None = None) -> list[bytes]:
        """Encoded ``TableInfo`` items of one schema (just ``name`` when given)."""
        record = self.record(path, attach)
        found = [] if record is None else list(record.tables)
        return [t.info for t in found if name is None or t.name.lower() == name.lower()]

    def views(self, path: list[str], name: str | None = None, attach: bytes | None = None) -> list[bytes]:
        """Encoded ``ViewInfo`` items of one schema (just ``name`` when given)."""
        record = self.record(path, attach)
        found = [] if record is None else list(record.views)
        return [v.info for v in found if name is None or v.name.lower() == name.lower()]

    def scan_function(self, path: list[str], name: str, attach: bytes | None = None) -> bytes | None:
        """The ``ScanFunctionResult`` IPC of a table, for the legacy scan-function call."""
        (info,) = self.tables(path, name, attach) or (None,)
        if info is None:
            return None
        table = TableInfo.deserialize_from_bytes(info)
        return table.scan_function.serialize_to_bytes() if table.scan_function is not None else None


def pack_of_token(attach: bytes | None) -> str | None:
    """The pack an attach token names (attached by that pack's own catalog name), else None."""
    if not attach or not attach.startswith(ATTACH_TOKEN_PREFIX):
        return None
    try:
        fields = json.loads(attach[len(ATTACH_TOKEN_PREFIX) :])
    except ValueError:
        return None
    pack = fields.get("pack") if isinstance(fields, dict) else None
    return pack if isinstance(pack, str) else None


def _merged_comment(record: PackRecord) -> str:
    """A pack schema's comment in the merged catalog: the pack's own, then where it comes from."""
    origin = f"{record.distribution} {record.version}"
    declared = record.schema_meta.comment if record.schema_meta is not None else None
    return f"{declared} ({origin})" if declared else origin


def _with_schema_path(info: bytes, path: list[str]) -> bytes:
    return dataclasses.replace(
        FunctionInfo.deserialize_from_bytes(info), schema_path=path
    ).serialize_to_bytes()


def _options(batch: pa.RecordBatch | None) -> dict[str, Any]:
    """ATTACH options travel as a one-row record batch; the catalog interface takes a dict."""
    rows = batch.to_pylist() if batch is not None else []
    return dict(rows[0]) if rows else {}
