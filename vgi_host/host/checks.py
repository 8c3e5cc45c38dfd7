"""`vgi-host check`: import packs and hold them to the standards the host relies on.

Loading already rejects what cannot be served (import errors, unknown hooks,
invalid classes, duplicate names).  A check goes further, for pack authors
and CI: it always imports (the manifest cache is bypassed), and it reports
what makes a pack hard to use from SQL — undocumented functions or arguments,
argument types DuckDB has no name for, a missing vgi-host compatibility range,
function names defined by several packs.  Each finding carries a remedy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from vgi_host.host.registry import PackRegistry
from vgi_host.model.records import PackRecord, PackStatus, conflicting_names
from vgi_host.sql_types import is_supported


class Severity(Enum):
    """Errors fail the check; warnings are advice."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one pack (or one of its functions)."""

    pack: str
    subject: str
    """``pack`` itself or ``pack.function``."""
    severity: Severity
    message: str
    remedy: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """All findings of one check run, and which packs were checked."""

    checked: tuple[PackRecord, ...]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that fail the check."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def for_pack(self, name: str) -> tuple[Finding, ...]:
        """Findings about one pack."""
        return tuple(f for f in self.findings if f.pack == name)


def _pack_findings(record: PackRecord) -> list[Finding]:
    name = record.name
    if record.status is not PackStatus.LOADED:
        return [Finding(name, name, Severity.ERROR, record.error or record.status.value, record.remedy or "")]
    findings: list[Finding] = []
    if record.declared_host_range is None:
        findings.append(
            Finding(
                name,
                name,
                Severity.ERROR,
                "declares no vgi-host version range",
                'add e.g. "vgi-host>=0.1,<0.2" to [project].dependencies in its pyproject.toml',
            )
        )
    for entry in record.entries:
        described = entry.description
        subject = f"{name}.{entry.name}"
        if not described.description.strip():
            findings.append(
                Finding(
                    name,
                    subject,
                    Severity.ERROR,
                    "has no description",
                    "give the class a docstring or Meta.description",
                )
            )
        for argument in described.arguments:
            if argument.type != "TABLE" and not argument.doc.strip():
                findings.append(
                    Finding(
                        name,
                        subject,
                        Severity.ERROR,
                        f"argument {argument.name!r} is undocumented",
                        "pass doc=... to its Param/ConstParam/Arg",
                    )
                )
        if not described.examples:
            findings.append(
                Finding(
                    name, subject, Severity.WARNING, "has no examples", "add Meta.examples with one SQL call"
                )
            )
    return findings


def _type_findings(record: PackRecord) -> list[Finding]:
    findings: list[Finding] = []
    for entry in record.entries:
        definition = record.definition(entry.name)
        if definition is None:
            continue
        for argument in definition.arguments:
            if argument.arrow_type is not None and not is_supported(argument.arrow_type):
                findings.append(
                    Finding(
                        record.name,
                        f"{record.name}.{entry.name}",
                        Severity.ERROR,
                        f"argument {argument.name!r} has type {argument.arrow_type}, unknown to DuckDB",
                        "use numbers, VARCHAR, BLOB, DATE, TIMESTAMP, DECIMAL, or LIST/STRUCT/MAP of them",
                    )
                )
    return findings


def _conflicts(loaded: tuple[PackRecord, ...]) -> list[Finding]:
    return [
        Finding(
            pack,
            f"{pack}.{function}",
            Severity.WARNING,
            f"function {function!r} is also defined by {', '.join(p for p in packs if p != pack)}",
            "callers must qualify it with its pack (schema): it gets no unqualified alias in main",
        )
        for function, packs in sorted(conflicting_names(loaded).items())
        for pack in packs
    ]


def run_check(registry: PackRegistry, packs: list[str] | None = None) -> CheckReport:
    """Check the named packs (all discovered ones when ``packs`` is empty or None)."""
    wanted = {p.lower() for p in packs or []}
    checked = tuple(r for r in registry.records if not wanted or r.name.lower() in wanted)
    findings: list[Finding] = []
    for record in checked:
        findings.extend(_pack_findings(record))
        if record.status is PackStatus.LOADED:
            findings.extend(_type_findings(record))
    checked_names = {r.name for r in checked}
    findings.extend(f for f in _conflicts(registry.loaded) if f.pack in checked_names)
    return CheckReport(checked, tuple(findings))
