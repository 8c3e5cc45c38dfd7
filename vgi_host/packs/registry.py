"""The set of packs a host process serves, and lookups into it.

Built once per process from a discovery scan.  Lookups answer with errors that
say what *is* available, because the person reading them is usually typing SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vgi_host.packs.discovery import Discovery, discover
from vgi_host.packs.loader import clash_records, load_pack
from vgi_host.packs.records import PackRecord, PackStatus
from vgi_host.sdk.kinds import FunctionDefinition


class RoutingError(LookupError):
    """A call names a pack or function this host does not serve.

    ``NOT_FOUND`` lets clients tell it from a failure inside a function.
    """

    error_code = "NOT_FOUND"


@dataclass(frozen=True, slots=True)
class PackRegistry:
    """All discovered packs, loaded or failed, in deterministic order."""

    records: tuple[PackRecord, ...]
    _loaded: dict[str, PackRecord] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._loaded.update({r.name.lower(): r for r in self.records if r.status is PackStatus.LOADED})

    @classmethod
    def load(cls, discovery: Discovery | None = None) -> PackRegistry:
        """Discover (unless given a scan) and load every pack, each in isolation."""
        found = discovery if discovery is not None else discover()
        records = [load_pack(candidate) for candidate in found.candidates]
        for clash in found.clashes:
            records.extend(clash_records(clash))
        records.sort(key=lambda r: (r.name, r.distribution))
        return cls(tuple(records))

    @property
    def loaded(self) -> tuple[PackRecord, ...]:
        """Packs whose functions are served, in name order."""
        return tuple(r for r in self.records if r.status is PackStatus.LOADED)

    @property
    def failed(self) -> tuple[PackRecord, ...]:
        """Packs that did not load."""
        return tuple(r for r in self.records if r.status is not PackStatus.LOADED)

    def pack(self, name: str) -> PackRecord | None:
        """The loaded pack serving schema ``name`` (case-insensitive)."""
        return self._loaded.get(name.lower())

    def find(self, schema: str, function: str) -> tuple[PackRecord, FunctionDefinition]:
        """Resolve ``schema.function`` or raise :class:`RoutingError` saying what exists."""
        record = self.pack(schema)
        if record is None:
            broken = [r for r in self.records if r.name.lower() == schema.lower()]
            if broken:
                raise RoutingError(f"pack {schema!r} is installed but failed to load: {broken[0].error}")
            served = ", ".join(r.name for r in self.loaded) or "none"
            raise RoutingError(f"no pack named {schema!r} (packs served: {served})")
        definition = record.function(function)
        if definition is None:
            available = ", ".join(f.name for f in record.functions) or "none"
            raise RoutingError(f"pack {record.name!r} has no function {function!r} (it has: {available})")
        return record, definition
