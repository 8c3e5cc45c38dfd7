"""What `vgi-host info TARGET` names: a pack, one of its objects, or a unique function name.

``TARGET`` is ``PACK``, ``PACK.NAME`` (a function, table or view), or a bare
``NAME`` that exactly one loaded pack defines (the unqualified alias DuckDB
users call).  Every failure says what does exist, because the person reading
it is about to type the name again.
"""

from __future__ import annotations

from dataclasses import dataclass

from vgi_host.host.registry import PackRegistry
from vgi_host.model.entries import FunctionEntry, TableEntry, ViewEntry
from vgi_host.model.records import PackRecord, PackStatus

Entry = FunctionEntry | TableEntry | ViewEntry

__all__ = ["Target", "TargetNotFoundError", "pack_facts", "resolve_target"]


class TargetNotFoundError(LookupError):
    """TARGET names nothing installed; the message lists what exists."""


@dataclass(frozen=True, slots=True)
class Target:
    """A pack (``entry`` is None) or one function, table or view of it."""

    record: PackRecord
    entry: Entry | None = None

    @property
    def is_function(self) -> bool:
        """A function (scalar, table, table-in-out, aggregate), not a registered table or view."""
        return any(self.entry is e for e in self.record.entries)


def _objects(record: PackRecord) -> tuple[Entry, ...]:
    return (*record.entries, *record.tables, *record.views)


def _find(record: PackRecord, name: str) -> Entry | None:
    return next((e for e in _objects(record) if e.name.lower() == name.lower()), None)


def resolve_target(registry: PackRegistry, target: str) -> Target:
    """Resolve ``target`` or raise :class:`TargetNotFoundError` naming the alternatives."""
    pack_name, dot, object_name = target.partition(".")
    by_name = {r.name.lower(): r for r in registry.records}
    record = by_name.get(pack_name.lower())
    if record is not None and not dot:
        return Target(record)
    if record is not None:
        entry = _find(record, object_name)
        if entry is None:
            names = ", ".join(e.name for e in _objects(record)) or "nothing"
            raise TargetNotFoundError(
                f"pack {record.name!r} has no function, table or view {object_name!r} (it has: {names})"
            )
        return Target(record, entry)
    if not dot:
        owners = [
            (r, e) for r in registry.records if r.status is PackStatus.LOADED if (e := _find(r, target))
        ]
        if len(owners) == 1:
            return Target(*owners[0])
        if owners:
            qualified = ", ".join(f"{r.name}.{e.name}" for r, e in owners)
            raise TargetNotFoundError(f"{target!r} is defined by several packs; name one: {qualified}")
    packs = ", ".join(r.name for r in registry.records) or "none installed"
    raise TargetNotFoundError(f"no pack or function named {target!r} (packs: {packs})")


def _declared_facts(record: PackRecord) -> list[tuple[str, str]]:
    """The schema and catalog metadata a pack declares (a Worker's catalog, register_schemas)."""
    rows: list[tuple[str, str]] = []
    if record.schema_meta is not None:
        rows += [
            ("schema comment", record.schema_meta.comment or ""),
            ("schema tags", _tags(record.schema_meta.tags)),
        ]
        if record.own_path != [record.name]:
            rows.append(("its own name", ".".join(record.own_path)))
    catalog = record.catalog
    if catalog is not None:
        rows += [
            ("catalog", f"{catalog.name} (ATTACH '{catalog.name}' serves this pack alone)"),
            ("catalog comment", catalog.comment or ""),
            ("catalog tags", _tags(catalog.tags)),
            ("default schema", catalog.default_schema),
            ("implementation", catalog.implementation_version or ""),
            ("data version", catalog.data_version or ""),
            ("source", catalog.source_url or ""),
        ]
    return rows


def _tags(tags: dict[str, str]) -> str:
    """Tag names with short values shown; long documentation tags by name only."""
    return ", ".join(f"{k}={v}" if len(v) <= 40 else k for k, v in sorted(tags.items()))


def pack_facts(record: PackRecord) -> list[tuple[str, str]]:
    """Label/value rows for `info PACK` (empty values are left out by the renderer)."""
    if record.status is not PackStatus.LOADED:
        load = ""
    elif record.from_cache:
        load = "not imported (catalog from the cached manifest)"
    else:
        load = f"imported in {record.load_seconds * 1000:.1f} ms"
    return [
        (
            "pack (schema)",
            record.name if record.pack == record.name else f"{record.pack} (schema {record.name})",
        ),
        *_declared_facts(record),
        ("distribution", f"{record.distribution} {record.version}"),
        ("entry point", record.target),
        ("status", record.status.value),
        ("vgi-host range", record.declared_host_range or "not declared"),
        ("load", load),
        ("functions", str(len(record.entries))),
        ("tables", ", ".join(t.name for t in record.tables)),
        ("views", ", ".join(v.name for v in record.views)),
        ("error", record.error or ""),
        ("remedy", record.remedy or ""),
    ]
