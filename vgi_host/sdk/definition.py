"""What every kind's definition has in common, as the layers above the SDK see it.

Each kind (``vgi_host.kinds``) has its own definition class with its own
extras; registration, loading and routing only need the shared shape, so they
depend on this protocol instead of a union that every new kind would have to
join.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: importing this module must stay free
    from vgi_host.sdk.metadata import FunctionMetadata
    from vgi_host.sdk.signature import ArgumentSpec


class FunctionDefinition(Protocol):
    """A validated function class: its SQL name, metadata and declared arguments."""

    @property
    def name(self) -> str:
        """The SQL name."""
        ...

    @property
    def metadata(self) -> FunctionMetadata:
        """Documentation and planner flags read from ``Meta`` and the docstring."""
        ...

    @property
    def arguments(self) -> tuple[ArgumentSpec, ...]:
        """Declared arguments in call order (positional, then named)."""
        ...

    @property
    def function_class(self) -> type:
        """The pack's class."""
        ...
