"""`vgi-host check`: import packs and hold them to the standards the host and the ecosystem rely on.

Loading already rejects what cannot be served (import errors, unknown hooks,
invalid classes, duplicate names).  A check goes further, for pack authors
and CI: it always imports (the manifest cache is bypassed), and it reports
what makes a pack hard to use from SQL or to find in a catalog: the static
metadata rules of :mod:`vgi_host.catalog.lint` (the same the test kit uses),
argument types DuckDB has no name for, a missing vgi-host compatibility
range, function names defined by several packs.  Each finding carries a
stable code and a remedy.  Under ``strict`` every warning is an error, which
gives the verdict of the ecosystem linter's strict profile.

Packs the selection deselected (``--pack``, ``--disable``, environment,
config file) are not checked: being switched off is not a defect.
"""

from __future__ import annotations

from dataclasses import field

from vgi_host.catalog.lint import Lint, Severity, function_lints, schema_lints
from vgi_host.catalog.record_tags import pack_schema_tags
from vgi_host.host.registry import SCHEMA_CONFLICT, PackRegistry
from vgi_host.model.records import PackRecord, PackStatus, conflicting_names
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.wire import frozen_record
from vgi_host.sql_types import unsupported

__all__ = ["CheckReport", "Finding", "Severity", "run_check"]


@frozen_record
class Finding:
    """One problem with one pack (or one of its functions)."""

    pack: str
    subject: str
    """``pack`` itself or ``pack.function``."""
    severity: Severity
    message: str
    remedy: str
    code: str
    """Stable rule code (``VH...``); see docs/pack-authors.md for the list."""


@frozen_record
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


def _from_lint(pack: str, lint: Lint) -> Finding:
    return Finding(pack, lint.subject, lint.severity, lint.message, lint.remedy, lint.code)


def _pack_findings(record: PackRecord) -> list[Finding]:
    name = record.name
    if record.status is not PackStatus.LOADED:
        problem = record.error or record.status.value
        code = "VH104" if problem.startswith(SCHEMA_CONFLICT) else "VH100"
        return [Finding(name, name, Severity.ERROR, problem, record.remedy or "", code)]
    findings: list[Finding] = []
    if record.declared_host_range is None:
        findings.append(
            Finding(
                name,
                name,
                Severity.WARNING,
                "declares no vgi-host version range (it is served, but may break on a vgi-host upgrade)",
                'add e.g. "vgi-host>=0.1,<0.2" to [project].dependencies in its pyproject.toml',
                "VH101",
            )
        )
    findings.extend(_from_lint(name, lint) for lint in schema_lints(name, pack_schema_tags(record)))
    for entry in record.entries:
        info = FunctionInfo.deserialize_from_bytes(entry.info)
        findings.extend(_from_lint(name, lint) for lint in function_lints(info))
    return findings


def _type_findings(record: PackRecord) -> list[Finding]:
    findings: list[Finding] = []
    for entry in record.entries:
        definition = record.definition(entry.name)
        if definition is None:
            continue
        for argument in definition.arguments:
            problem = None if argument.arrow_type is None else unsupported(argument.arrow_type)
            if problem is not None:
                findings.append(
                    Finding(
                        record.name,
                        f"{record.name}.{entry.name}",
                        Severity.ERROR,
                        f"argument {argument.name!r} has type {argument.arrow_type}: {problem}",
                        "declare a type DuckDB reads (docs/sql-types.md lists them)",
                        "VH102",
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
            "VH103",
        )
        for function, packs in sorted(conflicting_names(loaded).items())
        for pack in packs
    ]


def _strictly(finding: Finding) -> Finding:
    if finding.severity is Severity.ERROR:
        return finding
    return Finding(
        finding.pack, finding.subject, Severity.ERROR, finding.message, finding.remedy, finding.code
    )


def run_check(registry: PackRegistry, packs: list[str] | None = None, *, strict: bool = False) -> CheckReport:
    """Check the named packs (every selected one when ``packs`` is empty or None).

    Deselected packs are skipped.  With ``strict``, warnings become errors.
    """
    wanted = {p.lower() for p in packs or []}
    checked = tuple(
        r
        for r in registry.records
        if r.status is not PackStatus.DISABLED
        and (not wanted or r.name.lower() in wanted or r.pack.lower() in wanted)
    )
    findings: list[Finding] = []
    for record in checked:
        findings.extend(_pack_findings(record))
        if record.status is PackStatus.LOADED:
            findings.extend(_type_findings(record))
    checked_names = {r.name for r in checked}
    findings.extend(f for f in _conflicts(registry.loaded) if f.pack in checked_names)
    if strict:
        findings = [_strictly(f) for f in findings]
    return CheckReport(checked, tuple(findings))
