"""What a client sees after ATTACH: catalogs, schemas, function entries and their metadata."""

import pyarrow as pa
import pytest
import vgi_pack_testkit
from vgi.catalog.catalog_interface import SchemaObjectType
from vgi.client.catalog_mixin import CatalogClientError

from tests.interop.helpers import registered_counts

pytestmark = pytest.mark.interop


def test_one_catalog_is_advertised(client):
    (catalog,) = client.catalogs()
    assert catalog.name == "packs"
    assert catalog.implementation_version


def test_attach_defaults_to_main_and_needs_no_per_process_state(client, attach):
    assert attach.default_schema == "main"
    assert attach.attach_opaque_data.startswith(b"vgi-host/1 ")
    assert attach.catalog_version_frozen is True
    assert attach.supports_transactions is False
    assert client.catalog_version(attach_opaque_data=attach.attach_opaque_data) == attach.catalog_version


def test_schemas_are_main_plus_one_per_loaded_pack(client, attach):
    paths = [s.path for s in client.schemas(attach_opaque_data=attach.attach_opaque_data)]
    assert paths == [["main"], ["geo"], ["testkit"], ["text"]]  # broken and incompatible packs have none


def test_schema_counts_let_clients_skip_empty_listings(client, attach):
    expected = registered_counts(vgi_pack_testkit)
    kinds = ("scalar_function", "table_function", "aggregate_function", "table", "view")
    assert all(expected[kind] for kind in kinds)  # the testkit registers every kind of object
    testkit = client.schema_get(attach_opaque_data=attach.attach_opaque_data, path=["TESTKIT"])
    assert {kind: testkit.estimated_object_count[kind] for kind in kinds} == {
        kind: expected[kind] for kind in kinds
    }
    assert testkit.estimated_object_count["macro"] == 0
    assert client.schema_get(attach_opaque_data=attach.attach_opaque_data, path=["nope"]) is None


def test_geo_functions_carry_full_metadata(client, attach):
    functions = client.schema_contents(
        attach_opaque_data=attach.attach_opaque_data, path=["geo"], type=SchemaObjectType.SCALAR_FUNCTION
    )
    by_name = {f.name: f for f in functions}
    assert sorted(by_name) == ["bearing_deg", "geohash_decode", "geohash_encode", "haversine_km"]
    haversine = by_name["haversine_km"]
    assert haversine.schema_path == ["geo"]
    assert "6371.0088" in haversine.description
    assert haversine.examples
    assert haversine.examples[0].sql.startswith("SELECT")
    arguments = pa.ipc.read_schema(pa.py_buffer(haversine.arguments))
    assert arguments.names == ["lat1", "lon1", "lat2", "lon2"]
    assert all(f.type == pa.float64() for f in arguments)
    assert all(f.metadata[b"vgi_doc"] for f in arguments)
    output = pa.ipc.read_schema(pa.py_buffer(haversine.output_schema))
    assert output.types == [pa.float64()]
    encode_args = pa.ipc.read_schema(pa.py_buffer(by_name["geohash_encode"].arguments))
    precision = encode_args.field("precision")
    assert precision.metadata[b"vgi_const"] == b"true"
    assert precision.metadata[b"vgi_range"] == b"[1, 12]"
    decode_out = pa.ipc.read_schema(pa.py_buffer(by_name["geohash_decode"].output_schema))
    assert decode_out.types == [pa.struct([("lat", pa.float64()), ("lon", pa.float64())])]


def test_each_kind_is_listed_under_its_own_listing(client, attach):
    token = attach.attach_opaque_data

    def names(schema, kind):
        return sorted(
            f.name for f in client.schema_contents(attach_opaque_data=token, path=[schema], type=kind)
        )

    assert names("testkit", SchemaObjectType.TABLE_FUNCTION) == [
        "count_to",
        "echo",
        "running_total",
        "sort_rank",
    ]
    assert names("testkit", SchemaObjectType.AGGREGATE_FUNCTION) == ["scaled_mean", "sum_int"]
    assert {"vgi_packs", "vgi_functions"} <= set(names("main", SchemaObjectType.TABLE_FUNCTION))


def test_table_kind_metadata(client, attach):
    functions = client.schema_contents(
        attach_opaque_data=attach.attach_opaque_data, path=["testkit"], type=SchemaObjectType.TABLE_FUNCTION
    )
    by_name = {f.name: f for f in functions}
    count_to = by_name["count_to"]
    assert count_to.max_workers == 1
    assert count_to.projection_pushdown is True
    arguments = pa.ipc.read_schema(pa.py_buffer(count_to.arguments))
    assert arguments.names == ["n", "batch", "label"]  # named arguments by name, as the reference lists them
    assert arguments.field("label").metadata[b"vgi_arg"] == b"named"
    assert (
        b"vgi_const" not in arguments.field("n").metadata
    )  # table arguments are unmarked, as in the reference
    assert pa.ipc.read_schema(pa.py_buffer(count_to.output_schema)).names == ["i", "label", "square"]
    running = by_name["running_total"]
    assert running.has_finalize is True
    assert running.max_workers == 1
    table_argument = pa.ipc.read_schema(pa.py_buffer(running.arguments)).field("data")
    assert table_argument.metadata[b"vgi_type"] == b"table"
    assert by_name["echo"].has_finalize is False
    assert by_name["echo"].max_workers == 4


def test_other_objects_are_empty(client, attach):
    token = attach.attach_opaque_data
    assert client.table_get(attach_opaque_data=token, schema_path=["geo"], name="anything") is None
    assert client.view_get(attach_opaque_data=token, schema_path=["geo"], name="anything") is None
    assert client.copy_formats(attach_opaque_data=token) == []


def test_load_catalog_sees_every_pack(client, attach):
    snapshot = client.load_catalog(attach=attach)
    functions = {(c.schema.path[0], f.name) for c in snapshot.schemas for f in c.scalar_functions}
    assert ("geo", "haversine_km") in functions
    assert ("testkit", "add_k") in functions
    assert not any(schema == "broken" for schema, _ in functions)


def test_writes_are_refused_as_read_only(client, attach):
    with pytest.raises(CatalogClientError, match="read-only"):
        client.schema_create(attach_opaque_data=attach.attach_opaque_data, path=["mine"])
    with pytest.raises(CatalogClientError, match="read-only"):
        client.view_drop(attach_opaque_data=attach.attach_opaque_data, schema_path=["geo"], name="v")


def test_unserved_methods_answer_not_implemented(client, attach):
    with pytest.raises(CatalogClientError, match="catalog_contents is not implemented"):
        client.contents(attach_opaque_data=attach.attach_opaque_data)


def test_detach_is_accepted(client, attach):
    client.catalog_detach(attach_opaque_data=attach.attach_opaque_data)
