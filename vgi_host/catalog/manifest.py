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
so processes starting together never read a torn manifest.  Which files are
believed, and who may write them, is :mod:`vgi_host.catalog.cache_files`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from vgi_host import __version__
from vgi_host.catalog.cache_files import environment_tag, private_directory, read_trusted, safe_file_stem
from vgi_host.kinds.registry import UnknownKindError, kind_named
from vgi_host.model.candidate import PackCandidate
from vgi_host.model.entries import EntryFormatError, FunctionEntry, TableEntry, ViewEntry
from vgi_host.protocol.wire import frozen_record

MANIFEST_FORMAT = 3  # 3: entries carry the vgi.* documentation tags (2: an interim form of them)
ENV_CACHE_DIR = "VGI_HOST_CACHE_DIR"
ENV_NO_CACHE = "VGI_HOST_NO_CACHE"


@frozen_record
class PackManifest:
    """Everything about a loaded pack that can be served without importing it."""

    pack: str
    distribution: str
    version: str
    declared_host_range: str | None
    functions: tuple[FunctionEntry, ...]
    tables: tuple[TableEntry, ...] = ()
    views: tuple[ViewEntry, ...] = ()

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
                "functions": [f.as_json() for f in self.functions],
                "tables": [t.as_json() for t in self.tables],
                "views": [v.as_json() for v in self.views],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> PackManifest | None:
        """Parse and validate a cache file; None for anything unexpected (treated as a miss)."""
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                return None
            if raw.get("format") != MANIFEST_FORMAT or raw.get("host_version") != __version__:
                return None
            declared = raw.get("declared_host_range")
            if declared is not None and not isinstance(declared, str):
                return None
            functions = tuple(FunctionEntry.from_json(f) for f in _list(raw, "functions"))
            for function in functions:
                kind_named(function.kind)
            manifest = cls(
                pack=_text(raw, "pack"),
                distribution=_text(raw, "distribution"),
                version=_text(raw, "version"),
                declared_host_range=declared,
                functions=functions,
                tables=tuple(TableEntry.from_json(t) for t in _list(raw, "tables")),
                views=tuple(ViewEntry.from_json(v) for v in _list(raw, "views")),
            )
        except (ValueError, EntryFormatError, UnknownKindError, RecursionError):
            return None
        return manifest


def _text(raw: dict[str, object], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise EntryFormatError(f"{key!r} must be a string")
    return value


def _list(raw: dict[str, object], key: str) -> list[object]:
    value = raw.get(key)
    if not isinstance(value, list):
        raise EntryFormatError(f"{key!r} must be a list")
    return value


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

    def _path(self, candidate: PackCandidate, key: str) -> Path | None:
        stem = safe_file_stem(candidate.name)
        return None if stem is None else self.directory / f"{stem}-{environment_tag()}-{key}.json"

    def load(self, candidate: PackCandidate) -> PackManifest | None:
        """The cached manifest of exactly this installation, if any."""
        key = self.key(candidate)
        path = self._path(candidate, key) if key is not None else None
        text = read_trusted(path) if path is not None else None
        if text is None:
            return None
        manifest = PackManifest.from_json(text)
        if manifest is None or manifest.pack != candidate.name:
            return None
        return manifest

    def store(self, candidate: PackCandidate, manifest: PackManifest) -> None:
        """Write atomically and drop this pack's manifests of other installations (best effort)."""
        key = self.key(candidate)
        target = self._path(candidate, key) if key is not None else None
        if target is None or not private_directory(self.directory):
            return
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".manifest-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(manifest.to_json())
            os.replace(temporary, target)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)
            return
        for stale in self.directory.glob(target.name.rsplit("-", 1)[0] + "-*.json"):
            if stale != target:
                with contextlib.suppress(OSError):
                    stale.unlink()


def cache_enabled() -> bool:
    """``VGI_HOST_NO_CACHE=1`` turns the cache off (always import every pack)."""
    return os.environ.get(ENV_NO_CACHE, "").lower() in ("", "0", "false", "no")
