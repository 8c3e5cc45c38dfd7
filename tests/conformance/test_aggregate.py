"""Aggregate fixtures: catalog entry and per-group answers, reference SDK vs. vgi-host.

The input has three groups: two with values (NULLs mixed in) and one whose
values are all NULL, where the reference persists no state and answers NULL.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from catalogs import functions, sql_name
from comparison import call_outcome, catalog_views
from conftest import INCLUDED, record
from samples import aggregate_inputs
from serving import schema_of
from vgi import Arguments
from vgi.catalog import SchemaObjectType

AGGREGATES = [ref for ref, kind in INCLUDED if kind == "aggregate"]


@pytest.fixture(scope="module")
def reference_catalog(reference_client):
    return functions(reference_client, SchemaObjectType.AGGREGATE_FUNCTION)


@pytest.fixture(scope="module")
def host_catalog(host_client):
    return functions(host_client, SchemaObjectType.AGGREGATE_FUNCTION)


def _call(client: Any, schema: str, name: str, batch: pa.RecordBatch, constants: list[pa.Scalar[Any]]):
    return call_outcome(
        lambda: client.aggregate_function(
            function_name=name,
            schema_path=[schema],
            input=[batch],
            group_by=["g"],
            arguments=Arguments(positional=tuple(constants)),
        )
    )


@pytest.mark.parametrize("ref", AGGREGATES, ids=lambda r: r.name)
def test_aggregate_matches_reference(ref, reference_catalog, host_catalog, reference_client, host_client):
    name = sql_name(ref)
    schema = schema_of(ref)
    host_catalog, reference_catalog = host_catalog[schema], reference_catalog[schema]
    try:
        assert name in host_catalog, f"{name} missing from vgi-host's catalog"
        assert catalog_views(host_catalog[name]) == catalog_views(reference_catalog[name])
        for entry in reference_catalog[name]:  # every overload of the name, called on both
            arguments = pa.ipc.read_schema(pa.py_buffer(entry.arguments))
            batch, constants = aggregate_inputs(arguments)
            _call(host_client, schema, name, batch, constants).assert_same_as(
                _call(reference_client, schema, name, batch, constants)
            )
    except BaseException:
        record(ref.name, "failed")
        raise
    record(ref.name, "passed")
