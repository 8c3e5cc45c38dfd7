"""``ReadOnlyCatalogInterface``: how a reference-shaped worker describes its catalog on ATTACH.

Real workers subclass it to report versions: they override ``catalogs()`` to
return a ``CatalogInfo`` carrying their implementation version, data-version
spec and source URL, and ``catalog_attach()`` to call ``super()`` and
``dataclasses.replace`` the resolved versions into its result.  vgi-host calls
the same two methods when such a worker is a pack, so ``ATTACH 'skbio'``
answers what the original worker answered (the host substitutes only its own
attach token; see :mod:`vgi_host.host.catalog`).

Only the function-catalog part of the reference interface is provided: no
tables, transactions or writes.  The methods take the reference's keyword
arguments so an override written against vgi-python keeps working unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from vgi_host.protocol.attach import AttachOptionSpec, CatalogAttachResult, CatalogInfo

if TYPE_CHECKING:
    from vgi_host.sdk.worker import Catalog

FIXED_ATTACH_DATA = b"readonly-catalog-"
"""A read-only catalog needs no per-attach identity; vgi-host replaces it with its own token."""


class UnknownCatalogError(LookupError):
    """``catalog_attach`` named a catalog this interface does not serve."""


class ReadOnlyCatalogInterface:
    """A worker's read-only function catalog: its name, versions and ATTACH options.

    Set ``catalog`` (a :class:`~vgi_host.sdk.worker.Catalog`) or ``catalog_name``
    on a subclass; override ``catalogs()`` / ``catalog_attach()`` to report
    versions.  Instances are created by the host with no arguments.
    """

    catalog: ClassVar[Catalog | None] = None
    catalog_name: ClassVar[str] = "functions"
    attach_option_specs: ClassVar[list[AttachOptionSpec]] = []
    supports_transactions: ClassVar[bool] = False

    @property
    def _effective_catalog_name(self) -> str:
        """The catalog's name: its ``Catalog``'s when it has one, else ``catalog_name``."""
        return self.catalog.name if self.catalog is not None else self.catalog_name

    @property
    def _default_schema_name(self) -> str:
        return self.catalog.default_schema if self.catalog is not None else "main"

    def catalogs(self) -> list[CatalogInfo]:
        """The one catalog this interface serves, without versions unless a subclass adds them."""
        return [
            CatalogInfo(
                name=self._effective_catalog_name,
                implementation_version=None,
                data_version_spec=None,
                attach_option_specs=[spec.serialize_to_bytes() for spec in self.attach_option_specs],
                source_url=self.catalog.source_url if self.catalog is not None else None,
            )
        ]

    def catalog_attach(
        self,
        *,
        name: str,
        options: dict[str, Any] | None = None,
        data_version_spec: str | None = None,
        implementation_version: str | None = None,
        ctx: Any = None,
    ) -> CatalogAttachResult:
        """Attach by the catalog's own name; refuses any other and any missing required option."""
        del data_version_spec, implementation_version, ctx
        effective = self._effective_catalog_name
        if name != effective:
            raise UnknownCatalogError(f"Unknown catalog: {name!r}. Available: {effective}")
        given = options or {}
        missing = [spec.name for spec in self.attach_option_specs if spec.required and spec.name not in given]
        if missing:
            raise ValueError(f"catalog {effective!r} requires ATTACH option(s): {', '.join(missing)}")
        catalog = self.catalog
        return CatalogAttachResult(
            attach_opaque_data=FIXED_ATTACH_DATA,
            supports_transactions=self.supports_transactions,
            supports_time_travel=False,
            catalog_version_frozen=True,
            catalog_version=1,
            attach_opaque_data_required=False,
            default_schema=self._default_schema_name,
            comment=catalog.comment if catalog is not None else None,
            tags=dict(catalog.tags) if catalog is not None else {},
            resolved_data_version=None,
            resolved_implementation_version=None,
        )
