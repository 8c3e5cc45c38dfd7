"""Static rules for catalog metadata, with stable codes: the one definition of "documented".

`vgi-host check` (on every pack it imports) and the pack-author test kit
(:mod:`vgi_host.testing`, on what a running host serves) both call these
rules, so a pack's CI and its tests agree.  The rules follow the strict
profile of the ecosystem's metadata linter for the tag contract (see
:mod:`vgi_host.model.tags`): documented schemas with a title, keywords,
licence and source; every function and argument documented without restating
the type; examples that are catalog-qualified, call their function and are
deterministic; machine-readable constraints for documented ranges and
choices; snake_case names without ``get_``/``list_``.

Rules work on :class:`~vgi_host.protocol.functions.FunctionInfo` (exactly what
DuckDB receives) and on tag dictionaries.  Each finding carries its code, the
subject (``pack`` or ``pack.function``), a message and a remedy.  Codes are
stable: tools may filter on them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from vgi_host.model import tags as t
from vgi_host.protocol.enums import CatalogFunctionType
from vgi_host.protocol.functions import FunctionInfo

__all__ = [
    "DOCUMENTATION_CODES",
    "EXAMPLE_CODES",
    "Lint",
    "Severity",
    "function_lints",
    "problem_lines",
    "schema_lints",
]

MIN_SCHEMA_DOC = 160
"""Characters of ``vgi.doc_md`` the strict profile wants on a schema (300 on the catalog)."""


class Severity(Enum):
    """Errors fail a check; warnings fail it only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Lint:
    """One rule violation."""

    code: str
    subject: str
    message: str
    remedy: str
    severity: Severity = Severity.WARNING


EXAMPLE_CODES = frozenset({"VH304", "VH305"})
DOCUMENTATION_CODES = frozenset({"VH301", "VH302"}) | EXAMPLE_CODES
"""What the test kit's ``assert_documented`` holds a pack to."""

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_BANNED_PREFIXES = ("get_", "list_")
_TYPE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "value",
        "of",
        "type",
        "number",
        "numeric",
        "integer",
        "int",
        "bigint",
        "smallint",
        "tinyint",
        "hugeint",
        "float",
        "double",
        "real",
        "decimal",
        "string",
        "str",
        "text",
        "varchar",
        "char",
        "boolean",
        "bool",
        "blob",
        "bytes",
        "binary",
        "date",
        "time",
        "timestamp",
        "list",
        "array",
        "struct",
        "map",
    ]
)
_ENUMERATES = re.compile(
    r"\bone of\b|\bbetween\b.+\band\b|\[\s*-?[\d.]+\s*,\s*-?[\d.]+\s*[\])]|\b\d+\s*(?:to|-|\.\.)\s*\d+\b"
    r"|(?:>=|<=|>|<)\s*-?\d",
    re.IGNORECASE,
)
_TABLE_KINDS = (CatalogFunctionType.TABLE,)
_ONE_ROW = re.compile(r"^\s*select\s+(?:count|sum|min|max|avg)\s*\([^)]*\)\s+from\b", re.IGNORECASE)
"""``SELECT count(*) FROM f(...)`` without GROUP BY: a single row, deterministic without ORDER BY."""


def _ordered(sql: str) -> bool:
    lowered = sql.lower()
    if re.search(r"\border\s+by\b", lowered):
        return True
    return bool(_ONE_ROW.match(sql)) and not re.search(r"\bgroup\s+by\b", lowered)


def _meta(field_metadata: Mapping[bytes, bytes] | None, key: str) -> str:
    return (field_metadata or {}).get(key.encode(), b"").decode()


def _qualified(info: FunctionInfo) -> str:
    return ".".join([*info.schema_path, info.name])


def _argument_lints(info: FunctionInfo) -> list[Lint]:
    subject = _qualified(info)
    lints: list[Lint] = []
    defaults = info.parameter_default_values
    for argument in info.arguments:
        meta = argument.metadata
        if _meta(meta, "vgi_type") == "table":
            continue
        doc = _meta(meta, "vgi_doc").strip()
        if not doc:
            lints.append(
                Lint(
                    "VH302",
                    subject,
                    f"argument {argument.name!r} is undocumented",
                    "pass doc=... to its Param/ConstParam/Arg: what it means, its unit, its range",
                    Severity.ERROR,
                )
            )
            continue
        words = set(re.findall(r"[a-z]+", doc.lower()))
        if words and words <= _TYPE_WORDS:
            lints.append(
                Lint(
                    "VH303",
                    subject,
                    f"argument {argument.name!r}'s doc {doc!r} only restates its type",
                    "say what the value means (its unit, its range), not its SQL type (the catalog shows it)",
                )
            )
        is_column = _meta(meta, "vgi_const") != "true" and _meta(meta, "vgi_arg") != "named"
        column_kind = info.function_type in (CatalogFunctionType.SCALAR, CatalogFunctionType.AGGREGATE)
        constrained = _meta(meta, "vgi_choices") or _meta(meta, "vgi_range")
        if _ENUMERATES.search(doc) and not constrained and not (is_column and column_kind):
            lints.append(
                Lint(
                    "VH308",
                    subject,
                    f"argument {argument.name!r}'s doc states a range or choices ({doc!r}) not declared",
                    "declare them machine-readably: choices=[...] or ge=/le= on its ConstParam/Arg",
                )
            )
        if defaults is not None and argument.name in defaults.schema.names and constrained:
            lints.extend(
                _default_lints(subject, argument.name, defaults.column(argument.name)[0].as_py(), meta)
            )
    return lints


