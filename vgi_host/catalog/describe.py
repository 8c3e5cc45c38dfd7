"""Plain-data descriptions of packs and functions, for people and for JSON.

``vgi-host list`` (both its table and ``--json``) renders these, so the two
outputs can never disagree about what a pack offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vgi_host.model.records import PackRecord, PackStatus, conflicting_names


def describe_pack(record: PackRecord, conflicts: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """One pack, loaded or not, as JSON-ready data (``conflicts``: name -> packs defining it)."""
    clashes = conflicts or {}
    return {
        "name": record.name,
        "pack": record.pack,
        "schema": schema_metadata(record),
        "catalog": catalog_metadata(record),
        "distribution": record.distribution,
        "version": record.version,
        "entry_point": record.target,
        "status": record.status.value,
        "error": record.error,
        "remedy": record.remedy,
        "traceback": record.traceback,
        "function_count": len(record.entries),
        "declared_host_range": record.declared_host_range,
        "about": record.about.to_dict(),
        "from_cache": record.from_cache,
        "load_seconds": round(record.load_seconds, 4),
        "functions": [entry.description.as_json() for entry in record.entries],
        "tables": [entry.description.as_json() for entry in record.tables],
        "views": [entry.description.as_json() for entry in record.views],
        "conflicts": {
            name: [p for p in clashes[name.lower()] if p != record.name]
            for name in record.function_names
            if name.lower() in clashes
        },
    }


def schema_metadata(record: PackRecord) -> dict[str, Any] | None:
    """The schema as the pack declares it (its own path, comment, tags), or None."""
    meta = record.schema_meta
    if meta is None:
        return None
    return {"path": list(meta.path), "comment": meta.comment, "tags": dict(meta.tags)}


def catalog_metadata(record: PackRecord) -> dict[str, Any] | None:
    """The pack's own catalog (a Worker pack's): name, default schema, comment, tags, versions, options."""
    catalog = record.catalog
    if catalog is None:
        return None
    from vgi_host.protocol.attach import AttachOptionSpec

    return {
        "name": catalog.name,
        "default_schema": catalog.default_schema,
        "comment": catalog.comment,
        "tags": catalog.tags,
        "implementation_version": catalog.implementation_version,
        "data_version": catalog.data_version,
        "data_version_spec": catalog.info.data_version_spec,
        "source_url": catalog.source_url,
        "attach_options": [
            AttachOptionSpec.deserialize_from_bytes(raw).name for raw in catalog.info.attach_option_specs
        ],
    }


def describe_records(records: Sequence[PackRecord]) -> list[dict[str, Any]]:
    """Every discovered pack, in load order (conflicts among the loaded ones)."""
    clashes = conflicting_names(r for r in records if r.status is PackStatus.LOADED)
    return [describe_pack(r, clashes) for r in records]
