"""The set of packs a host process serves.

Built once per process: discovery (metadata only), then per pack, in order,
selection (disabled packs are never imported), the name check, compatibility
(incompatible packs are never imported), the manifest cache (a hit imports
nothing), and only on a miss the import itself.  The host's own ``main``
schema is a built-in pack built from these records (:mod:`vgi_host.host.builtin`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vgi_host.catalog.manifest import ManifestCache, PackManifest, cache_enabled
from vgi_host.model.candidate import PackCandidate
from vgi_host.model.records import HOST_SCHEMA, PackRecord, PackStatus, not_served
from vgi_host.packs.discovery import Discovery, discover
from vgi_host.packs.selection import Selection
from vgi_host.sdk.definition import FunctionDefinition

# The loader (pluggy, the SDK) is imported only when a pack must actually be
# imported: with every manifest cached, a catalog-only process never needs it.


def _from_manifest(candidate: PackCandidate, manifest: PackManifest) -> PackRecord:
    return PackRecord.of(
        candidate,
        PackStatus.LOADED,
        entries=manifest.functions,
        tables=manifest.tables,
        views=manifest.views,
        declared_host_range=manifest.declared_host_range,
        from_cache=True,
        importer=lambda: _import(candidate),
        about=candidate.about,
    )


def _import(candidate: PackCandidate) -> tuple[FunctionDefinition, ...]:
    from vgi_host.packs.loader import import_pack

    return import_pack(candidate).definitions


def _consider(
    candidate: PackCandidate, selection: Selection, cache: ManifestCache | None
) -> list[PackRecord]:
    """One pack's records (one per schema it serves), importing it only when nothing cheaper can answer."""
    verdict = selection.verdict(candidate.name)
    if verdict is not None:
        return [not_served(candidate, PackStatus.DISABLED, verdict, selection.remedy(candidate.name))]
    manifest = cache.load(candidate) if cache is not None else None
    if manifest is not None:  # the cache key covers host and pack versions: its verdicts still hold
        return [_from_manifest(candidate, manifest)]
    from vgi_host.packs.compatibility import check

    compatibility = check(candidate.requires)
    if not compatibility.compatible:
        remedy = (
            f"install a vgi-host matching {compatibility.declared!r}, "
            f"or a version of {candidate.distribution} that supports this vgi-host"
        )
        incompatible = not_served(candidate, PackStatus.INCOMPATIBLE, compatibility.problem or "", remedy)
        incompatible.declared_host_range = compatibility.declared
        return [incompatible]
    from vgi_host.packs.loader import load_pack_schemas

    records = load_pack_schemas(candidate, compatibility.declared)
    record = records[0]
    if cache is not None and len(records) == 1 and not record.dynamic and record.status is PackStatus.LOADED:
        manifest = PackManifest(
            candidate.name,
            candidate.distribution,
            candidate.version,
            compatibility.declared,
            record.entries,
            record.tables,
            record.views,
        )
        cache.store(candidate, manifest)
    return records


def _schema_conflicts(records: list[PackRecord]) -> list[PackRecord]:
    """A schema name two packs claim is served by neither: each claimant's schema is marked failed."""
    owners: dict[str, set[str]] = {}
    for record in records:
        if record.status is PackStatus.LOADED:
            owners.setdefault(record.name.lower(), set()).add(record.pack)
    contested = {name: sorted(packs) for name, packs in owners.items() if len(packs) > 1}
    if not contested:
        return records
    result: list[PackRecord] = []
    for record in records:
        claimants = contested.get(record.name.lower())
        if claimants is None or record.status is not PackStatus.LOADED:
            result.append(record)
            continue
        others = ", ".join(p for p in claimants if p != record.pack)
        result.append(
            PackRecord(
                name=record.name,
                distribution=record.distribution,
                version=record.version,
                target=record.target,
                status=PackStatus.FAILED,
                problems=(f"{SCHEMA_CONFLICT}: schema {record.name!r} is also claimed by pack(s) {others}",),
                remedy="disable one of the packs (--disable PACK, or the config file) or rename the schema",
                about=record.about,
                pack=record.pack,
                schema_meta=record.schema_meta,
                catalog=record.catalog,
                declared_host_range=record.declared_host_range,
            )
        )
    return result


SCHEMA_CONFLICT = "schema conflict"
"""The first words of the problem recorded for a schema two packs claim (`check` reports it)."""


@dataclass(frozen=True, slots=True)
class PackRegistry:
    """All discovered packs, served or not, in deterministic order."""

    records: tuple[PackRecord, ...]
    selection: Selection = field(default_factory=Selection)
    _loaded: dict[str, PackRecord] = field(default_factory=dict, repr=False, compare=False)
    _host: list[PackRecord] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._loaded.update({r.name.lower(): r for r in self.records if r.status is PackStatus.LOADED})

    @classmethod
    def load(
        cls,
        discovery: Discovery | None = None,
        selection: Selection | None = None,
        cache: ManifestCache | None = None,
        *,
        use_cache: bool = True,
    ) -> PackRegistry:
        """Discover (unless given a scan) and consider every pack, each in isolation."""
        chosen = selection if selection is not None else Selection()
        manifests = (
            cache if cache is not None else (ManifestCache() if use_cache and cache_enabled() else None)
        )
        if discovery is not None:
            found = discovery
        elif manifests is not None:
            from vgi_host.packs.discovery_cache import cached_discover

            found = cached_discover(manifests.directory)
        else:
            found = discover()
        records = [r for candidate in found.candidates for r in _consider(candidate, chosen, manifests)]
        records = _schema_conflicts(records)
        if found.clashes:
            from vgi_host.packs.loader import clash_records

            for clash in found.clashes:
                records.extend(clash_records(clash))
        records.sort(key=lambda r: (r.name, r.distribution))
        return cls(tuple(records), chosen)

    @property
    def loaded(self) -> tuple[PackRecord, ...]:
        """Packs whose functions are served, in name order."""
        return tuple(r for r in self.records if r.status is PackStatus.LOADED)

    @property
    def failed(self) -> tuple[PackRecord, ...]:
        """Packs that should have been served but are not (failed or incompatible)."""
        return tuple(r for r in self.records if r.status in (PackStatus.FAILED, PackStatus.INCOMPATIBLE))

    @property
    def host(self) -> PackRecord:
        """The host's own ``main`` schema (introspection and aliases), built on first use."""
        if not self._host:
            from vgi_host.host.builtin import host_record

            self._host.append(host_record(self.records))
        return self._host[0]

    def pack(self, name: str) -> PackRecord | None:
        """The record serving schema ``name`` (case-insensitive): a loaded pack, or ``main``."""
        if name.lower() == HOST_SCHEMA:
            return self.host
        return self._loaded.get(name.lower())

    def catalogs(self) -> list[PackRecord]:
        """One loaded record per pack that brings its own catalog (a Worker pack), in pack order."""
        seen: dict[str, PackRecord] = {}
        for record in self.loaded:
            if record.catalog is not None:
                seen.setdefault(record.catalog.name.lower(), record)
        return list(seen.values())

    def pack_catalog(self, name: str) -> list[PackRecord] | None:
        """The loaded schema records of the pack whose own catalog is called ``name``, or None."""
        wanted = name.lower()
        owner = next(
            (r.pack for r in self.loaded if r.catalog is not None and r.catalog.name.lower() == wanted), None
        )
        return [r for r in self.loaded if r.pack == owner] if owner is not None else None

    def installed(self, name: str) -> PackRecord | None:
        """Any discovered record of pack ``name``, served or not."""
        return next((r for r in self.records if r.name.lower() == name.lower()), None)
