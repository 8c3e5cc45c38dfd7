"""Scalar fixtures: catalog entry and answers, reference SDK vs. vgi-host."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from catalogs import functions, sql_name
from comparison import call_outcome, catalog_views
from conftest import INCLUDED, record
from samples import scalar_inputs, session_for
from serving import schema_of
from vgi import Arguments
from vgi.catalog import SchemaObjectType

SCALARS = [ref for ref, kind in INCLUDED if kind == "scalar"]
NONDETERMINISTIC = {"RandomIntFunction", "RandomBytesFunction", "BernoulliFunction"}
"""Seeded from the clock/OS: only the result type, length and NULL mask can be compared."""


@pytest.fixture(scope="module")
def reference_catalog(reference_client):
    return functions(reference_client, SchemaObjectType.SCALAR_FUNCTION)


@pytest.fixture(scope="module")
def host_catalog(host_client):
    return functions(host_client, SchemaObjectType.SCALAR_FUNCTION)


def _call(
    client: Any,
    schema: str,
    name: str,
    batch: pa.RecordBatch,
    constants: list[pa.Scalar[Any]],
    **session: Any,
):
    def run() -> pa.Array:
        results = client.scalar_function(
            function_name=name,
            schema_path=[schema],
            input=iter([batch]),
            arguments=Arguments(positional=tuple(constants)),
            **session,
        )
        return pa.concat_arrays([r.column(0) for r in results])

    return call_outcome(run)


@pytest.mark.parametrize("ref", SCALARS, ids=lambda r: r.name)
def test_scalar_matches_reference(ref, reference_catalog, host_catalog, reference_client, host_client):
    name = sql_name(ref)
    schema = schema_of(ref)
    host_catalog, reference_catalog = host_catalog[schema], reference_catalog[schema]
    try:
        assert name in host_catalog, f"{name} missing from vgi-host's catalog"
        assert catalog_views(host_catalog[name]) == catalog_views(reference_catalog[name])
        for entry in reference_catalog[name]:  # every overload of the name, called on both
            arguments = pa.ipc.read_schema(pa.py_buffer(entry.arguments))
            batch, constants = scalar_inputs(arguments)
            expected = _call(reference_client, schema, name, batch, constants)
            actual = _call(host_client, schema, name, batch, constants)
            if ref.name in NONDETERMINISTIC and expected.ok and actual.ok:
                assert actual.value.type == expected.value.type
                assert len(actual.value) == len(expected.value)
                assert actual.value.is_null().to_pylist() == expected.value.is_null().to_pylist()
            else:
                actual.assert_same_as(expected)
            session = session_for(entry)
            if session is not None:  # and once with the session values it reads
                expected = _call(reference_client, schema, name, batch, constants, **session)
                _call(host_client, schema, name, batch, constants, **session).assert_same_as(expected)
    except BaseException:
        record(ref.name, "failed")
        raise
    record(ref.name, "passed")
