"""Table-buffering fixtures: catalog entry and rows, reference SDK vs. vgi-host.

Each function is driven through the reference client's sink/combine/source
sequence (``table_buffering_function``) twice: with the two-batch input the
table-in-out suite uses, and with no input at all (bound with the same input
schema: sinks never run, combine and the source phase still do).  Rows are
compared in order (one client, one sink thread: both servers see the batches
in the same order), names and types exactly; failures must carry the
function's own message.

Two fixtures are only called with no input: ``crash_on_process`` SIGKILLs the
serving process from ``process`` and ``hang_on_process`` sleeps an hour in it;
with no input neither callback runs, and their catalog entries are compared
like every other.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from catalogs import functions, sql_name
from comparison import Outcome, buffering_outcome, catalog_views
from conftest import INCLUDED, record
from serving import schema_of
from test_table_in_out import INPUT, in_out_arguments
from vgi import Arguments
from vgi.catalog import SchemaObjectType

BUFFERING = [ref for ref, kind in INCLUDED if kind == "table_buffering"]
NO_INPUT_ONLY = frozenset({"crash_on_process", "hang_on_process"})
"""Functions whose ``process`` takes the serving process down or never returns."""


@pytest.fixture(scope="module")
def reference_catalog(reference_client):
    return functions(reference_client, SchemaObjectType.TABLE_FUNCTION)


@pytest.fixture(scope="module")
def host_catalog(host_client):
    return functions(host_client, SchemaObjectType.TABLE_FUNCTION)


def _call(
    client: Any, schema: str, name: str, arguments: Arguments, batches: list[pa.RecordBatch]
) -> Outcome:
    return buffering_outcome(client, schema, name, arguments, batches, INPUT[0].schema)


@pytest.mark.parametrize("ref", BUFFERING, ids=lambda r: r.name)
def test_table_buffering_matches_reference(
    ref, reference_catalog, host_catalog, reference_client, host_client
):
    name = sql_name(ref)
    schema = schema_of(ref)
    host_catalog, reference_catalog = host_catalog[schema], reference_catalog[schema]
    try:
        assert name in host_catalog, f"{name} missing from vgi-host's catalog"
        assert catalog_views(host_catalog[name]) == catalog_views(reference_catalog[name])
        inputs = [[]] if name in NO_INPUT_ONLY else [INPUT, []]
        for entry in reference_catalog[name]:
            arguments = in_out_arguments(pa.ipc.read_schema(pa.py_buffer(entry.arguments)))
            for batches in inputs:
                expected = _call(reference_client, schema, name, arguments, batches)
                actual = _call(host_client, schema, name, arguments, batches)
                if expected.ok and actual.ok:
                    assert actual.value.schema.names == expected.value.schema.names
                    assert actual.value.schema.types == expected.value.schema.types
                    assert actual.value.to_pylist() == expected.value.to_pylist()
                else:
                    actual.assert_same_as(expected)
    except BaseException:
        record(ref.name, "failed")
        raise
    record(ref.name, "passed")
