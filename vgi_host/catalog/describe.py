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
        "distribution": record.distribution,
        "version": record.version,
        "entry_point": record.target,
        "status": record.status.value,
        "error": record.error,
        "remedy": record.remedy,
        "traceback": record.traceback,
        "function_count": len(record.entries),
        "declared_host_range": record.declared_host_range,
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


def describe_records(records: Sequence[PackRecord]) -> list[dict[str, Any]]:
    """Every discovered pack, in load order (conflicts among the loaded ones)."""
    clashes = conflicting_names(r for r in records if r.status is PackStatus.LOADED)
    return [describe_pack(r, clashes) for r in records]
