"""The constant arguments of a bind call, and their wire codec.

``BindRequest.arguments`` (and ``AggregateBindRequest`` /
``AggregateStreamingOpenRequest.arguments``) is a ``binary`` column holding an
Arrow IPC stream with exactly one row and one column named ``args`` of type
``struct<...>``:

* positional argument *i* is the struct field ``positional_<i>``;
* named argument *n* is the struct field ``named_<n>``;
* a field's type is the scalar's own Arrow type (extension types included);
* an unfilled positional slot is written as a field of type ``null``;
* no arguments at all is ``struct<>`` with one (empty) row.

A missing index means "not supplied"; a present field holding a null value is an
explicit SQL NULL.  Decoding keeps that distinction the way the reference SDK
does: a ``null``-typed field decodes to a ``pa.NullScalar`` (present, NULL),
and only indices with no field at all decode to ``None``.

The wire dataclasses declare the field as ``Arguments`` itself, so host code
reads ``request.arguments.positional`` directly: vgi-rpc calls
:meth:`Arguments.serialize_to_bytes` / :meth:`Arguments.deserialize_from_bytes`
because those are the hook names it looks for on a ``binary`` field's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

import pyarrow as pa
from vgi_rpc.utils import IpcValidation, deserialize_record_batch, serialize_record_batch_bytes

from vgi_host.protocol.common import scalar_array
from vgi_host.protocol.wire import wire_type

__all__ = ["Arguments"]

_POSITIONAL = "positional_"
_NAMED = "named_"
_COLUMN = "args"


@wire_type(kw_only=False)
class Arguments:
    """Positional and named constant arguments, as Arrow scalars.

    Attributes:
        positional: One entry per positional slot; ``None`` marks a slot the
            caller did not fill.
        named: Named arguments by name (without the ``named_`` wire prefix).

    """

    positional: tuple[pa.Scalar[Any] | None, ...] = ()
    named: Mapping[str, pa.Scalar[Any]] = field(default_factory=dict)

    def serialize_to_bytes(self) -> bytes:
        """Encode as the one-row ``args`` struct IPC stream (vgi-rpc calls this by name)."""
        fields: list[pa.Field[Any]] = []
        children: list[pa.Array[Any]] = []
        entries: list[tuple[str, pa.Scalar[Any] | None]] = [
            (f"{_POSITIONAL}{index}", scalar) for index, scalar in enumerate(self.positional)
        ]
        entries.extend((f"{_NAMED}{name}", scalar) for name, scalar in self.named.items())
        for key, scalar in entries:
            if scalar is None:
                fields.append(pa.field(key, pa.null()))
                children.append(pa.nulls(1))
            else:
                fields.append(pa.field(key, scalar.type))
                children.append(scalar_array(scalar))
        if fields:
            column: pa.Array[Any] = pa.StructArray.from_arrays(children, fields=fields)
        else:
            column = pa.array([{}], type=pa.struct([]))
        batch = pa.RecordBatch.from_arrays([column], names=[_COLUMN])
        return serialize_record_batch_bytes(batch)

    @classmethod
    def deserialize_from_bytes(
        cls, data: bytes, ipc_validation: IpcValidation = IpcValidation.FULL
    ) -> Arguments:
        """Decode the ``args`` struct IPC stream (vgi-rpc calls this by name).

        Empty bytes are read as "no arguments", matching how vgi-rpc tolerates
        producers that omit an empty nested value.
        """
        batch, _ = deserialize_record_batch(data, ipc_validation)
        if batch.num_columns == 0:
            return cls()
        if batch.num_rows != 1:
            raise ValueError(f"arguments must be a one-row batch, got {batch.num_rows} rows")
        column = batch.column(_COLUMN)
        if not isinstance(column, pa.StructArray):
            raise ValueError(f"arguments column must be a struct, got {column.type}")
        slots: dict[int, pa.Scalar[Any]] = {}
        named: dict[str, pa.Scalar[Any]] = {}
        for index in range(column.type.num_fields):
            key = column.type.field(index).name
            value = column.field(index)[0]
            if key.startswith(_POSITIONAL):
                slots[int(key[len(_POSITIONAL) :])] = value
            elif key.startswith(_NAMED):
                named[key[len(_NAMED) :]] = value
        size = max(slots) + 1 if slots else 0
        return cls(positional=tuple(slots.get(i) for i in range(size)), named=named)