def _default_lints(
    subject: str, name: str, default: object, meta: Mapping[bytes, bytes] | None
) -> list[Lint]:
    choices_text = _meta(meta, "vgi_choices")
    if choices_text and default not in json.loads(choices_text):
        return [
            Lint(
                "VH309",
                subject,
                f"argument {name!r} defaults to {default!r}, which is not one of its choices {choices_text}",
                "make the default one of the choices",
            )
        ]
    interval = re.match(r"^([\[(])(.+), (.+)([\])])$", _meta(meta, "vgi_range"))
    if interval and isinstance(default, int | float) and not isinstance(default, bool):
        opening, low, high, closing = interval.groups()
        too_low = low != "-inf" and (default < float(low) if opening == "[" else default <= float(low))
        too_high = high != "+inf" and (default > float(high) if closing == "]" else default >= float(high))
        if too_low or too_high:
            return [
                Lint(
                    "VH309",
                    subject,
                    f"argument {name!r} defaults to {default!r}, outside {_meta(meta, 'vgi_range')}",
                    "make the default satisfy the argument's ge/gt/le/lt",
                )
            ]
    return []


def _example_lints(info: FunctionInfo) -> list[Lint]:
    subject = _qualified(info)
    if not info.examples:
        return [
            Lint(
                "VH304",
                subject,
                "no example",
                f"add Meta.examples with one SQL call, e.g. SELECT {t.CATALOG_NAME}.{subject}(...)",
            )
        ]
    lints: list[Lint] = []
    calls = re.compile(rf"\b{re.escape(info.name)}\s*\(", re.IGNORECASE)
    if not any(calls.search(example.sql) for example in info.examples):
        lints.append(
            Lint(
                "VH305",
                subject,
                f"no example's SQL calls {info.name}(...)",
                "make each example call the function it documents",
            )
        )
    qualified = re.compile(rf"\b\w+\.{re.escape(subject)}\s*\(", re.IGNORECASE)
    for example in info.examples:
        if calls.search(example.sql) and not qualified.search(example.sql):
            lints.append(
                Lint(
                    "VH306",
                    subject,
                    f"example {example.sql!r} is not catalog-qualified",
                    f"write the call as {t.CATALOG_NAME}.{subject}(...) (after ATTACH '{t.CATALOG_NAME}')",
                )
            )
        if info.function_type in _TABLE_KINDS and example.expected_output and not _ordered(example.sql):
            lints.append(
                Lint(
                    "VH307",
                    subject,
                    f"example {example.sql!r} shows an expected output but its row order is not fixed",
                    "add ORDER BY so the example gives the same rows in the same order every time",
                )
            )
    return lints


def function_lints(info: FunctionInfo) -> list[Lint]:
    """Every rule about one served function."""
    subject = _qualified(info)
    lints: list[Lint] = []
    if not _SNAKE.match(info.name):
        lints.append(
            Lint(
                "VH310",
                subject,
                f"name {info.name!r} is not snake_case",
                "rename it (Meta.name) to snake_case",
            )
        )
    if info.name.startswith(_BANNED_PREFIXES):
        lints.append(
            Lint(
                "VH311",
                subject,
                f"name {info.name!r} starts with {info.name.split('_')[0]}_",
                "name the thing returned, not the act of getting it (e.g. cities, not get_cities)",
            )
        )
    if not info.description.strip():
        lints.append(
            Lint(
                "VH301",
                subject,
                "has no description",
                "give the class a docstring or Meta.description",
                Severity.ERROR,
            )
        )
    return lints + _argument_lints(info) + _example_lints(info)


def schema_lints(pack: str, tags: Mapping[str, str]) -> list[Lint]:
    """The rules for a pack's schema tags (computed from its distribution metadata)."""
    lints: list[Lint] = []

    def need(code: str, message: str, remedy: str) -> None:
        lints.append(Lint(code, pack, message, remedy))

    summary_remedy = 'set description = "..." (one line) in [project] of the pack\'s pyproject.toml'
    if not tags.get(t.TITLE) or tags[t.TITLE] == pack.replace("_", " ").capitalize():
        need("VH201", "has no title (no Summary in its distribution metadata)", summary_remedy)
    doc = tags.get(t.DOC_MD, "")
    readme_remedy = 'set readme = "README.md" in [project] and describe the pack there in a few paragraphs'
    if len(doc) < MIN_SCHEMA_DOC:
        need(
            "VH202",
            f"its documentation is {len(doc)} characters (at least {MIN_SCHEMA_DOC} wanted)",
            readme_remedy,
        )
    elif len([p for p in re.split(r"\n\s*\n", doc) if p.strip()]) < 2:
        need("VH203", "its documentation is a single paragraph", readme_remedy)
    try:
        keywords = json.loads(tags.get(t.KEYWORDS, "null"))
    except ValueError:
        keywords = None
    if not isinstance(keywords, list) or not keywords:
        need("VH204", "declares no keywords", 'set keywords = ["...", "..."] in [project]')
    if not tags.get(t.LICENSE):
        need(
            "VH205",
            "declares no licence",
            'set license = "<SPDX expression>" (e.g. "Apache-2.0") in [project]',
        )
    if not tags.get(t.SOURCE_URL):
        need("VH206", "declares no source URL", 'add Source = "https://..." under [project.urls]')
    if not tags.get(t.AUTHOR):
        need("VH207", "declares no author", 'set authors = [{ name = "..." }] in [project]')
    return lints


def problem_lines(lints: Sequence[Lint]) -> list[str]:
    """One ``  - subject: message (remedy)`` line per finding, for assertion messages."""
    return [f"  - {lint.subject}: {lint.message} [{lint.code}] ({lint.remedy})" for lint in lints]
