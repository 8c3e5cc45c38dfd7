"""What a pack's distribution says about itself, read from its metadata at discovery.

The catalog's documentation tags (title, Markdown docs, keywords, licence,
author, source URL) come from the fields a pack author already fills in for
PyPI: ``description`` (Summary), the README (Description), ``keywords``,
``[project.urls]``, ``license`` (License-Expression) and ``authors``.  They are
read from the installed ``METADATA`` file, which discovery parses anyway, so
nothing is imported and nothing is written twice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vgi_host.protocol.wire import frozen_record

if TYPE_CHECKING:
    from email.message import Message

__all__ = ["PackAbout", "read_about"]

_SOURCE_LABELS = ("source", "source code", "repository", "code", "github", "homepage", "home")
_ADDRESS_NAME = re.compile(r'^\s*"?([^"<]+?)"?\s*<[^>]*>\s*$')


@frozen_record
class PackAbout:
    """Distribution metadata, as plain data (empty strings and tuples when absent)."""

    summary: str = ""
    description: str = ""
    description_content_type: str = ""
    keywords: tuple[str, ...] = ()
    project_urls: tuple[tuple[str, str], ...] = ()
    """``(label, url)`` pairs from ``Project-URL``, in declared order."""
    license: str = ""
    """The SPDX ``License-Expression`` (or the legacy ``License`` field)."""
    author: str = ""
    support_contact: str = ""
    """The maintainer's (else author's) e-mail address."""

    @property
    def source_url(self) -> str:
        """The most specific code URL the distribution declares."""
        urls = {label.lower(): url for label, url in self.project_urls}
        return next((urls[label] for label in _SOURCE_LABELS if label in urls), "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``list --json``, manifests)."""
        return {
            "summary": self.summary,
            "description": self.description,
            "description_content_type": self.description_content_type,
            "keywords": list(self.keywords),
            "project_urls": dict(self.project_urls),
            "license": self.license,
            "author": self.author,
            "support_contact": self.support_contact,
        }


def _keywords(message: Message) -> tuple[str, ...]:
    raw = ",".join(message.get_all("Keywords") or [])
    separator = "," if "," in raw else None
    return tuple(word.strip() for word in raw.split(separator) if word.strip())


def _name_of(addresses: str) -> str:
    first = addresses.split(",")[0]
    match = _ADDRESS_NAME.match(first)
    return match.group(1).strip() if match else ""


def _email_of(addresses: str) -> str:
    match = re.search(r"<([^>]+)>", addresses) or re.search(r"[\w.+-]+@[\w.-]+", addresses)
    if match is None:
        return ""
    return match.group(1) if match.groups() else match.group(0)


def read_about(message: Message) -> PackAbout:
    """Read a distribution's ``METADATA`` (an ``email.message.Message``, as importlib.metadata gives)."""
    description = message.get("Description") or ""
    if not description:
        payload = message.get_payload()
        description = payload if isinstance(payload, str) else ""
    urls: list[tuple[str, str]] = []
    for line in message.get_all("Project-URL") or []:
        label, _, url = str(line).partition(",")
        if url.strip():
            urls.append((label.strip(), url.strip()))
    if message.get("Home-page") and not any(label.lower() == "homepage" for label, _ in urls):
        urls.append(("Homepage", str(message["Home-page"]).strip()))
    author_email = str(message.get("Author-email") or "")
    author = str(message.get("Author") or "") or _name_of(author_email)
    contact = _email_of(str(message.get("Maintainer-email") or "")) or _email_of(author_email)
    return PackAbout(
        summary=str(message.get("Summary") or "").strip(),
        description=description.strip(),
        description_content_type=str(message.get("Description-Content-Type") or ""),
        keywords=_keywords(message),
        project_urls=tuple(urls),
        license=str(message.get("License-Expression") or message.get("License") or "").strip(),
        author=author.strip(),
        support_contact=contact,
    )
