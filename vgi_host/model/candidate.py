"""A discovered pack, as its distribution's metadata describes it (nothing imported)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PackCandidate:
    """An installed pack as its distribution's metadata describes it."""

    name: str
    """The entry point's name: the pack name and its DuckDB schema."""
    target: str
    """The entry point's value: ``module`` or ``module:attribute``."""
    distribution: str
    version: str
    requires: tuple[str, ...] = ()
    """The distribution's ``Requires-Dist`` lines (where its vgi-host range is declared)."""
    location: str | None = None
    """The ``.dist-info`` directory: with its mtime it identifies one installation."""
    editable: bool = False
    """Installed in development mode: its code changes without reinstalling."""
