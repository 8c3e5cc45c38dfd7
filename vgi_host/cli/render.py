"""Rich rendering of the pack registry for `vgi-host list`."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from vgi_host.host.checks import CheckReport, Severity
from vgi_host.host.registry import PackRegistry
from vgi_host.model.records import PackRecord, PackStatus, conflicting_names

_STATUS_STYLE = {
    PackStatus.LOADED: "green",
    PackStatus.FAILED: "bold red",
    PackStatus.INCOMPATIBLE: "bold yellow",
    PackStatus.DISABLED: "dim",
}


def _packs_table(registry: PackRegistry) -> Table:
    table = Table(title="Packs", title_justify="left", show_lines=False)
    for column in ("pack (schema)", "distribution", "version", "status", "functions"):
        table.add_column(column, justify="right" if column == "functions" else "left")
    for record in registry.records:
        table.add_row(
            record.name,
            record.distribution,
            record.version,
            Text(record.status.value, style=_STATUS_STYLE[record.status]),
            str(len(record.entries)),
        )
    return table


def _functions_table(record: PackRecord) -> Table:
    table = Table(title=f"{record.name}: functions", title_justify="left")
    table.add_column("kind")
    table.add_column("SQL signature", overflow="fold")
    table.add_column("description", overflow="fold")
    for entry in record.entries:
        described = entry.description
        table.add_row(described.kind, f"{record.name}.{described.signature}", described.summary)
    return table


def render_registry(registry: PackRegistry, console: Console | None = None) -> None:
    """Print the pack table, each loaded pack's functions, then every failure."""
    out = console or Console()
    if not registry.records:
        out.print("No packs installed. Install one, e.g. [bold]pip install vgi-pack-geo[/bold].")
        return
    out.print(_packs_table(registry))
    clashes = conflicting_names(registry.loaded)
    for record in registry.loaded:
        out.print(_functions_table(record))
        objects = [f"table {t.name}" for t in record.tables] + [f"view {v.name}" for v in record.views]
        if objects:
            out.print(f"  also in {record.name}: {', '.join(objects)}", markup=False, highlight=False)
    for name, packs in sorted(clashes.items()):
        qualified = ", ".join(f"{p}.{name}" for p in packs)
        owners = ", ".join(packs)
        out.print(
            Text(
                f"conflict: {name!r} is defined by {owners}: no unqualified alias; call {qualified}",
                style="yellow",
            )
        )
    for record in registry.failed:
        what = "failed to load" if record.status is PackStatus.FAILED else "is incompatible"
        out.print(Text(f"\n{record.name} ({record.distribution} {record.version}) {what}", style="bold red"))
        out.print(f"  error:  {record.error}", markup=False, highlight=False)
        if record.remedy:
            out.print(f"  remedy: {record.remedy}", markup=False, highlight=False)


def render_check(report: CheckReport, console: Console | None = None) -> None:
    """One line per checked pack, then its findings with remedies."""
    out = console or Console()
    for record in report.checked:
        findings = report.for_pack(record.name)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        verdict = Text("FAIL", style="bold red") if errors else Text("ok", style="green")
        out.print(Text.assemble(verdict, f"  {record.name} ({record.distribution} {record.version})"))
        for finding in findings:
            style = "red" if finding.severity is Severity.ERROR else "yellow"
            out.print(
                Text(f"    {finding.severity.value}: {finding.subject}: {finding.message}", style=style)
            )
            out.print(f"      remedy: {finding.remedy}", markup=False, highlight=False)
    error_count = len(report.errors)
    warning_count = len(report.findings) - error_count
    out.print(f"\n{len(report.checked)} pack(s) checked: {error_count} error(s), {warning_count} warning(s)")


def render_pack(record: PackRecord, described: dict[str, Any], console: Console | None = None) -> None:
    """A pack's facts, then its functions."""
    out = console or Console()
    facts = Table.grid(padding=(0, 2))
    for label, value in (
        ("pack (schema)", record.name),
        ("distribution", f"{record.distribution} {record.version}"),
        ("entry point", record.target),
        ("status", record.status.value),
        ("vgi-host range", record.declared_host_range or "not declared"),
        ("catalog from", "cached manifest (not imported)" if record.from_cache else "import"),
        ("load time", f"{record.load_seconds * 1000:.1f} ms"),
        ("error", record.error or ""),
        ("remedy", record.remedy or ""),
    ):
        if value:
            facts.add_row(Text(label, style="bold"), Text(str(value)))
    out.print(facts)
    if record.entries:
        out.print(_functions_table(record))


def render_function(record: PackRecord, described: dict[str, Any], console: Console | None = None) -> None:
    """One function: signature, description, arguments, examples, provenance."""
    out = console or Console()
    out.print(Text(f"{record.name}.{described['signature']}", style="bold"))
    out.print(f"kind: {described['kind']}    pack: {record.name} ({record.distribution} {record.version})")
    out.print()
    out.print(described["description"] or "(no description)", markup=False, highlight=False)
    if described["arguments"]:
        table = Table(title="arguments", title_justify="left")
        for column in ("name", "type", "how", "doc"):
            table.add_column(column, overflow="fold")
        for argument in described["arguments"]:
            how = "named" if argument["named"] else "constant" if argument["constant"] else "column"
            table.add_row(argument["name"], argument["type"], how, argument["doc"])
        out.print(table)
    out.print(f"returns: {described['returns']}")
    for example in described["examples"]:
        out.print(Text(f"\n  {example['sql']}", style="cyan"))
        if example["description"]:
            out.print(f"    {example['description']}", markup=False, highlight=False)
        if example["expected_output"]:
            out.print(f"    -> {example['expected_output']}", markup=False, highlight=False)
