"""The tags of the merged catalog and of each pack schema, from the pack records.

A thin adapter between the registry's records and the pure functions of
:mod:`vgi_host.model.tags`, so the catalog and `vgi-host check` compute the
same tags from the same records.
"""

from __future__ import annotations

from collections.abc import Sequence

from vgi_host.model.records import HOST_SCHEMA, PackRecord
from vgi_host.model.tags import catalog_tags, host_about, schema_tags

__all__ = ["merged_catalog_tags", "pack_schema_tags"]


def pack_schema_tags(record: PackRecord) -> dict[str, str]:
    """A pack's schema tags (``main``, the host's own schema, is described by vgi-host's metadata)."""
    if record.name == HOST_SCHEMA:
        about = host_about()
        return schema_tags("main", about) | {
            "vgi.title": "vgi-host: packs, functions and aliases",
            "vgi.doc_md": (
                "The host's own schema.\n\n`vgi_packs` lists every installed pack with its status, error "
                "and remedy; `vgi_functions` lists every served function with its signature.\n\n"
                "Every function that exactly one pack defines also has an unqualified alias here."
            ),
        }
    categories = [c for entry in record.entries for c in entry.description.categories]
    return schema_tags(record.name, record.about, categories)


def merged_catalog_tags(loaded: Sequence[PackRecord]) -> dict[str, str]:
    """The one catalog's tags: vgi-host's metadata plus what each served (``loaded``) pack is for."""
    return catalog_tags(host_about(), [(r.name, r.about) for r in loaded])
