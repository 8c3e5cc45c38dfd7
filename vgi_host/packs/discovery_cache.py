"""The result of pack discovery, remembered between starts.

Discovery reads every installed distribution's metadata (``importlib.metadata``
plus the ``email`` parser for each ``METADATA`` file): 15-25 ms of a cold
``vgi-host serve`` on a small environment, more on a big one, paid by every
process DuckDB spawns.  The answer only changes when something is installed,
removed or re-installed, so it is cached next to the manifests.

A cached answer is believed only while the environment looks exactly as it did:

* the same ``sys.path`` (its entries in order), the same host version and
  discovery group;
* every ``sys.path`` entry with the same modification time.  Installing or
  removing a distribution creates or deletes its ``.dist-info`` directory in a
  ``site-packages`` directory, which changes that directory's mtime; ``.pth``
  files (editable installs) live there too;
* every pack's own ``.dist-info`` directory with the same modification time
  (a re-install in place re-creates it).

Anything else, including a file that does not parse or has an unexpected shape,
is a miss: discovery runs as before and the file is rewritten.  Files are read
and written with the manifest cache's rules (:mod:`vgi_host.catalog.cache_files`):
private to this user, per Python environment, replaced atomically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vgi_host import __version__
from vgi_host.catalog.cache_files import environment_tag, private_directory, read_trusted
from vgi_host.model.about import PackAbout
from vgi_host.model.candidate import PackCandidate
from vgi_host.packs.discovery import ENTRY_POINT_GROUP, Discovery, NameClash

DISCOVERY_FORMAT = 1


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def fingerprint(group: str) -> list[Any]:
    """What the cached answer depends on, apart from each pack's own ``.dist-info``."""
    entries = [[entry, _mtime(entry or ".")] for entry in sys.path]
    return [DISCOVERY_FORMAT, __version__, group, entries]


def _candidate_json(candidate: PackCandidate) -> dict[str, Any]:
    return dataclasses.asdict(candidate)


def _tuples(value: Any) -> Any:
    """JSON arrays back to the tuples the frozen records hold (nested for ``project_urls``)."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _strings(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(item, str) for item in value)


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": lambda value: isinstance(value, str),
    "str | None": lambda value: value is None or isinstance(value, str),
    "bool": lambda value: isinstance(value, bool),
    "tuple[str, ...]": _strings,
    "tuple[tuple[str, str], ...]": lambda value: (
        isinstance(value, tuple) and all(_strings(pair) and len(pair) == 2 for pair in value)
    ),
}
"""Field annotation (as written) -> the check of a value read back; the records use no others."""


def _checked[T](cls: type[T], raw: dict[str, Any], **nested: Any) -> T:
    """An instance of the record class ``cls`` from ``raw``, every field's type checked."""
    values = {key: _tuples(value) for key, value in raw.items() if key not in nested}
    record = cls(**values, **nested)
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # cls is a dataclass
        if field.name not in nested and not _CHECKS[str(field.type)](getattr(record, field.name)):
            raise ValueError(f"{cls.__name__}.{field.name}: unexpected value")
    return record


def _candidate(raw: Any) -> PackCandidate:
    """Rebuild one candidate; a wrong shape raises (and the whole file is a miss)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("about"), dict):
        raise ValueError("candidate must be an object with an about object")
    return _checked(PackCandidate, raw, about=_checked(PackAbout, raw["about"]))


def _locations_unchanged(raw: dict[str, Any]) -> bool:
    stamps = raw.get("locations")
    if not isinstance(stamps, list):
        return False
    return all(
        isinstance(stamp, list)
        and len(stamp) == 2
        and isinstance(stamp[0], str)
        and _mtime(stamp[0]) == stamp[1]
        for stamp in stamps
    )


def _decode(text: str, expected: list[Any]) -> Discovery | None:
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("fingerprint") != expected or not _locations_unchanged(raw):
            return None
        candidates = tuple(_candidate(c) for c in raw["candidates"])
        clashes = tuple(
            NameClash(str(clash["name"]), tuple(_candidate(c) for c in clash["claimants"]))
            for clash in raw["clashes"]
        )
    except (ValueError, TypeError, KeyError, RecursionError):  # KeyError: also a field of unknown type
        return None
    return Discovery(candidates, clashes)


def _encode(found: Discovery, expected: list[Any]) -> str:
    everyone = [*found.candidates, *(c for clash in found.clashes for c in clash.claimants)]
    locations = sorted({c.location for c in everyone if c.location is not None})
    return json.dumps(
        {
            "fingerprint": expected,
            "locations": [[location, _mtime(location)] for location in locations],
            "candidates": [_candidate_json(c) for c in found.candidates],
            "clashes": [
                {"name": clash.name, "claimants": [_candidate_json(c) for c in clash.claimants]}
                for clash in found.clashes
            ],
        },
        separators=(",", ":"),
    )


def _path(directory: Path, group: str) -> Path:
    kind = "discovery" if group == ENTRY_POINT_GROUP else "discovery-other"
    return directory / f"{kind}-{environment_tag()}.json"


def cached_discover(directory: Path, group: str = ENTRY_POINT_GROUP) -> Discovery:
    """Discovery's answer: from ``directory`` when the environment is unchanged, else scanned and stored."""
    expected = fingerprint(group)
    path = _path(directory, group)
    text = read_trusted(path)
    found = _decode(text, expected) if text is not None else None
    if found is not None:
        return found
    from vgi_host.packs.discovery import discover

    found = discover(group)
    if private_directory(directory):
        try:
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".discovery-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(_encode(found, expected))
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)
    return found
