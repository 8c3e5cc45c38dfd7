"""Catalog answers of each port, attached by the worker's catalog name, against the original's.

``catalogs()``, ``catalog_attach()``, the schema list with comments and tags,
and every function's catalog entry (every kind, table-buffering included).
"""

from __future__ import annotations

from typing import Any

import pytest
from comparison import catalog_views
from conftest import FUNCTIONS, attach
from vgi.catalog import SchemaObjectType
from workers import WORKERS

ATTACH_NOT_COMPARED = {"attach_opaque_data", "supports_catalog_contents"}
"""The token is the host's own; catalog_contents is not served, so the per-schema listing is advertised."""

_FUNCTION_KINDS = (
    SchemaObjectType.SCALAR_FUNCTION,
    SchemaObjectType.AGGREGATE_FUNCTION,
    SchemaObjectType.TABLE_FUNCTION,
)


def _fields(value: Any, skip: set[str] = frozenset()) -> dict[str, Any]:
    names = getattr(type(value), "__dataclass_fields__", {})
    return {name: getattr(value, name) for name in names if name not in skip}


@pytest.mark.parametrize("worker", WORKERS, ids=lambda w: w.pack)
def test_catalogs_lists_the_worker_catalog(worker, reference_clients, host_client):
    (expected,) = reference_clients[worker.pack].catalogs()
    listed = {info.name: info for info in host_client.catalogs()}
    assert worker.catalog in listed, f"vgi-host lists {sorted(listed)}"
    assert _fields(listed[worker.catalog]) == _fields(expected)


@pytest.mark.parametrize("worker", WORKERS, ids=lambda w: w.pack)
def test_attach_by_catalog_name_answers_as_the_worker(worker, reference_clients, host_client):
    expected = attach(reference_clients[worker.pack], worker)
    actual = attach(host_client, worker)
    assert _fields(actual, ATTACH_NOT_COMPARED) == _fields(expected, ATTACH_NOT_COMPARED)


def _schemas(client: Any, worker: Any) -> dict[tuple[str, ...], tuple[str | None, dict[str, str]]]:
    token = attach(client, worker).attach_opaque_data
    return {tuple(s.path): (s.comment, dict(s.tags)) for s in client.schemas(attach_opaque_data=token)}


@pytest.mark.parametrize("worker", WORKERS, ids=lambda w: w.pack)
def test_schemas_with_comments_and_tags_match(worker, reference_clients, host_client):
    expected = _schemas(reference_clients[worker.pack], worker)
    assert _schemas(host_client, worker) == expected
    assert (attach(host_client, worker).default_schema,) in expected


def _entries(client: Any, worker: Any, schema: str, kind: SchemaObjectType) -> dict[str, list[Any]]:
    token = attach(client, worker).attach_opaque_data
    by_name: dict[str, list[Any]] = {}
    for entry in client.schema_contents(attach_opaque_data=token, path=[schema], type=kind):
        by_name.setdefault(entry.name, []).append(entry)
    return by_name


@pytest.mark.parametrize("worker", WORKERS, ids=lambda w: w.pack)
def test_every_function_entry_matches(worker, reference_clients, host_client):
    schemas = sorted({f.schema for f in FUNCTIONS if f.worker == worker})
    compared = 0
    for schema in schemas:
        for kind in _FUNCTION_KINDS:
            expected = _entries(reference_clients[worker.pack], worker, schema, kind)
            actual = _entries(host_client, worker, schema, kind)
            assert sorted(actual) == sorted(expected), f"{schema} {kind.name}"
            for name, entries in expected.items():
                assert catalog_views(actual[name]) == catalog_views(entries), f"{schema}.{name}"
                compared += 1
    assert compared == sum(1 for f in FUNCTIONS if f.worker == worker)
