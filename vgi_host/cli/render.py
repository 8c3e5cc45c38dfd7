"""Rendering for `vgi-host list`, `check` and `info`: Rich tables, plain lines, JSON.

Every string a pack supplies (names, docstrings, argument docs, errors) is
passed to Rich as a :class:`~rich.text.Text`, never as a markup string: a
docstring such as ``[min_lat, max_lat] x [min_lon, max_lon]`` or ``[red]x``
must print as written, not be parsed as Rich markup and silently eaten.

The plain format is for pipes and scripts: one tab-separated line per function
(``list``) or per finding (``check``), with tabs and newlines inside fields
turned into spaces, and ``-`` for an empty field, so ``cut``, ``grep`` and
``awk`` see whole records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from vgi_host.host.checks import CheckReport, Severity
from vgi_host.model.records import PackRecord, PackStatus, conflicting_names

_STATUS_STYLE = {
    PackStatus.LOADED: "green",
    PackStatus.FAILED: "bold red",
    PackStatus.INCOMPATIBLE: "bold yellow",
    PackStatus.DISABLED: "dim",
}


def text(value: object, style: str = "") -> Text:
    """Pack-supplied text for Rich: printed verbatim, never parsed as markup."""
    return Text("" if value is None else str(value), style=style)


def field(value: object) -> str:
    """One plain-format field: a single line without tabs; ``-`` when empty."""
    flat = " ".join(str(value).split()) if value is not None else ""
    return flat or "-"


def plain_line(values: Iterable[object]) -> str:
    """Fields joined by tabs."""
    return "\t".join(field(v) for v in values)


# --- list ---------------------------------------------------------------------------------


def _packs_table(records: Sequence[PackRecord]) -> Table:
    table = Table(title="Packs", title_justify="left", show_lines=False)
    for column in ("pack (schema)", "distribution", "version", "status", "functions"):
        table.add_column(column, justify="right" if column == "functions" else "left")
    for record in records:
        table.add_row(
            text(record.name if record.pack == record.name else f"{record.pack} ({record.name})"),
            text(record.distribution),
            text(record.version),
            text(record.status.value, _STATUS_STYLE[record.status]),
            text(len(record.entries)),
        )
    return table


def _functions_table(record: PackRecord) -> Table:
    table = Table(title=text(f"{record.name}: functions"), title_justify="left")
    table.add_column("kind")
    table.add_column("SQL signature", overflow="fold")
    table.add_column("description", overflow="fold")
    for entry in record.entries:
        described = entry.description
        table.add_row(
            text(described.kind),
            text(f"{record.name}.{described.signature}"),
            text(described.summary),
        )
    return table


def render_registry(records: Sequence[PackRecord], console: Console, *, brief: bool = False) -> None:
    """The pack table, then (unless ``brief``) each loaded pack's functions, then every failure."""
    out = console
    if not records:
        out.print("No packs installed. Install one, e.g. [bold]pip install vgi-pack-geo[/bold].")
        return
    out.print(_packs_table(records))
    loaded = [r for r in records if r.status is PackStatus.LOADED]
    for line in catalog_lines(loaded):
        out.print(text(line))
    if not brief:
        for record in loaded:
            out.print(_functions_table(record))
            objects = [f"table {t.name}" for t in record.tables] + [f"view {v.name}" for v in record.views]
            if objects:
                out.print(text(f"  also in {record.name}: {', '.join(objects)}"))
    for name, packs in sorted(conflicting_names(loaded).items()):
        qualified = ", ".join(f"{p}.{name}" for p in packs)
        owners = ", ".join(packs)
        out.print(
            text(
                f"conflict: {name!r} is defined by {owners}: no unqualified alias; call {qualified}", "yellow"
            )
        )
    for record in records:
        if record.status not in (PackStatus.FAILED, PackStatus.INCOMPATIBLE):
            continue
        what = "failed to load" if record.status is PackStatus.FAILED else "is incompatible"
        out.print(text(f"\n{record.name} ({record.distribution} {record.version}) {what}", "bold red"))
        out.print(text(f"  error:  {record.error}"))
        if record.remedy:
            out.print(text(f"  remedy: {record.remedy}"))


