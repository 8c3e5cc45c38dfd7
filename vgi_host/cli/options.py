"""The pack-selection options, defined once for both command-line front ends.

`vgi-host serve` parses its arguments with argparse (typer costs 100-200 ms
of start-up on a path DuckDB spawns many times), the other commands with
typer.  Both read their flags, metavars and help text from here, so the two
cannot drift apart; only the framework differs.  Nothing here imports either
framework.
"""

from __future__ import annotations

from typing import Literal

from vgi_host.protocol.wire import frozen_record

__all__ = ["CONFIG", "DISABLE", "NO_CACHE", "PACK", "SELECTION_OPTIONS", "STRICT", "OptionSpec"]


@frozen_record
class OptionSpec:
    """One option as data: its flags, what it takes, and its help text."""

    flags: tuple[str, ...]
    dest: str
    kind: Literal["names", "path", "flag"]
    """``names``: repeatable, comma-separated pack names; ``path``: one file; ``flag``: on/off."""
    help: str
    metavar: str | None = None


PACK = OptionSpec(
    ("--pack", "-p"),
    "pack",
    "names",
    "Only these packs (repeatable or comma-separated; overrides $VGI_HOST_PACKS).",
    "NAME",
)
DISABLE = OptionSpec(
    ("--disable",),
    "disable",
    "names",
    "Never these packs (repeatable or comma-separated; overrides $VGI_HOST_DISABLE).",
    "NAME",
)
CONFIG = OptionSpec(
    ("--config",),
    "config",
    "path",
    "Config file (default: $VGI_HOST_CONFIG or config.toml in the user config dir).",
    "FILE",
)
STRICT = OptionSpec(
    ("--strict",),
    "strict",
    "flag",
    "Treat any pack failure, unknown pack name or unknown config table as an error (for CI).",
)
NO_CACHE = OptionSpec(("--no-cache",), "no_cache", "flag", "Ignore the manifest cache: import every pack.")

SELECTION_OPTIONS = (PACK, DISABLE, CONFIG, STRICT, NO_CACHE)
"""In the order help texts list them."""
