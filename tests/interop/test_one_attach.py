"""What one ATTACH gives a client: pack tables and views, `main` introspection, unqualified aliases."""

import pyarrow as pa
import pytest
import vgi_pack_testkit
import vgi_polars
from vgi import Arguments
from vgi.catalog.catalog_interface import SchemaObjectType
from vgi.client import ClientError

from tests.interop.helpers import call_scalar, registered_counts

pytestmark = pytest.mark.interop


def rows(batches) -> list[dict]:
    return [row for batch in batches for row in batch.to_pylist()]


def names(client, attach, schema, kind) -> list[str]:
    listed = client.schema_contents(attach_opaque_data=attach.attach_opaque_data, path=[schema], type=kind)
    return sorted(item.name for item in listed)


def test_pack_table_is_listed_with_columns_and_an_inline_scan(client, attach):
    assert names(client, attach, "geo", SchemaObjectType.TABLE) == ["cities"]
    table = client.table_get(attach_opaque_data=attach.attach_opaque_data, schema_path=["geo"], name="cities")
    columns = pa.ipc.read_schema(pa.py_buffer(table.columns))
    assert columns.names == ["name", "country", "lat", "lon", "population"]
    assert table.cardinality_estimate == 32
    scan = client.table_scan_function_get(
        attach_opaque_data=attach.attach_opaque_data, schema_path=["geo"], name="cities"
    )
    assert scan.function_name == "world_cities"
    assert scan.schema_path == ["geo"]


def test_reading_a_pack_table_through_its_scan_function(client):
    cities = rows(
        client.table_function(function_name="world_cities", schema_path=["geo"], arguments=Arguments())
    )
    assert len(cities) == 32
    assert {
        "name": "Paris",
        "country": "France",
        "lat": 48.8566,
        "lon": 2.3522,
        "population": 2102650,
    } in cities


def test_pack_view(client, attach):
    assert names(client, attach, "geo", SchemaObjectType.VIEW) == ["large_cities"]
    view = client.view_get(
        attach_opaque_data=attach.attach_opaque_data, schema_path=["geo"], name="large_cities"
    )
    assert "FROM geo.cities" in view.definition
    assert (
        client.view_get(attach_opaque_data=attach.attach_opaque_data, schema_path=["geo"], name="nope")
        is None
    )


def test_main_holds_the_introspection_tables(client, attach):
    assert names(client, attach, "main", SchemaObjectType.TABLE) == ["vgi_functions", "vgi_packs"]
    (main,) = [s for s in client.schemas(attach_opaque_data=attach.attach_opaque_data) if s.path == ["main"]]
    assert main.estimated_object_count["table"] == 2


def test_vgi_packs_reports_every_pack_with_status_and_conflicts(client):
    packs = {
        r["name"]: r for r in rows(client.table_function(function_name="vgi_packs", schema_path=["main"]))
    }
    expected = registered_counts(vgi_pack_testkit)
    testkit = packs["testkit"]
    assert testkit["status"] == "loaded"
    assert (testkit["scalar_functions"], testkit["table_functions"], testkit["aggregate_functions"]) == (
        expected["scalar_function"],
        expected["table_function"],
        expected["aggregate_function"],
    )
    assert (testkit["tables"], testkit["views"]) == (expected["table"], expected["view"])
    assert packs["broken"]["status"] == "failed"
    assert "ModuleNotFoundError" in packs["broken"]["error"]
    assert packs["broken"]["remedy"]
    assert packs["future"]["status"] == "incompatible"
    assert packs["text"]["conflicts"] == ["levenshtein"]
    assert packs["testkit"]["conflicts"] == ["levenshtein"]


def test_vgi_functions_lists_signatures(client):
    functions = rows(client.table_function(function_name="vgi_functions", schema_path=["main"]))
    by_name = {(f["pack"], f["name"]): f for f in functions}
    haversine = by_name[("geo", "haversine_km")]
    assert haversine["kind"] == "scalar"
    assert (
        haversine["signature"] == "haversine_km(lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE) -> DOUBLE"
    )
    assert haversine["returns"] == "DOUBLE"
    assert haversine["unqualified"] is True
    assert by_name[("text", "levenshtein")]["unqualified"] is False


def test_unique_names_are_aliased_in_main_and_conflicts_are_not(client, attach):
    main_scalars = names(client, attach, "main", SchemaObjectType.SCALAR_FUNCTION)
    assert "haversine_km" in main_scalars
    assert "slugify" in main_scalars
    assert "levenshtein" not in main_scalars
    assert "centroid" in names(client, attach, "main", SchemaObjectType.AGGREGATE_FUNCTION)
    (km,) = call_scalar(
        client, "main", "haversine_km", {"a": [48.8566], "b": [2.3522], "c": [51.5074], "d": [-0.1278]}
    )
    assert km == pytest.approx(343.5, abs=0.2)
    with pytest.raises(
        ClientError, match=r"defined by several packs; qualify it: testkit\.levenshtein, text\.levenshtein"
    ):
        call_scalar(client, "main", "levenshtein", {"a": ["x"], "b": ["y"]})


def test_reference_load_catalog_sees_tables_views_and_aliases(client, attach):
    snapshot = client.load_catalog(attach=attach)
    by_schema = {c.schema.path[0]: c for c in snapshot.schemas}
    assert [t.name for t in by_schema["geo"].tables] == ["cities"]
    assert [v.name for v in by_schema["geo"].views] == ["large_cities"]
    assert {t.name for t in by_schema["main"].tables} == {"vgi_packs", "vgi_functions"}
    assert "haversine_km" in {f.name for f in by_schema["main"].scalar_functions}


def test_vgi_polars_reads_vgi_packs_and_a_pack_table(serve_argv):
    with vgi_polars.attach(" ".join(serve_argv), name="packs") as catalog:
        assert {"main", "geo", "text", "testkit"} <= set(catalog.schemas())
        assert catalog.tables("geo") == ["cities"]
        packs = catalog.table("main", "vgi_packs").scan().collect()
        statuses = dict(zip(packs["name"].to_list(), packs["status"].to_list(), strict=True))
        assert statuses["geo"] == "loaded"
        assert statuses["broken"] == "failed"
        cities = catalog.table("geo", "cities").scan().collect()
        assert cities.height == 32
        assert cities.filter(cities["name"] == "Tokyo")["population"].to_list() == [14094034]