def catalog_lines(loaded: Sequence[PackRecord]) -> list[str]:
    """One line per pack that brings its own catalog: ATTACH under its name serves it alone."""
    lines: list[str] = []
    seen: set[str] = set()
    for record in loaded:
        catalog = record.catalog
        if catalog is None or record.pack in seen:
            continue
        seen.add(record.pack)
        versions = ", ".join(
            f"{label} {value}"
            for label, value in (
                ("implementation", catalog.implementation_version),
                ("data", catalog.data_version),
                ("source", catalog.source_url),
            )
            if value
        )
        schemas = ", ".join(r.name for r in loaded if r.pack == record.pack)
        lines.append(
            f"catalog {catalog.name!r} (pack {record.pack}; schemas {schemas}): {catalog.comment or ''}"
            + (f" [{versions}]" if versions else "")
        )
    return lines


def plain_registry(records: Sequence[PackRecord], *, brief: bool = False) -> list[str]:
    """``list --format plain``: one line per function, table and view (per pack with ``brief``).

    Columns: pack, status, kind, name, SQL signature, summary.  A pack that is
    not served gets one line: pack, status, ``-``, ``-``, ``-``, its error.
    With ``brief``: pack, status, distribution, version, function count, error.
    """
    lines: list[str] = []
    for record in records:
        status = record.status.value
        if brief:
            lines.append(
                plain_line(
                    (
                        record.name,
                        status,
                        record.distribution,
                        record.version,
                        len(record.entries),
                        record.error,
                    )
                )
            )
            continue
        if record.status is not PackStatus.LOADED or not (record.entries or record.tables or record.views):
            lines.append(plain_line((record.name, status, "", "", "", record.error)))
            continue
        for entry in record.entries:
            described = entry.description
            lines.append(
                plain_line(
                    (
                        record.name,
                        status,
                        described.kind,
                        entry.name,
                        f"{record.name}.{described.signature}",
                        described.summary,
                    )
                )
            )
        for kind, objects in (("table", record.tables), ("view", record.views)):
            lines.extend(
                plain_line(
                    (record.name, status, kind, o.name, f"{record.name}.{o.name}", o.description.description)
                )
                for o in objects
            )
    return lines


# --- check --------------------------------------------------------------------------------


def render_check(report: CheckReport, console: Console) -> None:
    """One line per checked pack, then its findings with codes and remedies."""
    out = console
    for record in report.checked:
        findings = report.for_pack(record.name)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        verdict = text("FAIL", "bold red") if errors else text("ok", "green")
        out.print(Text.assemble(verdict, text(f"  {record.name} ({record.distribution} {record.version})")))
        for finding in findings:
            style = "red" if finding.severity is Severity.ERROR else "yellow"
            out.print(
                text(
                    f"    {finding.severity.value} {finding.code}: {finding.subject}: {finding.message}",
                    style,
                )
            )
            out.print(text(f"      remedy: {finding.remedy}"))
    out.print(text(f"\n{summary_line(report)}"))


def summary_line(report: CheckReport) -> str:
    """``2 pack(s) checked: 0 error(s), 1 warning(s)``."""
    error_count = len(report.errors)
    warning_count = len(report.findings) - error_count
    return f"{len(report.checked)} pack(s) checked: {error_count} error(s), {warning_count} warning(s)"


def plain_check(report: CheckReport) -> list[str]:
    """``check --format plain``: one line per finding; a pack without findings gets an ``ok`` line.

    Columns: pack, severity (``error``, ``warning`` or ``ok``), code, subject, message, remedy.
    """
    lines: list[str] = []
    for record in report.checked:
        findings = report.for_pack(record.name)
        if not findings:
            lines.append(plain_line((record.name, "ok", "", record.name, "", "")))
        lines.extend(
            plain_line((f.pack, f.severity.value, f.code, f.subject, f.message, f.remedy)) for f in findings
        )
    return lines


