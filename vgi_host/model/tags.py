"""Catalog documentation as the VGI tag contract (revision 1) defines it.

DuckDB shows a VGI catalog's documentation from string tags on the catalog,
its schemas and their objects, and the ecosystem's metadata linter checks
them.  Everything here is a pure function from data the host already has to
``dict[str, str]``:

* the merged catalog: vgi-host's own distribution metadata plus one line per
  served pack;
* a pack's schema: the pack distribution's metadata (Summary -> ``vgi.title``,
  README -> ``vgi.doc_md``, Keywords, Project-URL, License-Expression, Author)
  and its functions' categories;
* a function: its ``Meta`` (description, categories, examples), with the
  tags the author set explicitly in ``Meta.tags`` taking precedence.

A pack author therefore writes each fact once, where Python packaging already
asks for it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence

from vgi_host.model.about import PackAbout
from vgi_host.protocol.wire import frozen_record

__all__ = [
    "AUTHOR",
    "CATEGORIES",
    "CATEGORY",
    "DOC_LINKS",
    "DOC_MD",
    "EXAMPLE_QUERIES",
    "EXECUTABLE_EXAMPLES",
    "KEYWORDS",
    "LICENSE",
    "RESULT_COLUMNS_SCHEMA",
    "SOURCE_URL",
    "SUPPORT_CONTACT",
    "TITLE",
    "Example",
    "catalog_tags",
    "function_tags",
    "host_about",
    "object_tags",
    "schema_tags",
    "title_of",
]

TITLE = "vgi.title"
DOC_MD = "vgi.doc_md"
DOC_LINKS = "vgi.doc_links"
KEYWORDS = "vgi.keywords"
CATEGORY = "vgi.category"
CATEGORIES = "vgi.categories"
EXAMPLE_QUERIES = "vgi.example_queries"
EXECUTABLE_EXAMPLES = "vgi.executable_examples"
SOURCE_URL = "vgi.source_url"
AUTHOR = "vgi.author"
LICENSE = "vgi.license"
SUPPORT_CONTACT = "vgi.support_contact"
RESULT_COLUMNS_SCHEMA = "vgi.result_columns_schema"

CATALOG_NAME = "packs"
"""The catalog name the docs use in examples (`ATTACH 'packs' ...`)."""

_TITLE_END = re.compile(r"\s*(?::|\s-\s|\.(?:\s|$))")


@frozen_record
class Example:
    """One ``Meta.examples`` entry, as plain data."""

    sql: str
    description: str = ""
    expected_output: str = ""


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def title_of(summary: str, fallback: str) -> str:
    """A short title: the Summary up to its first colon, dash or full stop."""
    head = _TITLE_END.split(summary.strip(), maxsplit=1)[0].strip()
    return head or fallback


def _provenance(about: PackAbout) -> dict[str, str]:
    tags: dict[str, str] = {}
    if about.keywords:
        tags[KEYWORDS] = _json(list(about.keywords))
    if about.source_url:
        tags[SOURCE_URL] = about.source_url
    if about.project_urls:
        tags[DOC_LINKS] = _json([{"title": label, "url": url} for label, url in about.project_urls])
    if about.license:
        tags[LICENSE] = about.license
    if about.author:
        tags[AUTHOR] = about.author
    if about.support_contact:
        tags[SUPPORT_CONTACT] = about.support_contact
    return tags


def schema_tags(pack: str, about: PackAbout, categories: Iterable[str] = ()) -> dict[str, str]:
    """A pack schema's tags, from its distribution metadata and its functions' categories."""
    tags = {TITLE: title_of(about.summary, pack.replace("_", " ").capitalize())}
    doc = about.description or about.summary
    if doc:
        tags[DOC_MD] = doc
    tags.update(_provenance(about))
    unique = sorted({c for c in categories if c})
    if unique:
        tags[CATEGORIES] = _json(unique)
    return tags


def catalog_tags(host: PackAbout, packs: Sequence[tuple[str, PackAbout]]) -> dict[str, str]:
    """The merged catalog's tags: vgi-host's metadata, and what each served pack is for."""
    listing = "\n".join(f"- `{name}`: {about.summary or 'no summary'}" for name, about in packs)
    example = (
        f"`{CATALOG_NAME}.{packs[0][0]}.<function>(...)`" if packs else "`<catalog>.<pack>.<function>(...)`"
    )
    paragraphs = [
        host.summary or "vgi-host serves installed VGI function packs to DuckDB.",
        f"This catalog serves {len(packs)} pack(s), each as one schema:\n\n{listing or '- (none)'}",
        f"Call a function as {example}, or without the schema when only one pack defines the name "
        "(aliases live in `main`). `main.vgi_packs` lists every installed pack with its status and "
        "`main.vgi_functions` every function with its signature, so the catalog describes itself in SQL.",
    ]
    tags = {TITLE: "vgi-host packs", DOC_MD: "\n\n".join(paragraphs)}
    keywords = [*host.keywords, *(k for _, about in packs for k in about.keywords)]
    tags.update(_provenance(host))
    if keywords:
        tags[KEYWORDS] = _json(list(dict.fromkeys(keywords)))
    return tags


def function_tags(
    description: str,
    categories: Sequence[str],
    examples: Sequence[Example],
    explicit: Mapping[str, str] | None = None,
    result_columns: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """A function's tags from its ``Meta``; ``explicit`` (``Meta.tags``) wins on a clash.

    ``result_columns`` (name, SQL type) is a table function's fixed output, when it has one.
    """
    tags: dict[str, str] = {}
    if description.strip():
        tags[DOC_MD] = description.strip()
    if categories:
        tags[CATEGORY] = categories[0]
    if examples:
        tags[EXAMPLE_QUERIES] = _json([{"sql": e.sql, "description": e.description} for e in examples])
    executable = [e for e in examples if e.expected_output]
    if executable:
        tags[EXECUTABLE_EXAMPLES] = _json(
            [{"sql": e.sql, "expected_output": e.expected_output} for e in executable]
        )
    if result_columns:
        tags[RESULT_COLUMNS_SCHEMA] = _json([{"name": n, "type": t} for n, t in result_columns])
    tags.update(explicit or {})
    return tags


def object_tags(name: str, description: str) -> dict[str, str]:
    """A registered table's or view's tags: a title from its description's first sentence, the description."""
    text = description.strip()
    if not text:
        return {TITLE: name.replace("_", " ").capitalize()}
    return {TITLE: title_of(text, name), DOC_MD: text}


@functools.cache
def host_about() -> PackAbout:
    """vgi-host's own distribution metadata (empty when it is not installed as a distribution)."""
    from importlib import metadata

    from vgi_host.model.about import read_about

    try:
        return read_about(metadata.distribution("vgi-host").metadata)  # type: ignore[arg-type]
    except metadata.PackageNotFoundError:
        return PackAbout()
