"""The pack as the host sees it: entry point, hook, and the SDK's reading of each class."""

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
from vgi_host.model.records import PackStatus
from vgi_host.packs.discovery import PackCandidate
from vgi_host.packs.loader import load_pack
from vgi_host.sdk.aggregate import AggregateDefinition
from vgi_host.sdk.scalar import ScalarDefinition
from vgi_host.sdk.table import TableDefinition

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"

SCALARS = {
    "bearing_deg": (["lat1", "lon1", "lat2", "lon2"], pa.float64()),
    "geohash_decode": (["geohash"], GEOHASH_POINT),
    "geohash_encode": (["lat", "lon", "precision"], pa.string()),
    "haversine_km": (["lat1", "lon1", "lat2", "lon2"], pa.float64()),
}
EXPECTED = {
    **dict.fromkeys(SCALARS, ScalarDefinition),
    "geo_grid": TableDefinition,
    "centroid": AggregateDefinition,
    "world_cities": TableDefinition,
}


def test_entry_point_names_the_hook_module():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["name"] == "vgi-pack-geo"
    assert project["entry-points"]["vgi.functions"] == {"geo": "vgi_pack_geo"}


def test_register_functions_registers_every_function():
    registered: list[type] = []
    vgi_pack_geo.register_functions(registered.append)
    assert sorted(cls.definition().name for cls in registered) == sorted(EXPECTED)


def test_the_host_loader_accepts_the_pack():
    record = load_pack(PackCandidate("geo", "vgi_pack_geo", "vgi-pack-geo", "0.1.0"))
    assert record.status is PackStatus.LOADED, record.problems
    assert record.function_names == sorted(EXPECTED)
    for name in record.function_names:
        definition = record.definition(name)
        assert definition is not None
        assert isinstance(definition, EXPECTED[definition.name])
        assert all(a.doc for a in definition.arguments), "every argument is documented"
        metadata = definition.metadata
        assert metadata.stability is FunctionStability.CONSISTENT
        assert metadata.description
        assert metadata.examples
        assert all("geo." in e.sql for e in metadata.examples)


def test_scalar_signatures():
    record = load_pack(PackCandidate("geo", "vgi_pack_geo", "vgi-pack-geo", "0.1.0"))
    for name, (arguments, result_type) in SCALARS.items():
        definition = record.definition(name)
        assert isinstance(definition, ScalarDefinition)
        signature = definition.signature
        assert [a.name for a in signature.arguments] == arguments
        assert signature.result_type == result_type
        assert definition.metadata.null_handling is NullHandling.DEFAULT


def test_geo_grid_definition():
    definition = record_function("geo_grid")
    assert isinstance(definition, TableDefinition)
    assert [a.name for a in definition.arguments] == ["min_lat", "min_lon", "max_lat", "max_lon", "step_deg"]
    assert all(a.arrow_type == pa.float64() and not a.has_default for a in definition.arguments)
    assert definition.catalog_schema == GRID_SCHEMA
    assert definition.metadata.projection_pushdown
    assert definition.max_workers == 1
    step = definition.arguments[-1]
    assert step.constraint is not None
    assert step.constraint.gt == 0


def test_centroid_definition():
    definition = record_function("centroid")
    assert isinstance(definition, AggregateDefinition)
    assert [a.name for a in definition.columns] == ["lat", "lon"]
    assert definition.constants == ()
    assert definition.result_type == CENTROID_POINT
    assert definition.output_schema == pa.schema([pa.field("result", CENTROID_POINT)])


def test_geohash_encode_precision_is_a_bounded_constant():
    definition = record_function("geohash_encode")
    [precision] = definition.signature.constants
    assert precision.name == "precision"
    assert precision.arrow_type == pa.int64()
    assert precision.constraint is not None
    assert (precision.constraint.ge, precision.constraint.le) == (1, 12)
    assert not precision.has_default


def test_importing_the_pack_module_defers_the_function_modules():
    """The host imports the entry point's module to find the hook; that import stays cheap."""
    code = "import sys, vgi_pack_geo; print(sorted(m for m in sys.modules if m.startswith('vgi_pack_geo')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "['vgi_pack_geo']"


def record_function(name: str):
    record = load_pack(PackCandidate("geo", "vgi_pack_geo", "vgi-pack-geo", "0.1.0"))
    definition = record.definition(name)
    assert definition is not None
    return definition
