"""Is an installed pack written for this vgi-host?  Decided before import.

A pack declares the range it supports the ordinary way, as its distribution's
dependency on vgi-host (``Requires-Dist: vgi-host>=0.1,<0.2``), so the check
needs no import and no extra convention, and pip/uv already try to satisfy the
same range.  The host still checks it because environments drift: a pack can be
installed with ``--no-deps``, or vgi-host upgraded past what a pack supports
(plugin hosts that trust the installer report such packs as broken only after
importing them, and often not at all).  A pack that declares no range is
served, and ``vgi-host check`` flags the missing declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from vgi_host import __version__

HOST_DISTRIBUTION = "vgi-host"


@dataclass(frozen=True, slots=True)
class Compatibility:
    """The verdict for one pack."""

    declared: str | None
    """The declared specifier (e.g. ``>=0.1,<0.2``); None when the pack declares none."""
    compatible: bool

    @property
    def problem(self) -> str | None:
        """Why the pack is not served, if it is not."""
        if self.compatible:
            return None
        return f"requires vgi-host {self.declared}, but vgi-host {__version__} is installed"


def check(requires: tuple[str, ...], host_version: str = __version__) -> Compatibility:
    """Read the vgi-host requirement among ``requires`` and test ``host_version`` against it."""
    for line in requires:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != HOST_DISTRIBUTION:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        specifier = str(requirement.specifier) or None
        try:
            version = Version(host_version)
        except InvalidVersion:
            return Compatibility(specifier, True)
        return Compatibility(specifier, requirement.specifier.contains(version, prereleases=True))
    return Compatibility(None, True)
