"""The pack as DuckDB sees it through ``vgi-host serve``: entry point, catalog entries, documentation."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import vgi_pack_geo
from vgi_pack_geo.centroid import CENTROID_POINT
from vgi_pack_geo.geohash import GEOHASH_POINT
from vgi_pack_geo.grid import GRID_SCHEMA

from vgi_host import FunctionStability, NullHandling

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"

SCALARS = {
    "bearing_deg": (["lat1", "lon1", "lat2", "lon2"], pa.float64()),
    "geohash_decode": (["geohash"], GEOHASH_POINT),
    "geohash_encode": (["lat", "lon", "precision"], pa.string()),
    "haversine_km": (["lat1", "lon1", "lat2", "lon2"], pa.float64()),
}
KINDS = {
    **dict.fromkeys(SCALARS, "SCALAR"),
    "geo_grid": "TABLE",
    "centroid": "AGGREGATE",
    "world_cities": "TABLE",
}


def test_entry_point_names_the_hook_module():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["name"] == "vgi-pack-geo"
    assert project["entry-points"]["vgi.functions"] == {"geo": "vgi_pack_geo"}


def test_the_host_serves_every_registered_function_under_its_kind(vgi):
    registered: list[type] = []
    vgi_pack_geo.register_functions(registered.append)
    served = {info.name: info.function_type.name for info in vgi.functions("geo")}
    assert len(served) == len(registered)
    assert served == KINDS


def test_every_function_is_documented_with_examples_that_call_it(vgi):
    vgi.assert_documented("geo")
    for info in vgi.functions("geo"):
        assert all("geo." in example.sql for example in info.examples), info.name


def test_scalar_signatures(vgi):
    for name, (arguments, result_type) in SCALARS.items():
        info = vgi.function("geo", name)
        assert info.arguments.names == arguments
        assert info.output_schema.types == [result_type]
        assert info.stability is FunctionStability.CONSISTENT
        assert info.null_handling is NullHandling.DEFAULT


def test_geo_grid_catalog_entry(vgi):
    info = vgi.function("geo", "geo_grid")
    assert info.arguments.names == ["min_lat", "min_lon", "max_lat", "max_lon", "step_deg"]
    assert all(field.type == pa.float64() for field in info.arguments)
    # Table-function arguments are constants by nature; like the reference, they carry no vgi_const.
    assert all(b"vgi_const" not in (field.metadata or {}) for field in info.arguments)
    assert all(field.metadata[b"vgi_doc"] for field in info.arguments)
    assert info.arguments.field("step_deg").metadata[b"vgi_range"] == b"(0, +inf)"
    assert info.output_schema == GRID_SCHEMA
    assert info.projection_pushdown is True
    assert info.max_workers == 1


def test_centroid_catalog_entry(vgi):
    info = vgi.function("geo", "centroid")
    assert info.arguments.names == ["lat", "lon"]
    assert not any((field.metadata or {}).get(b"vgi_const") for field in info.arguments)
    assert info.output_schema == pa.schema([pa.field("result", CENTROID_POINT)])


def test_geohash_encode_precision_is_a_bounded_constant(vgi):
    precision = vgi.function("geo", "geohash_encode").arguments.field("precision")
    assert precision.type == pa.int64()
    assert precision.metadata[b"vgi_const"] == b"true"
    assert precision.metadata[b"vgi_range"] == b"[1, 12]"
    assert b"vgi_default" not in precision.metadata


def test_importing_the_pack_module_defers_the_function_modules():
    """The host imports the entry point's module to find the hook; that import stays cheap."""
    code = "import sys, vgi_pack_geo; print(sorted(m for m in sys.modules if m.startswith('vgi_pack_geo')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "['vgi_pack_geo']"
