"""Request types of the write / DDL calls and of transactions.

vgi-host serves a read-only catalog and refuses all of these calls, but the
types stay exact so the service declaration is the reference's method for
method (a client checks nothing else before sending).
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType

from vgi_host.protocol.common import SchemaPath
from vgi_host.protocol.enums import IndexConstraintType, MacroType, OnConflict
from vgi_host.protocol.wire import wire_type

__all__ = [
    "CatalogCreateRequest",
    "IndexCreateRequest",
    "MacroCreateRequest",
    "TableCreateRequest",
    "TransactionBeginResponse",
]

_INT32_LIST = pa.list_(pa.int32())
_INT32_LIST_LIST = pa.list_(pa.list_(pa.int32()))


@wire_type
class CatalogCreateRequest(ArrowSerializableDataclass):
    """CREATE of a whole catalog."""

    name: str
    on_conflict: OnConflict
    options: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None


@wire_type
class TableCreateRequest(ArrowSerializableDataclass):
    """CREATE TABLE with its constraints (column indices are int32 on the wire)."""

    attach_opaque_data: bytes
    schema_path: SchemaPath
    name: str
    columns: Annotated[pa.Schema, ArrowType(pa.binary())]
    on_conflict: OnConflict
    not_null_constraints: Annotated[list[int], ArrowType(_INT32_LIST)] = field(default_factory=list)
    unique_constraints: Annotated[list[list[int]], ArrowType(_INT32_LIST_LIST)] = field(default_factory=list)
    check_constraints: list[str] = field(default_factory=list)
    primary_key_constraints: Annotated[list[list[int]], ArrowType(_INT32_LIST_LIST)] = field(
        default_factory=list
    )
    foreign_key_constraints: list[bytes] = field(default_factory=list)
    transaction_opaque_data: bytes | None = None


@wire_type
class MacroCreateRequest(ArrowSerializableDataclass):
    """CREATE MACRO."""

    attach_opaque_data: bytes
    schema_path: SchemaPath
    name: str
    macro_type: MacroType
    parameters: list[str]
    definition: str
    on_conflict: OnConflict
    parameter_default_values: Annotated[pa.RecordBatch | None, ArrowType(pa.binary())] = None
    arguments_schema: Annotated[pa.Schema | None, ArrowType(pa.binary())] = None
    transaction_opaque_data: bytes | None = None


@wire_type
class IndexCreateRequest(ArrowSerializableDataclass):
    """CREATE INDEX."""

    attach_opaque_data: bytes
    schema_path: SchemaPath
    name: str
    table_name: str
    index_type: str = ""
    constraint_type: IndexConstraintType = IndexConstraintType.NONE
    expressions: list[str] = field(default_factory=list)
    on_conflict: OnConflict = OnConflict.ERROR
    options: dict[str, str] = field(default_factory=dict)
    transaction_opaque_data: bytes | None = None


@wire_type
class TransactionBeginResponse(ArrowSerializableDataclass):
    """Answer of ``catalog_transaction_begin``: the client's transaction handle."""

    transaction_opaque_data: bytes | None = None
