"""A discovered pack, as its distribution's metadata describes it (nothing imported)."""

from __future__ import annotations

from dataclasses import field

from vgi_host.model.about import PackAbout
from vgi_host.protocol.wire import frozen_record


@frozen_record
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
    about: PackAbout = field(default_factory=PackAbout)
    """Summary, README, keywords, URLs, licence, author: the source of the catalog's doc tags."""
