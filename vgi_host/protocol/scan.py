"""What a catalog table scans: ``ScanFunctionResult`` and the multi-branch variant.

``catalog_table_scan_function_get`` and ``catalog_table_scan_branches_get``
return raw ``bytes``: the IPC stream of a one-row :class:`ScanFunctionResult`
or :class:`ScanBranchesResult`.  Their ``arguments`` column uses a different
nested encoding from a bind's ``Arguments``: a one-row batch whose *columns*
are the arguments, positional ones named ``arg_<i>`` and named ones under their
own name (no prefix, no gaps).  An empty argument list is a zero-column,
zero-row batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Annotated, Any

import pyarrow as pa
from vgi_rpc import ArrowSerializableDataclass, ArrowType
from vgi_rpc.utils import IpcValidation, deserialize_record_batch, serialize_record_batch_bytes

from vgi_host.protocol.common import SchemaPath, scalar_array
from vgi_host.protocol.wire import wire_type

__all__ = [
    "NamedScalars",
    "ScanArguments",
    "ScanBranch",
    "ScanBranchesResult",
    "ScanFunctionResult",
]

_POSITIONAL = "arg_"


def _scalar_row(columns: Iterable[tuple[str, pa.Scalar[Any]]]) -> bytes:
    """One-row batch whose column names carry the keys; any Arrow type is allowed."""
    names: list[str] = []
    arrays: list[pa.Array[Any]] = []
    for name, scalar in columns:
        names.append(name)
        arrays.append(scalar_array(scalar))
    if not arrays:
        return serialize_record_batch_bytes(pa.record_batch([], schema=pa.schema([])))
    return serialize_record_batch_bytes(pa.RecordBatch.from_arrays(arrays, names=names))


def _read_scalar_row(data: bytes, ipc_validation: IpcValidation) -> list[tuple[str, pa.Scalar[Any]]]:
    batch, _ = deserialize_record_batch(data, ipc_validation)
    if batch.num_columns == 0:
        return []
    return [(name, batch.column(index)[0]) for index, name in enumerate(batch.schema.names)]


@wire_type(kw_only=False)
class ScanArguments:
    """Arguments a scan passes to its table function (``arg_<i>`` columns + named columns).

    Positional slots must all be filled: a gap would shift every later
    argument, so the wire format has no way to express one.
    """

    positional: tuple[pa.Scalar[Any], ...] = ()
    named: Mapping[str, pa.Scalar[Any]] = field(default_factory=dict)

    def serialize_to_bytes(self) -> bytes:
        """Encode as the one-row argument batch (vgi-rpc calls this by name)."""
        columns = [(f"{_POSITIONAL}{index}", scalar) for index, scalar in enumerate(self.positional)]
        columns.extend(self.named.items())
        return _scalar_row(columns)

    @classmethod
    def deserialize_from_bytes(
        cls, data: bytes, ipc_validation: IpcValidation = IpcValidation.FULL
    ) -> ScanArguments:
        """Decode the one-row argument batch; ``arg_``-prefixed columns are positional, in order."""
        positional: list[pa.Scalar[Any]] = []
        named: dict[str, pa.Scalar[Any]] = {}
        for name, scalar in _read_scalar_row(data, ipc_validation):
            if name.startswith(_POSITIONAL):
                positional.append(scalar)
            else:
                named[name] = scalar
        return cls(positional=tuple(positional), named=named)


@wire_type(kw_only=False)
class NamedScalars:
    """Reader options of a format branch: a one-row batch, one column per option."""

    values: Mapping[str, pa.Scalar[Any]] = field(default_factory=dict)

    def serialize_to_bytes(self) -> bytes:
        """Encode as a one-row batch (vgi-rpc calls this by name)."""
        return _scalar_row(self.values.items())

    @classmethod
    def deserialize_from_bytes(
        cls, data: bytes, ipc_validation: IpcValidation = IpcValidation.FULL
    ) -> NamedScalars:
        """Decode a one-row batch; empty bytes read as no options."""
        return cls(values=dict(_read_scalar_row(data, ipc_validation)))


@wire_type
class ScanFunctionResult(ArrowSerializableDataclass):
    """The table function (and its arguments) that produces a catalog table's rows.

    Returned by ``catalog_table_scan_function_get`` as
    ``ScanFunctionResult(...).serialize_to_bytes()``, or inlined into
    ``TableInfo.scan_function`` to spare the client that call.  The same shape
    answers the insert/update/delete function lookups.
    """

    function_name: str
    arguments: Annotated[ScanArguments, ArrowType(pa.binary())] = field(default_factory=ScanArguments)
    required_extensions: list[str] = field(default_factory=list)
    schema_path: SchemaPath | None = None


@wire_type
class ScanBranch(ArrowSerializableDataclass):
    """One physical source of a multi-branch table scan (function, catalog table or format)."""

    function_name: str
    arguments: Annotated[ScanArguments, ArrowType(pa.binary())] = field(default_factory=ScanArguments)
    branch_filter: str | None = None
    writable: bool = False
    source_catalog: str | None = None
    source_schema_path: SchemaPath | None = None
    source_table: str | None = None
    format_name: str | None = None
    # Nullable on the wire although the reference always writes a list.
    format_locations: Annotated[list[str], ArrowType(pa.list_(pa.string()), nullable=True)] = field(
        default_factory=list
    )
    format_options: Annotated[NamedScalars | None, ArrowType(pa.binary())] = None
    schema_path: SchemaPath | None = None


@wire_type
class ScanBranchesResult(ArrowSerializableDataclass):
    """All branches of a table scan; each branch is the IPC bytes of one ``ScanBranch``."""

    branches: list[bytes] = field(default_factory=list)
    required_extensions: list[str] = field(default_factory=list)

    @classmethod
    def from_branches(
        cls, branches: Iterable[ScanBranch], required_extensions: Iterable[str] = ()
    ) -> ScanBranchesResult:
        """Build the result from branch objects, encoding each one as its own IPC item."""
        return cls(
            branches=[branch.serialize_to_bytes() for branch in branches],
            required_extensions=list(required_extensions),
        )

    def decode_branches(self) -> list[ScanBranch]:
        """Decode the branch items back into ``ScanBranch`` objects."""
        return [ScanBranch.deserialize_from_bytes(blob) for blob in self.branches]
