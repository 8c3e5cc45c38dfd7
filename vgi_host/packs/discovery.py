"""Finding packs: reading entry points, importing nothing.

Discovery only reads installed distributions' metadata, so it is cheap and can
never fail because of a pack's code.  It yields one :class:`PackCandidate` per
entry point in the ``vgi.functions`` group, sorted by pack name so that load
order (and therefore every listing) is deterministic.  A pack name claimed by
two different distributions is a :class:`NameClash`: neither is loaded,
because picking one would silently depend on ``sys.path`` order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import metadata

ENTRY_POINT_GROUP = "vgi.functions"


@dataclass(frozen=True, slots=True)
class PackCandidate:
    """An installed pack as its distribution's metadata describes it."""

    name: str
    """The entry point's name: the pack name and its DuckDB schema."""
    target: str
    """The entry point's value: ``module`` or ``module:attribute``."""
    distribution: str
    version: str


@dataclass(frozen=True, slots=True)
class NameClash:
    """Several distributions declare the same pack name."""

    name: str
    claimants: tuple[PackCandidate, ...]

    @property
    def message(self) -> str:
        """Why the pack is not loaded, and what to do about it."""
        who = ", ".join(f"{c.distribution} {c.version} ({c.target})" for c in self.claimants)
        return f"pack name {self.name!r} is claimed by several distributions: {who}"

    @property
    def remedy(self) -> str:
        """The user's way out."""
        return "uninstall all but one of them, e.g. `pip uninstall " + self.claimants[-1].distribution + "`"


@dataclass(frozen=True, slots=True)
class Discovery:
    """The result of one scan of the environment."""

    candidates: tuple[PackCandidate, ...]
    clashes: tuple[NameClash, ...]


def _normalise(distribution: str) -> str:
    return distribution.lower().replace("_", "-").replace(".", "-")


def discover(group: str = ENTRY_POINT_GROUP) -> Discovery:
    """Scan installed distributions once for pack entry points."""
    by_name: dict[str, dict[str, PackCandidate]] = defaultdict(dict)
    for entry_point in metadata.entry_points(group=group):
        dist = entry_point.dist
        distribution = dist.metadata["Name"] if dist is not None else "<unknown>"
        version = dist.version if dist is not None else "?"
        candidate = PackCandidate(entry_point.name, entry_point.value, distribution, version)
        # importlib.metadata already keeps only the first of several copies of
        # one distribution on sys.path; keying by it keeps the grouping honest.
        by_name[entry_point.name].setdefault(_normalise(distribution), candidate)
    candidates: list[PackCandidate] = []
    clashes: list[NameClash] = []
    for name in sorted(by_name):
        claimants = tuple(sorted(by_name[name].values(), key=lambda c: _normalise(c.distribution)))
        if len(claimants) == 1:
            candidates.append(claimants[0])
        else:
            clashes.append(NameClash(name, claimants))
    return Discovery(tuple(candidates), tuple(clashes))
