"""What the host knows about each pack after trying to load it.

A :class:`PackRecord` is plain data: listings, the catalog and error messages
are all produced from records, never from pack modules, so a broken pack is
described with the same care as a working one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from vgi_host.sdk.kinds import FunctionDefinition


class PackStatus(Enum):
    """Outcome of loading one pack."""

    LOADED = "loaded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PackRecord:
    """One pack: where it came from, whether it loaded, and what it offers."""

    name: str
    distribution: str
    version: str
    target: str
    status: PackStatus
    functions: tuple[FunctionDefinition, ...] = ()
    problems: tuple[str, ...] = ()
    """One line per problem; empty when loaded."""
    traceback: str | None = None
    remedy: str | None = None
    load_seconds: float = 0.0
    _by_name: dict[str, FunctionDefinition] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name.lower(): f for f in self.functions})

    @property
    def error(self) -> str | None:
        """All problems as one message, or None when the pack loaded."""
        return "; ".join(self.problems) if self.problems else None

    def function(self, name: str) -> FunctionDefinition | None:
        """Look a function up by SQL name, case-insensitively as DuckDB does."""
        return self._by_name.get(name.lower())
