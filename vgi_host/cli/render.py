"""Rich rendering of the pack registry for `vgi-host list`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from vgi_host.packs.records import PackRecord, PackStatus
from vgi_host.packs.registry import PackRegistry

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
        table.add_row(described["kind"], f"{record.name}.{described['signature']}", described["summary"])
    return table


def render_registry(registry: PackRegistry, console: Console | None = None) -> None:
    """Print the pack table, each loaded pack's functions, then every failure."""
    out = console or Console()
    if not registry.records:
        out.print("No packs installed. Install one, e.g. [bold]pip install vgi-pack-geo[/bold].")
        return
    out.print(_packs_table(registry))
    for record in registry.loaded:
        out.print(_functions_table(record))
    for record in registry.failed:
        out.print(
            Text(f"\n{record.name} ({record.distribution} {record.version}) failed to load", style="bold red")
        )
        out.print(f"  error:  {record.error}", markup=False, highlight=False)
        if record.remedy:
            out.print(f"  remedy: {record.remedy}", markup=False, highlight=False)
