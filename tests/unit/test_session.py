"""Settings, secrets and the two-round secret bind, served in-process (fake_packs/session_values.py)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

import pyarrow as pa
import pytest
from vgi_rpc import AnnotatedBatch
from vgi_rpc.rpc import RpcError

from tests.unit.test_host_service import (
    bind_request,
    column,
    drain,
    functions,
    open_stream,
    registry_of,
    served,
)
from vgi_host.protocol.enums import FunctionType, SchemaObjectType
from vgi_host.protocol.service import VgiProtocol
from vgi_host.runtime.host_service import HostService
from vgi_host.state.sqlite import SqliteStateStore

S3 = pa.struct([("type", pa.string()), ("scope", pa.string()), ("key", pa.string())])


@pytest.fixture
def host(tmp_path) -> Iterator[VgiProtocol]:
    service = HostService(registry_of("session_values"), SqliteStateStore(tmp_path / "state.sqlite3"))
    with served(service) as proxy:
        yield proxy


def _one_row(**columns: pa.Array) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(columns)


def test_catalog_lists_required_settings_and_secrets(host):
    scalars = functions(host, "session_values", SchemaObjectType.SCALAR_FUNCTION)
    assert scalars["scaled"].required_settings == ["factor"]
    assert [s.secret_type for s in scalars["scaled"].required_secrets] == ["db"]
    assert functions(host, "session_values", SchemaObjectType.TABLE_FUNCTION)["keys"].required_settings == [
        "greeting"
    ]


def test_scalar_secret_is_asked_for_then_passed_to_compute(host):
    schema = pa.schema([("x", pa.int64())])
    request = dataclasses.replace(
        bind_request("scaled", FunctionType.SCALAR, schema=schema),
        settings=_one_row(factor=pa.array([10], pa.int64())),
    )
    first = host.bind(request=request)
    assert first.lookup_secret_types == ["db"]
    resolved = dataclasses.replace(
        request,
        secrets=_one_row(db=pa.array([{"port": 7}], pa.struct([("port", pa.int64())]))),
        resolved_secrets_provided=True,
    )
    assert host.bind(request=resolved).lookup_secret_types == []
    stream = open_stream(host, resolved)
    with contextlib.closing(stream):
        reply = stream.exchange(AnnotatedBatch(pa.record_batch({"x": pa.array([1, 2], pa.int64())})))
    assert reply.batch.column(0).to_pylist() == [17, 27]


def test_a_missing_required_setting_is_refused_at_bind(host):
    with pytest.raises(RpcError, match=r"Function 'scaled' requires settings: \['factor'\]"):
        host.bind(request=bind_request("scaled", FunctionType.SCALAR, schema=pa.schema([("x", pa.int64())])))


def test_table_on_bind_scoped_secret_takes_two_rounds(host):
    request = dataclasses.replace(
        bind_request("keys", FunctionType.TABLE, args=["s3://b/data"]),
        settings=_one_row(greeting=pa.array(["hi"])),
    )
    first = host.bind(request=request)
    assert (first.lookup_secret_types, first.lookup_scopes) == (["s3"], ["s3://b/data"])
    secrets = pa.array(
        [{"type": "s3", "scope": "s3://a/", "key": "A"}, {"type": "s3", "scope": "s3://b/", "key": "B"}], S3
    )
    resolved = dataclasses.replace(
        request,
        secrets=pa.RecordBatch.from_arrays([secrets[0:1], secrets[1:2]], names=["a_key", "b_key"]),
        resolved_secrets_provided=True,
    )
    assert host.bind(request=resolved).lookup_secret_types == []
    rows = drain(open_stream(host, resolved))
    assert column(rows, "key") == ["B"]
    assert column(rows, "greeting") == ["hi"]
