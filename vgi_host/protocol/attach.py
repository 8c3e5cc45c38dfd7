"""Catalog discovery and ATTACH: ``CatalogInfo``, the attach request and its result.

Several fields here are ``list<binary>`` of nested IPC items (option specs,
settings, secret types, companion catalogs, global functions); build them with
:func:`vgi_host.protocol.common.encode_catalog_item` or the spec classes below.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from io import IOBase
from typing import Annotated, Any

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.wire import wire_type

__all__ = [
    "AttachCatalogInfo",
    "AttachOptionSpec",
    "CatalogAttachRequest",
    "CatalogAttachResult",
    "CatalogDataVersionRelease",
    "CatalogInfo",
    "ClientCapabilities",
    "SecretTypeSpec",
    "SettingSpec",
]

#: Column name of the one-field schema / one-row batch that describe a spec's value.
_VALUE = "value"


def _value_columns(arrow_type: pa.DataType, default: Any) -> tuple[pa.Schema, pa.RecordBatch | None]:
    """Spec type and default travel as a one-field schema and a one-row batch named ``value``."""
    schema = pa.schema([pa.field(_VALUE, arrow_type)])
    if default is None:
        return schema, None
    return schema, pa.RecordBatch.from_pydict({_VALUE: [default]}, schema=schema)


@wire_type
class CatalogDataVersionRelease(ArrowSerializableDataclass):
    """One published data version, listed newest first in ``CatalogInfo.releases``."""

    version: str
    released_at: Annotated[datetime | None, ArrowType(pa.timestamp("us", tz="UTC"))] = None
    summary: str = ""
    notes_url: str | None = None


@wire_type
class CatalogInfo(ArrowSerializableDataclass):
    """A catalog this worker can attach, as answered by ``catalog_catalogs``."""

    name: str
    implementation_version: str | None = None
    data_version_spec: str | None = None
    attach_option_specs: list[bytes] = field(default_factory=list)
    releases: list[CatalogDataVersionRelease] = field(default_factory=list)
    source_url: str | None = None


@wire_type
class SettingSpec(ArrowSerializableDataclass):
    """A session setting the catalog registers (IPC item of ``CatalogAttachResult.settings``)."""

    name: str
    description: str
    type: Annotated[pa.Schema, ArrowType(pa.binary())]
    default_value: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None

    @classmethod
    def of(cls, name: str, description: str, arrow_type: pa.DataType, default: Any = None) -> SettingSpec:
        """Build a spec from a plain Arrow type and Python default."""
        type_schema, default_batch = _value_columns(arrow_type, default)
        return cls(name=name, description=description, type=type_schema, default_value=default_batch)


@wire_type
class AttachOptionSpec(ArrowSerializableDataclass):
    """An ATTACH option the catalog accepts (IPC item of ``CatalogInfo.attach_option_specs``).

    ``required`` and ``secret`` are nullable on the wire (later additions);
    absent reads as False.
    """

    name: str
    description: str
    type: Annotated[pa.Schema, ArrowType(pa.binary())]
    default_value: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    required: Annotated[bool, ArrowType(pa.bool_(), nullable=True)] = False
    secret: Annotated[bool, ArrowType(pa.bool_(), nullable=True)] = False

    def serialize(self, dest: IOBase | None = None) -> bytes | None:  # type: ignore[override]
        """The spec as one IPC item, the spelling reference workers use (``spec.serialize()``).

        With ``dest`` it writes there, as every vgi-rpc dataclass does.
        """
        if dest is not None:
            # zero-argument super() does not reach the class dataclasses rebuilt with slots
            ArrowSerializableDataclass.serialize(self, dest)
            return None
        return self.serialize_to_bytes()

    @classmethod
    def of(
        cls,
        name: str,
        description: str,
        arrow_type: pa.DataType,
        default: Any = None,
        *,
        required: bool = False,
        secret: bool = False,
    ) -> AttachOptionSpec:
        """Build a spec from a plain Arrow type and Python default."""
        type_schema, default_batch = _value_columns(arrow_type, default)
        return cls(
            name=name,
            description=description,
            type=type_schema,
            default_value=default_batch,
            required=required,
            secret=secret,
        )


@wire_type
class SecretTypeSpec(ArrowSerializableDataclass):
    """A secret type registered with DuckDB at ATTACH; field metadata ``redact`` hides values."""

    name: str
    description: str
    parameters_schema: Annotated[pa.Schema, ArrowType(pa.binary())]


@wire_type
class AttachCatalogInfo(ArrowSerializableDataclass):
    """A companion catalog the client should attach alongside this one."""

    alias: str
    target: str
    db_type: str = ""
    options: dict[str, str] = field(default_factory=dict)
    hidden: bool = False
    required: bool = False
    secret_ref: str = ""


@wire_type
class ClientCapabilities(ArrowSerializableDataclass):
    """What the attaching engine can do; nested IPC in ``CatalogAttachRequest``."""

    engine: str
    native_formats: list[str] = field(default_factory=list)
    catalogs: list[str] = field(default_factory=list)
    can_stream: bool = False
    filter_encodings: list[str] = field(default_factory=list)


@wire_type
class CatalogAttachRequest(ArrowSerializableDataclass):
    """ATTACH: ``name`` is the ATTACH path, ``options`` a one-row batch of extra options."""

    name: str
    options: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    data_version_spec: str | None = None
    implementation_version: str | None = None
    client_capabilities: Annotated[ClientCapabilities | None, ArrowType(pa.binary())] = None


@wire_type
class CatalogAttachResult(ArrowSerializableDataclass):
    """The attached catalog's capabilities and its self-describing opaque token.

    ``attach_opaque_data`` comes back on every later call and may reach any
    pooled process, so it must carry what is needed (e.g. the catalog name).
    A read-only catalog answers ``supports_transactions=False``,
    ``catalog_version_frozen=True`` (which spares the ``catalog_version`` call)
    and ``attach_opaque_data_required=False``.
    """

    attach_opaque_data: bytes
    supports_transactions: bool
    supports_time_travel: bool
    catalog_version_frozen: bool
    catalog_version: int
    attach_opaque_data_required: bool = True
    default_schema: str = "main"
    settings: list[bytes] = field(default_factory=list)
    secret_types: list[bytes] = field(default_factory=list)
    attach_catalogs: list[bytes] = field(default_factory=list)
    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    supports_column_statistics: bool = False
    global_functions: list[bytes] = field(default_factory=list)
    global_function_prefix: str = ""
    resolved_data_version: str | None = None
    resolved_implementation_version: str | None = None
    supports_catalog_contents: bool = False
