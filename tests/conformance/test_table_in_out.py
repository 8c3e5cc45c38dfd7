"""Table-in-out fixtures (both 0.47 shapes): catalog entry and rows, reference SDK vs. vgi-host.

Every function gets the same two-batch input table (an integer column with a
NULL, and a text column); rows are compared as multisets, names and types
exactly.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from catalogs import functions, sql_name
from comparison import Outcome, call_outcome, catalog_views
from conftest import INCLUDED, record
from samples import column_values, session_for
from serving import schema_of
from vgi import Arguments
from vgi.catalog import SchemaObjectType

IN_OUT = [ref for ref, kind in INCLUDED if kind == "table_in_out"]


@pytest.fixture(scope="module")
def reference_catalog(reference_client):
    return functions(reference_client, SchemaObjectType.TABLE_FUNCTION)


@pytest.fixture(scope="module")
def host_catalog(host_client):
    return functions(host_client, SchemaObjectType.TABLE_FUNCTION)


INPUT = [
    pa.RecordBatch.from_pydict({"n": pa.array([1, 2, None], pa.int64()), "s": ["a", "b", None]}),
    pa.RecordBatch.from_pydict({"n": pa.array([40, 50, 60], pa.int64()), "s": ["c", "", "d"]}),
]


def in_out_arguments(arguments: pa.Schema) -> Arguments:
    """Required positional constants get a small sample; the TABLE argument is the input itself."""
    positional: list[pa.Scalar[Any]] = []
    for field in arguments:
        metadata = field.metadata or {}
        if metadata.get(b"vgi_type") == b"table":
            continue
        if metadata.get(b"vgi_arg") == b"named" or b"vgi_default" in metadata:
            continue
        arrow_type = pa.int64() if pa.types.is_null(field.type) else field.type
        value = 2 if pa.types.is_integer(arrow_type) else column_values(arrow_type)[0]
        positional.append(pa.scalar(value, arrow_type))
    return Arguments(positional=tuple(positional))


def row_transform_input(arguments: pa.Schema) -> list[pa.RecordBatch]:
    """A row transform's input: one column per positional argument, two rows per batch.

    Columns are named as declared (``col0, col1`` for a variadic argument, an
    integer and a text column when it takes any type), as the client names them.
    """
    columns: dict[str, pa.Array[Any]] = {}
    for field in arguments:
        metadata = field.metadata or {}
        if metadata.get(b"vgi_arg") == b"named":
            continue
        any_type = pa.types.is_null(field.type)
        if metadata.get(b"vgi_varargs") == b"true":
            for index, arrow_type in enumerate(
                (pa.int64(), pa.string()) if any_type else (field.type, field.type)
            ):
                columns[f"col{index}"] = pa.array(column_values(arrow_type), arrow_type)
        else:
            arrow_type = pa.int64() if any_type else field.type
            columns[field.name] = pa.array(column_values(arrow_type), arrow_type)
    whole = pa.RecordBatch.from_pydict(columns)
    return [whole.slice(0, 2), whole.slice(2)]


def _call(client: Any, schema: str, name: str, arguments: Arguments, entry: Any, **session: Any) -> Outcome:
    blended = bool(entry.input_from_args)
    rows = row_transform_input(pa.ipc.read_schema(pa.py_buffer(entry.arguments))) if blended else INPUT

    def run() -> pa.Table:
        batches = list(
            client.table_in_out_function(
                function_name=name,
                schema_path=[schema],
                input=iter(rows),
                arguments=Arguments() if blended else arguments,
                has_finalize=not blended,
                **session,
            )
        )
        return pa.Table.from_batches(batches) if batches else pa.table({})

    return call_outcome(run)


def _multiset(table: pa.Table) -> list[str]:
    return sorted(repr(row) for row in table.to_pylist())


@pytest.mark.parametrize("ref", IN_OUT, ids=lambda r: r.name)
def test_table_in_out_matches_reference(ref, reference_catalog, host_catalog, reference_client, host_client):
    name = sql_name(ref)
    schema = schema_of(ref)
    host_catalog, reference_catalog = host_catalog[schema], reference_catalog[schema]
    try:
        assert name in host_catalog, f"{name} missing from vgi-host's catalog"
        assert catalog_views(host_catalog[name]) == catalog_views(reference_catalog[name])
        for entry in reference_catalog[name]:  # every overload of the name, called on both
            arguments = in_out_arguments(pa.ipc.read_schema(pa.py_buffer(entry.arguments)))
            expected = _call(reference_client, schema, name, arguments, entry)
            actual = _call(host_client, schema, name, arguments, entry)
            if expected.ok and actual.ok:
                assert actual.value.schema.names == expected.value.schema.names
                assert actual.value.schema.types == expected.value.schema.types
                assert _multiset(actual.value) == _multiset(expected.value)
            else:
                actual.assert_same_as(expected)
            session = session_for(entry)
            if session is not None:  # and once with the session values it reads
                expected = _call(reference_client, schema, name, arguments, entry, **session)
                actual = _call(host_client, schema, name, arguments, entry, **session)
                if expected.ok and actual.ok:
                    assert _multiset(actual.value) == _multiset(expected.value)
                else:
                    actual.assert_same_as(expected)
    except BaseException:
        record(ref.name, "failed")
        raise
    record(ref.name, "passed")
