"""Finding packs: reading entry points, importing nothing.

Discovery only reads installed distributions' metadata, so it is cheap and can
never fail because of a pack's code.  It yields one :class:`PackCandidate` per
entry point in the ``vgi.functions`` group, sorted by pack name so that load
order (and therefore every listing) is deterministic.  A pack name claimed by
two different distributions is a :class:`NameClash`: neither is loaded,
because picking one would silently depend on ``sys.path`` order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING

from vgi_host.model.about import read_about
from vgi_host.model.candidate import PackCandidate
from vgi_host.protocol.wire import frozen_record

if TYPE_CHECKING:
    from importlib import metadata

ENTRY_POINT_GROUP = "vgi.functions"


@frozen_record
class NameClash:
    """Several distributions declare the same pack name."""

    name: str
    claimants: tuple[PackCandidate, ...]

    @property
    def message(self) -> str:
        """Why the pack is not loaded, and what to do about it."""
        spellings = sorted({c.name for c in self.claimants})
        if len(spellings) > 1:
            who = ", ".join(
                f"{c.name!r} by {c.distribution} {c.version} ({c.target})" for c in self.claimants
            )
            return f"pack names that differ only in case name one schema in DuckDB: {who}"
        who = ", ".join(f"{c.distribution} {c.version} ({c.target})" for c in self.claimants)
        return f"pack name {self.name!r} is claimed by several distributions: {who}"

    @property
    def remedy(self) -> str:
        """The user's way out."""
        distributions = {c.distribution for c in self.claimants}
        if len(distributions) == 1:
            return (
                f"rename all but one of these vgi.functions entry points of {self.claimants[0].distribution}"
            )
        return "uninstall all but one of them, e.g. `pip uninstall " + self.claimants[-1].distribution + "`"


@frozen_record
class Discovery:
    """The result of one scan of the environment."""

    candidates: tuple[PackCandidate, ...]
    clashes: tuple[NameClash, ...]


def _is_editable(dist: metadata.Distribution) -> bool:
    """PEP 610: an editable install says so in ``direct_url.json``."""
    try:
        direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return False
    return bool(direct_url.get("dir_info", {}).get("editable", False))


def _normalise(distribution: str) -> str:
    return distribution.lower().replace("_", "-").replace(".", "-")


def discover(group: str = ENTRY_POINT_GROUP) -> Discovery:
    """Scan installed distributions once for pack entry points."""
    # Imported here: with the scan cached (vgi_host.packs.discovery_cache), a
    # start never needs importlib.metadata nor the email parser it brings.
    from importlib import metadata

    # Keyed case-insensitively: DuckDB schema names are, so `Dup` and `dup`
    # would be one schema (and one cache file); both are reported instead.
    by_name: dict[str, dict[tuple[str, str], PackCandidate]] = defaultdict(dict)
    for entry_point in metadata.entry_points(group=group):
        dist = entry_point.dist
        if dist is None:
            candidate = PackCandidate(entry_point.name, entry_point.value, "<unknown>", "?")
        else:
            location = getattr(dist, "_path", None)
            message = dist.metadata
            candidate = PackCandidate(
                entry_point.name,
                entry_point.value,
                message["Name"],
                dist.version,
                requires=tuple(dist.requires or ()),
                location=str(location) if location is not None else None,
                editable=_is_editable(dist),
                about=read_about(message),  # type: ignore[arg-type]  # PackageMetadata is an email Message
            )
        distribution = candidate.distribution
        # importlib.metadata already keeps only the first of several copies of
        # one distribution on sys.path; keying by it keeps the grouping honest.
        by_name[entry_point.name.casefold()].setdefault(
            (_normalise(distribution), entry_point.name), candidate
        )
    candidates: list[PackCandidate] = []
    clashes: list[NameClash] = []
    for name in sorted(by_name):
        claimants = tuple(sorted(by_name[name].values(), key=lambda c: (_normalise(c.distribution), c.name)))
        if len(claimants) == 1:
            candidates.append(claimants[0])
        else:
            clashes.append(NameClash(claimants[0].name, claimants))
    return Discovery(tuple(candidates), tuple(clashes))
