"""Pack manifests: a pack's catalog, captured once, served without importing it.

Serving the catalog (ATTACH, listings, ``vgi-host list``) needs only data: each
function's encoded ``FunctionInfo`` and a description for people.  That data
is captured into a manifest the first time a pack is imported and cached on
disk, so later processes start without importing any pack; a pack's module is
imported on the first bind of one of its functions.

The cache key identifies one installation of one pack: the host version, the
pack's entry point and distribution (name, version, ``.dist-info`` location and
its mtime).  Installing, upgrading or removing a distribution changes its
``.dist-info`` and so invalidates exactly that pack's manifest.  Editable
installs are never cached (their code changes without reinstalling), nor are
packs that opt out by setting ``VGI_HOST_DYNAMIC_CATALOG = True`` on their
entry-point object, nor failed loads (a missing dependency can be installed
without touching the pack).  Writes go to a temporary file renamed into place,
so processes starting together never read a torn manifest.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vgi_host import __version__
from vgi_host.packs.discovery import PackCandidate

if TYPE_CHECKING:
    from vgi_host.packs.objects import DeclaredTable
    from vgi_host.sdk.kinds import FunctionDefinition
    from vgi_host.sdk.objects import PackView

MANIFEST_FORMAT = 2  # 2: functions carry the vgi.* documentation tags
ENV_CACHE_DIR = "VGI_HOST_CACHE_DIR"
ENV_NO_CACHE = "VGI_HOST_NO_CACHE"


@dataclass(frozen=True, slots=True)
class FunctionEntry:
    """One function as the catalog and listings need it: no classes, only data."""

    name: str
    kind: str
    """``scalar``, ``table``, ``table_in_out`` or ``aggregate``."""
    info: bytes
    """The encoded ``FunctionInfo`` catalog item (schema path = the pack)."""
    description: dict[str, Any]
    """What ``vgi-host list --json`` shows for the function."""


@dataclass(frozen=True, slots=True)
class PackManifest:
    """Everything about a loaded pack that can be served without importing it."""

    pack: str
    distribution: str
    version: str
    declared_host_range: str | None
    functions: tuple[FunctionEntry, ...]
    tables: tuple[FunctionEntry, ...] = ()
    views: tuple[FunctionEntry, ...] = ()

    def to_json(self) -> str:
        """The cache file's text."""
        return json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "host_version": __version__,
                "pack": self.pack,
                "distribution": self.distribution,
                "version": self.version,
                "declared_host_range": self.declared_host_range,
                "functions": [_entry_json(f) for f in self.functions],
                "tables": [_entry_json(f) for f in self.tables],
                "views": [_entry_json(f) for f in self.views],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> PackManifest | None:
        """Parse a cache file; None for anything unexpected (treated as a miss)."""
        try:
            raw = json.loads(text)
            if raw.get("format") != MANIFEST_FORMAT or raw.get("host_version") != __version__:
                return None
            return cls(
                pack=raw["pack"],
                distribution=raw["distribution"],
                version=raw["version"],
                declared_host_range=raw["declared_host_range"],
                functions=tuple(_entry(f) for f in raw["functions"]),
                tables=tuple(_entry(f) for f in raw["tables"]),
                views=tuple(_entry(f) for f in raw["views"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _entry_json(entry: FunctionEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "kind": entry.kind,
        "info": base64.b64encode(entry.info).decode("ascii"),
        "description": entry.description,
    }


def _entry(raw: dict[str, Any]) -> FunctionEntry:
    return FunctionEntry(raw["name"], raw["kind"], base64.b64decode(raw["info"]), raw["description"])


def object_entries(
    pack: str, tables: Sequence[DeclaredTable], views: Sequence[PackView]
) -> tuple[tuple[FunctionEntry, ...], tuple[FunctionEntry, ...]]:
    """Capture registered tables and views as entries (cache misses only)."""
    from vgi_host.catalog.objects import table_info, view_info
    from vgi_host.catalog.sql_types import sql_type
    from vgi_host.protocol.common import encode_catalog_item

    table_entries = []
    for declared in tables:
        columns = declared.bound.output_schema
        info = table_info(
            pack,
            declared.table.name,
            declared.function.name,
            columns,
            declared.positional,
            declared.named,
            declared.table.description,
            declared.function.function_class.cardinality(declared.bound.bind_params()),
        )
        description = {
            "name": declared.table.name,
            "kind": "table",
            "description": declared.table.description,
            "function": declared.function.name,
            "columns": [{"name": f.name, "type": sql_type(f.type)} for f in columns],
        }
        table_entries.append(
            FunctionEntry(declared.table.name, "table", encode_catalog_item(info), description)
        )
    view_entries = [
        FunctionEntry(
            view.name,
            "view",
            encode_catalog_item(view_info(pack, view.name, view.sql, view.description)),
            {"name": view.name, "kind": "view", "description": view.description, "sql": view.sql},
        )
        for view in views
    ]
    return tuple(table_entries), tuple(view_entries)


def function_entries(pack: str, definitions: Sequence[FunctionDefinition]) -> tuple[FunctionEntry, ...]:
    """Capture loaded definitions as entries (imports the catalog builders: cache misses only)."""
    from vgi_host.catalog.describe import describe_function
    from vgi_host.catalog.function_info import function_info
    from vgi_host.protocol.common import encode_catalog_item

    return tuple(
        FunctionEntry(
            name=d.name,
            kind=d.function_class.KIND,
            info=encode_catalog_item(function_info(d, pack)),
            description=describe_function(d),
        )
        for d in definitions
    )


def default_cache_dir() -> Path:
    """``$VGI_HOST_CACHE_DIR``, else ``manifests`` in the user cache directory."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    import platformdirs

    return platformdirs.user_cache_path("vgi-host") / "manifests"


class ManifestCache:
    """Manifests on disk, one file per pack installation."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_cache_dir()

    @staticmethod
    def key(candidate: PackCandidate) -> str | None:
        """Identity of one installation, or None when the pack must not be cached."""
        if candidate.editable or candidate.location is None:
            return None
        try:
            mtime = os.stat(candidate.location).st_mtime_ns
        except OSError:
            return None
        identity = [
            MANIFEST_FORMAT,
            __version__,
            candidate.name,
            candidate.target,
            candidate.distribution,
            candidate.version,
            candidate.location,
            mtime,
        ]
        return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:24]

    def _path(self, candidate: PackCandidate, key: str) -> Path:
        return self.directory / f"{candidate.name.lower()}-{key}.json"

    def load(self, candidate: PackCandidate) -> PackManifest | None:
        """The cached manifest of exactly this installation, if any."""
        key = self.key(candidate)
        if key is None:
            return None
        try:
            text = self._path(candidate, key).read_text(encoding="utf-8")
        except OSError:
            return None
        manifest = PackManifest.from_json(text)
        if manifest is None or manifest.pack != candidate.name:
            return None
        return manifest

    def store(self, candidate: PackCandidate, manifest: PackManifest) -> None:
        """Write atomically and drop this pack's manifests of other installations (best effort)."""
        key = self.key(candidate)
        if key is None:
            return
        target = self._path(candidate, key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".manifest-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(manifest.to_json())
            os.replace(temporary, target)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)
            return
        for stale in self.directory.glob(f"{candidate.name.lower()}-*.json"):
            if stale != target:
                with contextlib.suppress(OSError):
                    stale.unlink()


def cache_enabled() -> bool:
    """``VGI_HOST_NO_CACHE=1`` turns the cache off (always import every pack)."""
    return os.environ.get(ENV_NO_CACHE, "").lower() in ("", "0", "false", "no")