def check_json(report: CheckReport, version: str) -> str:
    """``check --format json``: every checked pack's verdict and every finding."""
    document = {
        "vgi_host_version": version,
        "packs": [
            {
                "name": r.name,
                "distribution": r.distribution,
                "version": r.version,
                "verdict": "fail"
                if any(f.severity is Severity.ERROR for f in report.for_pack(r.name))
                else "ok",
            }
            for r in report.checked
        ],
        "findings": [
            {
                "pack": f.pack,
                "subject": f.subject,
                "severity": f.severity.value,
                "code": f.code,
                "message": f.message,
                "remedy": f.remedy,
            }
            for f in report.findings
        ],
        "errors": len(report.errors),
        "warnings": len(report.findings) - len(report.errors),
    }
    return json.dumps(document, indent=2)


# --- info ---------------------------------------------------------------------------------


def render_pack(record: PackRecord, facts_rows: Sequence[tuple[str, str]], console: Console) -> None:
    """A pack's facts, then its functions, tables and views."""
    out = console
    facts = Table.grid(padding=(0, 2))
    for label, value in facts_rows:
        if value:
            facts.add_row(text(label, "bold"), text(value))
    out.print(facts)
    if record.entries:
        out.print(_functions_table(record))
    if record.tables or record.views:
        table = Table(title=text(f"{record.name}: tables and views"), title_justify="left")
        for column in ("kind", "name", "description"):
            table.add_column(column, overflow="fold")
        for kind, objects in (("table", record.tables), ("view", record.views)):
            for entry in objects:
                table.add_row(
                    text(kind), text(f"{record.name}.{entry.name}"), text(entry.description.description)
                )
        out.print(table)


def render_function(record: PackRecord, described: dict[str, Any], console: Console) -> None:
    """One function: signature, description, arguments, examples, provenance."""
    out = console
    out.print(text(f"{record.name}.{described['signature']}", "bold"))
    out.print(
        text(f"kind: {described['kind']}    pack: {record.name} ({record.distribution} {record.version})")
    )
    out.print()
    out.print(text(described["description"] or "(no description)"))
    if described["arguments"]:
        table = Table(title="arguments", title_justify="left")
        for column in ("name", "type", "how", "doc"):
            table.add_column(column, overflow="fold")
        for argument in described["arguments"]:
            how = "named" if argument["named"] else "constant" if argument["constant"] else "column"
            table.add_row(text(argument["name"]), text(argument["type"]), text(how), text(argument["doc"]))
        out.print(table)
    out.print(text(f"returns: {described['returns']}"))
    for example in described["examples"]:
        out.print(text(f"\n  {example['sql']}", "cyan"))
        if example["description"]:
            out.print(text(f"    {example['description']}"))
        if example["expected_output"]:
            out.print(text(f"    -> {example['expected_output']}"))


def render_object(record: PackRecord, described: dict[str, Any], console: Console) -> None:
    """One registered table or view: its description, then its columns or SQL."""
    out = console
    out.print(text(f"{record.name}.{described['name']}", "bold"))
    out.print(
        text(f"kind: {described['kind']}    pack: {record.name} ({record.distribution} {record.version})")
    )
    out.print()
    out.print(text(described.get("description") or "(no description)"))
    if described.get("function"):
        out.print(text(f"rows from: {record.name}.{described['function']}(...)"))
    if described.get("columns"):
        table = Table(title="columns", title_justify="left")
        table.add_column("name")
        table.add_column("type")
        for column in described["columns"]:
            table.add_row(text(column["name"]), text(column["type"]))
        out.print(table)
    if described.get("sql"):
        out.print(text(f"definition: {described['sql']}", "cyan"))
