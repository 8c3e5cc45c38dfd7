"""`vgi-host new NAME`: a complete, publishable pack distribution from templates.

The templates are package data under ``vgi_host/templates/pack/``: every
``*.tmpl`` file becomes one file of the new pack, its path and text filled in
with ``{{name}}``-style placeholders (a :class:`string.Template` with braces as
delimiters, so there is no templating dependency).  A leading ``dot-`` in a
file name becomes ``.`` (``dot-gitignore`` -> ``.gitignore``), because dotfiles
are easily lost as package data.

The result builds with ``uv build``, installs next to vgi-host, and its tests
(which use the ``vgi`` fixture of :mod:`vgi_host.testing`) pass as generated.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from vgi_host import __version__
from vgi_host.cli.host_source import LocalHost, local_host
from vgi_host.packs.loader import RESERVED_PACK_NAMES as RESERVED

__all__ = [
    "InvalidPackNameError",
    "PackNames",
    "ScaffoldError",
    "host_range",
    "name_warnings",
    "next_steps",
    "pack_names",
    "scaffold_pack",
]

TEMPLATE_SUFFIX = ".tmpl"
PACK_NAME = re.compile(r"^[a-z][a-z0-9_]*\Z")


class InvalidPackNameError(ValueError):
    """NAME cannot be a pack name (a usage error)."""


class ScaffoldError(Exception):
    """The pack was not created (the command refused)."""


_PLACEHOLDER = r"""
    \{\{(?:
      (?P<escaped>(?!))                       |
      (?P<named>[a-z_][a-z0-9_]*)\}\}         |
      (?P<braced>(?!))                        |
      (?P<invalid>)
    )
"""


class _Template(string.Template):
    """``{{name}}`` placeholders; any other ``{{`` is an error in the template."""

    delimiter = "{{"
    pattern = _PLACEHOLDER  # type: ignore[assignment]  # a str, compiled by Template.__init_subclass__


@dataclass(frozen=True, slots=True)
class PackNames:
    """Every name derived from the pack name."""

    name: str
    """The pack name: the entry point's name and the DuckDB schema."""
    distribution: str
    """``vgi-pack-<name>`` with ``-`` for ``_``: the name on PyPI."""
    package: str
    """``vgi_pack_<name>``: the import package."""

    @property
    def title(self) -> str:
        """``weather_data`` -> ``Weather data``, for prose."""
        return self.name.replace("_", " ").capitalize()


def pack_names(name: str) -> PackNames:
    """Validate ``name`` and derive the distribution and package names from it."""
    if not PACK_NAME.match(name):
        hint = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_")
        suggestion = f"; try {hint!r}" if hint and PACK_NAME.match(hint) and hint not in RESERVED else ""
        raise InvalidPackNameError(
            f"{name!r} is not a valid pack name: use lower-case letters, digits and underscores, "
            f"starting with a letter (it becomes the DuckDB schema){suggestion}"
        )
    if name in RESERVED:
        raise InvalidPackNameError(
            f"{name!r} is reserved for the host's or DuckDB's own schema; choose another name"
        )
    return PackNames(name=name, distribution=f"vgi-pack-{name.replace('_', '-')}", package=f"vgi_pack_{name}")


SQL_KEYWORDS = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "default",
        "deferrable",
        "desc",
        "describe",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "pivot",
        "placing",
        "primary",
        "qualify",
        "references",
        "returning",
        "select",
        "show",
        "some",
        "summarize",
        "symmetric",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "unpivot",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ]
)
"""DuckDB's reserved words: a schema so named must be double-quoted in every query."""


def name_warnings(name: str) -> list[str]:
    """Reasons a valid pack name is still a poor one (an SQL keyword, an installed pack's name)."""
    warnings: list[str] = []
    if name.lower() in SQL_KEYWORDS:
        warnings.append(
            f"{name!r} is an SQL keyword: every query will have to quote the schema "
            f'(SELECT packs."{name}".f(...)); consider another name'
        )
    from vgi_host.packs.discovery import discover

    found = discover()
    owners = [c.distribution for c in found.candidates if c.name.lower() == name.lower()]
    owners += [
        c.distribution
        for clash in found.clashes
        if clash.name.lower() == name.lower()
        for c in clash.claimants
    ]
    if owners:
        warnings.append(
            f"a pack named {name!r} is already installed ({', '.join(owners)}): with both installed, "
            "neither is served; consider another name"
        )
    return warnings


def host_range(version: str = __version__) -> str:
    """The vgi-host versions a new pack declares: this minor while 0.x, this major after."""
    major, minor = (int(part) for part in version.split(".")[:2])
    if major == 0:
        return f">={major}.{minor},<{major}.{minor + 1}"
    return f">={major}.{minor},<{major + 1}"


def _templates(root: Traversable, prefix: PurePosixPath | None = None) -> list[tuple[PurePosixPath, str]]:
    prefix = prefix if prefix is not None else PurePosixPath()
    found: list[tuple[PurePosixPath, str]] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found.extend(_templates(entry, prefix / entry.name))
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            found.append((prefix / entry.name, entry.read_text(encoding="utf-8")))
    return found


def render(names: PackNames, host: LocalHost | None = None) -> dict[PurePosixPath, str]:
    """Every file of the new pack: relative path -> text (``host``: where uv finds vgi-host)."""
    values = {
        "uv_sources": host.uv_source() if host is not None else "",
        "name": names.name,
        "distribution": names.distribution,
        "package": names.package,
        "title": names.title,
        "host_range": host_range(),
        "vgi_host_version": __version__,
    }
    root = resources.files("vgi_host").joinpath("templates", "pack")
    files: dict[PurePosixPath, str] = {}
    for relative, text in _templates(root):
        parts = [_Template(part).substitute(values) for part in relative.parts]
        parts[-1] = parts[-1].removesuffix(TEMPLATE_SUFFIX)
        if parts[-1].startswith("dot-"):
            parts[-1] = "." + parts[-1].removeprefix("dot-")
        files[PurePosixPath(*parts)] = _Template(text).substitute(values)
    return files


def next_steps(target: Path, host: LocalHost | None) -> list[str]:
    """The commands to print after creating the pack; they work as printed."""
    pip_host = f"{host.pip_argument()} " if host is not None else ""
    return [
        f"cd {target}",
        f"uv venv && uv pip install -e . pytest    # or, with pip: pip install {pip_host}-e . pytest",
        "uv run pytest                           # the functions, through a real `vgi-host serve`",
        "uv build                                # a wheel and an sdist in dist/, for `uv publish`",
    ]


def scaffold_pack(name: str, parent: Path) -> tuple[Path, list[PurePosixPath], list[str]]:
    """Create ``parent/vgi-pack-<name>``; return it, the files written and the next steps.

    Raises :class:`InvalidPackNameError` for a bad name and :class:`ScaffoldError`
    when the directory exists (nothing is ever overwritten) or cannot be made.
    """
    names = pack_names(name)
    host = local_host()
    files = render(names, host)
    target = parent / names.distribution
    if target.exists():
        raise ScaffoldError(f"{target} already exists; not overwriting it (remove it or use --path)")
    try:
        target.mkdir(parents=True)
        for relative, text in files.items():
            path = target.joinpath(*relative.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"could not create {target}: {exc}") from exc
    return target, sorted(files), next_steps(target, host)
