"""A pack's own catalog and schema metadata: what its original worker answered on ATTACH.

A pack written as a reference-shaped ``Worker`` brings a catalog (name,
default schema, comment, tags, source URL) and, through its catalog
interface, versions and ATTACH options.  vgi-host keeps all of it per pack so
that ``ATTACH 'skbio'`` can answer exactly as the original worker did and the
listings can show it; nothing of it is merged into, or lost in, the host's
own catalog.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from vgi_host.protocol.attach import CatalogAttachResult, CatalogInfo
from vgi_host.protocol.wire import frozen_record


@frozen_record
class SchemaMeta:
    """One served schema as its pack declares it: its own path, comment and tags."""

    path: tuple[str, ...]
    """The schema's path in the pack's own catalog (``main`` stays ``main`` there)."""
    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@frozen_record
class PackCatalog:
    """The catalog a Worker pack declares, answered by its catalog interface at load time."""

    pack: str
    """The pack (entry-point) name that owns the catalog."""
    info: CatalogInfo
    """What the worker's ``catalogs()`` lists: implementation version, data-version spec, source URL,
    ATTACH option specs."""
    attach: CatalogAttachResult
    """What the worker's ``catalog_attach(name=<catalog>)`` answers with no options."""
    interface: Any = field(default=None, compare=False, repr=False)
    """The live catalog interface, asked again when an ATTACH carries options or version requests."""

    @property
    def name(self) -> str:
        """The catalog's name, the one ``ATTACH '<name>'`` uses."""
        return self.info.name

    @property
    def default_schema(self) -> str:
        """The schema two-part names resolve in, as the worker names it."""
        return self.attach.default_schema

    @property
    def comment(self) -> str | None:
        """The catalog comment (DuckDB shows it in ``duckdb_databases()``)."""
        return self.attach.comment

    @property
    def tags(self) -> dict[str, str]:
        """The catalog tags."""
        return dict(self.attach.tags)

    @property
    def implementation_version(self) -> str | None:
        """The worker software's version, as its interface resolves it on ATTACH."""
        return self.attach.resolved_implementation_version or self.info.implementation_version

    @property
    def data_version(self) -> str | None:
        """The data version the worker resolves on ATTACH (else its advertised spec)."""
        return self.attach.resolved_data_version or self.info.data_version_spec

    @property
    def source_url(self) -> str | None:
        """Where the worker's source lives."""
        return self.info.source_url
