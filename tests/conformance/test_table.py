"""Table fixtures: catalog entry and rows, reference SDK vs. vgi-host.

A table function's rows have no order in SQL without ORDER BY (and the
reference may fan a call out to several processes), so rows are compared as
multisets; column names and types are compared exactly.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from catalogs import functions, sql_name
from comparison import Outcome, call_outcome, catalog_views
from conftest import INCLUDED, record
from samples import column_values, sample_scalar, session_for
from serving import schema_of
from vgi import Arguments
from vgi.catalog import SchemaObjectType

TABLES = [ref for ref, kind in INCLUDED if kind == "table"]


@pytest.fixture(scope="module")
def reference_catalog(reference_client):
    return functions(reference_client, SchemaObjectType.TABLE_FUNCTION)


@pytest.fixture(scope="module")
def host_catalog(host_client):
    return functions(host_client, SchemaObjectType.TABLE_FUNCTION)


def table_arguments(arguments: pa.Schema) -> Arguments:
    """Required positional arguments get a small sample value; optional and named ones keep defaults."""
    positional: list[pa.Scalar[Any]] = []
    for field in arguments:
        metadata = field.metadata or {}
        if metadata.get(b"vgi_arg") == b"named" or b"vgi_default" in metadata:
            continue
        arrow_type = pa.int64() if pa.types.is_null(field.type) else field.type
        if metadata.get(b"vgi_varargs") == b"true":  # two values, of two members for a union
            positional.extend(sample_scalar(arrow_type, index) for index in (0, 1))
            continue
        value = 5 if pa.types.is_integer(arrow_type) else column_values(arrow_type)[0]
        positional.append(pa.scalar(value, arrow_type))
    return Arguments(positional=tuple(positional))


def _rows(batches: Any) -> pa.Table:
    batches = list(batches)
    return pa.Table.from_batches(batches) if batches else pa.table({})


def _call(client: Any, schema: str, name: str, arguments: Arguments, **session: Any) -> Outcome:
    return call_outcome(
        lambda: _rows(
            client.table_function(function_name=name, schema_path=[schema], arguments=arguments, **session)
        )
    )


def _compare(expected: Outcome, actual: Outcome) -> None:
    if expected.ok and actual.ok:
        assert actual.value.schema.names == expected.value.schema.names
        assert actual.value.schema.types == expected.value.schema.types
        assert _multiset(actual.value) == _multiset(expected.value)
    else:
        actual.assert_same_as(expected)


def _multiset(table: pa.Table) -> list[str]:
    return sorted(repr(row) for row in table.to_pylist())


@pytest.mark.parametrize("ref", TABLES, ids=lambda r: r.name)
def test_table_matches_reference(ref, reference_catalog, host_catalog, reference_client, host_client):
    name = sql_name(ref)
    schema = schema_of(ref)
    host_catalog, reference_catalog = host_catalog[schema], reference_catalog[schema]
    try:
        assert name in host_catalog, f"{name} missing from vgi-host's catalog"
        assert catalog_views(host_catalog[name]) == catalog_views(reference_catalog[name])
        for entry in reference_catalog[name]:  # every overload of the name, called on both
            arguments = table_arguments(pa.ipc.read_schema(pa.py_buffer(entry.arguments)))
            expected = _call(reference_client, schema, name, arguments)
            actual = _call(host_client, schema, name, arguments)
            if expected.ok and actual.ok:
                assert actual.value.schema.names == expected.value.schema.names
                assert actual.value.schema.types == expected.value.schema.types
                assert _multiset(actual.value) == _multiset(expected.value)
            else:
                actual.assert_same_as(expected)
            session = session_for(entry)
            if session is not None:  # and once with the session values it reads
                expected = _call(reference_client, schema, name, arguments, **session)
                _compare(expected, _call(host_client, schema, name, arguments, **session))
    except BaseException:
        record(ref.name, "failed")
        raise
    record(ref.name, "passed")
