"""Responses of the catalog read calls: the item lists, the version, the whole-catalog snapshot.

Every list response is one column, ``items: list<binary> NOT NULL``; each
element is the IPC stream of a one-row batch of the item class, encoded with
sorted map keys (:func:`~vgi_host.protocol.common.encode_catalog_item`), so
the reference client decodes it with ``ItemClass.deserialize_from_bytes``.
The ``*_get`` calls answer the same classes with zero or one item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import ClassVar, Self

from vgi_rpc import ArrowSerializableDataclass

from vgi_host.protocol.attach import CatalogInfo
from vgi_host.protocol.catalog import (
    CopyFromFormatInfo,
    IndexInfo,
    MacroInfo,
    SchemaInfo,
    TableInfo,
    ViewInfo,
)
from vgi_host.protocol.common import encode_catalog_item
from vgi_host.protocol.functions import FunctionInfo
from vgi_host.protocol.wire import wire_type

__all__ = [
    "CatalogContentsResponse",
    "CatalogItemsResponse",
    "CatalogVersionResponse",
    "CatalogsResponse",
    "CopyFromFormatsResponse",
    "FunctionsResponse",
    "IndexesResponse",
    "MacrosResponse",
    "SchemasResponse",
    "TablesResponse",
    "ViewsResponse",
]


@wire_type
class CatalogItemsResponse(ArrowSerializableDataclass):
    """Base of the list responses: ``items`` holds one IPC-encoded item per element.

    Build with :meth:`from_items` (objects or already-encoded bytes, which lets
    a caller cache the encoding of items it lists repeatedly); read with
    :meth:`decode_items`.
    """

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = ArrowSerializableDataclass

    items: list[bytes] = field(default_factory=list)

    @classmethod
    def from_items(cls, items: Iterable[ArrowSerializableDataclass | bytes]) -> Self:
        """Encode *items*; a wrong item class is refused rather than sent."""
        encoded: list[bytes] = []
        for item in items:
            if isinstance(item, bytes):
                encoded.append(item)
            elif isinstance(item, cls.ITEM_TYPE):
                encoded.append(encode_catalog_item(item))
            else:
                raise TypeError(f"{cls.__name__} lists {cls.ITEM_TYPE.__name__}, not {type(item).__name__}")
        return cls(items=encoded)

    @classmethod
    def from_optional(cls, item: ArrowSerializableDataclass | bytes | None) -> Self:
        """Build the zero-or-one answer of a ``*_get`` call."""
        return cls.from_items(() if item is None else (item,))

    def decode_items[T: ArrowSerializableDataclass](self, item_cls: type[T]) -> list[T]:
        """Decode every item with *item_cls* (normally ``ITEM_TYPE``)."""
        return [item_cls.deserialize_from_bytes(blob) for blob in self.items]


@wire_type
class CatalogsResponse(CatalogItemsResponse):
    """``catalog_catalogs``: the catalogs this worker can attach."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = CatalogInfo


@wire_type
class SchemasResponse(CatalogItemsResponse):
    """``catalog_schemas`` / ``catalog_schema_get``."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = SchemaInfo


@wire_type
class TablesResponse(CatalogItemsResponse):
    """``catalog_schema_contents_tables`` / ``catalog_table_get``."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = TableInfo


@wire_type
class ViewsResponse(CatalogItemsResponse):
    """``catalog_schema_contents_views`` / ``catalog_view_get``."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = ViewInfo


@wire_type
class FunctionsResponse(CatalogItemsResponse):
    """``catalog_schema_contents_functions`` for one function kind."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = FunctionInfo


@wire_type
class MacrosResponse(CatalogItemsResponse):
    """``catalog_schema_contents_macros`` / ``catalog_macro_get``."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = MacroInfo


@wire_type
class IndexesResponse(CatalogItemsResponse):
    """``catalog_schema_contents_indexes`` / ``catalog_index_get``."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = IndexInfo


@wire_type
class CopyFromFormatsResponse(CatalogItemsResponse):
    """``catalog_copy_from_formats``: custom COPY formats (usually none)."""

    ITEM_TYPE: ClassVar[type[ArrowSerializableDataclass]] = CopyFromFormatInfo


@wire_type
class CatalogVersionResponse(ArrowSerializableDataclass):
    """``catalog_version``: the counter that invalidates client-side catalog caches."""

    version: int


@wire_type
class CatalogContentsResponse(ArrowSerializableDataclass):
    """``catalog_contents``: the whole catalog in one answer (only if advertised at attach).

    Each category column is an IPC stream of multi-row batches on the item
    schema, or null for "none".
    """

    catalog_version: int
    etag: str | None = None
    not_modified: bool = False
    schemas: bytes | None = None
    tables: bytes | None = None
    views: bytes | None = None
    functions: bytes | None = None
    macros: bytes | None = None
    indexes: bytes | None = None
