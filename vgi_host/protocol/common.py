"""Small pieces shared by several wire modules: the schema-path alias and item encoding.

Catalog listings do not nest their items as Arrow structs: each item travels as
the IPC bytes of its own one-row batch inside a ``list<binary>`` column.  Both
the list responses and a few attach-result fields (``global_functions``,
``attach_option_specs``) carry such bytes, so the encoder lives here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass

__all__ = ["SchemaPath", "encode_catalog_item", "scalar_array"]

#: Raw identifier components of a schema, outermost first.  A plain alias on
#: purpose: vgi-rpc resolves ordinary aliases to ``list<utf8>`` but does not
#: understand PEP 695 ``type`` statements.
SchemaPath = list[str]


def encode_catalog_item(item: ArrowSerializableDataclass) -> bytes:
    """Return the IPC bytes of *item* as one element of a ``list<binary>`` listing.

    Map-valued fields are re-ordered by key first.  Arrow writes a map in dict
    iteration order, and the reference SDK sorts them too, so equal items give
    equal bytes no matter how their ``tags`` were assembled — catalog content
    hashes and caches on the client side depend on that.
    """
    changes: dict[str, object] = {}
    for field in dataclasses.fields(item):
        value = getattr(item, field.name)
        if isinstance(value, dict) and list(value) != sorted(value):
            changes[field.name] = dict(sorted(value.items()))
    if changes:
        item = dataclasses.replace(item, **changes)
    return item.serialize_to_bytes()


def scalar_array(scalar: pa.Scalar[Any]) -> pa.Array[Any]:
    """Return a length-1 array holding *scalar*, keeping its exact type.

    ``pa.repeat`` preserves extension and nested types, which a round trip
    through Python values would lose.  (The stubs only type it per concrete
    scalar class, hence the cast.)
    """
    return cast("pa.Array[Any]", pa.repeat(cast("Any", scalar), 1))
