"""Capture: a definition becomes the catalog entry DuckDB registers and the description people read."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from tests.unit.fake_packs.every_kind import CountTo, PlusOne, RunningTotal, SumInts
from tests.unit.fake_packs.good import Shout
from vgi_host import __version__
from vgi_host.catalog.manifest import PackManifest
from vgi_host.kinds.capture import function_entry, summary_line
from vgi_host.kinds.registry import KIND_NAMES, definition_of, spec, spec_for_class
from vgi_host.protocol.enums import CatalogFunctionType
from vgi_host.protocol.functions import FunctionInfo


def info_of(function_class: type) -> FunctionInfo:
    return FunctionInfo.deserialize_from_bytes(function_entry(definition_of(function_class), "p").info)


@pytest.mark.parametrize(
    ("function_class", "kind", "catalog_type"),
    [
        (PlusOne, "scalar", CatalogFunctionType.SCALAR),
        (CountTo, "table", CatalogFunctionType.TABLE),
        (RunningTotal, "table_in_out", CatalogFunctionType.TABLE),
        (SumInts, "aggregate", CatalogFunctionType.AGGREGATE),
    ],
)
def test_each_kind_is_captured_by_its_own_spec(function_class, kind, catalog_type):
    entry = function_entry(definition_of(function_class), "p")
    assert entry.kind == kind
    assert spec_for_class(function_class) is spec(kind)
    info = FunctionInfo.deserialize_from_bytes(entry.info)
    assert info.function_type is catalog_type
    assert info.schema_path == ["p"]


def test_kind_specific_flags_reach_the_catalog():
    assert info_of(RunningTotal).has_finalize is True
    assert info_of(RunningTotal).output_schema == pa.schema([])  # decided by the input at bind
    assert info_of(CountTo).output_schema == pa.schema([pa.field("i", pa.int64())])
    assert info_of(CountTo).max_workers == 1
    assert info_of(SumInts).output_schema.field(0).type == pa.int64()


def test_argument_metadata_and_typed_defaults():
    info = info_of(Shout)
    marks = info.arguments.field("marks")
    assert marks.metadata[b"vgi_const"] == b"true"
    assert marks.metadata[b"vgi_doc"] == b"how many !"
    assert marks.metadata[b"vgi_range"] == b"[0, +inf)"
    assert json.loads(marks.metadata[b"vgi_default"]) == 1
    assert info.parameter_default_values is not None
    assert info.parameter_default_values.column("marks").to_pylist() == [1]


def test_descriptions_use_duckdb_type_names():
    described = function_entry(definition_of(Shout), "p").description
    assert described.signature == "shout(s VARCHAR, marks BIGINT) -> VARCHAR"
    assert described.kind == "scalar"
    assert [a.name for a in described.arguments] == ["s", "marks"]
    assert described.arguments[1].constant is True
    table = function_entry(definition_of(CountTo), "p").description
    assert table.returns == "TABLE(i BIGINT)"


def test_summary_is_the_first_sentence_on_one_line():
    assert summary_line("Add one.  Then more.\n\nDetails") == "Add one."
    assert summary_line("Covers [a, b] x [c, d]\nin steps.") == "Covers [a, b] x [c, d] in steps."


def test_registry_lists_each_kind_once_with_a_module_that_has_its_spec():
    names = [k.name for k in KIND_NAMES]
    assert len(names) == len(set(names))
    for kind in KIND_NAMES:
        assert spec(kind.name).name == kind.name


def test_a_class_of_no_kind_is_refused_naming_the_bases():
    with pytest.raises(TypeError, match="ScalarFunction, TableFunctionGenerator"):
        definition_of(int)


# ----------------------------------------------------------- manifests ----


def manifest_json(**overrides: object) -> str:
    entry = function_entry(definition_of(PlusOne), "alpha")
    raw = json.loads(PackManifest("alpha", "vgi-pack-alpha", "1.0", None, (entry,)).to_json())
    raw.update(overrides)
    return json.dumps(raw)


def test_a_captured_manifest_round_trips_exactly():
    text = manifest_json()
    parsed = PackManifest.from_json(text)
    assert parsed is not None
    assert json.loads(parsed.to_json()) == json.loads(text)
    assert parsed.functions[0].description.signature == "plus_one(x BIGINT) -> BIGINT"


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "null",
        '"a string"',
        "42",
        manifest_json(functions="not a list"),
        manifest_json(pack=7),
        manifest_json(declared_host_range=["x"]),
        manifest_json(functions=[{"name": "f", "kind": "scalar", "info": "AA==", "description": "a string"}]),
        manifest_json(host_version="0.0.0-other"),
    ],
)
def test_a_wrong_shaped_manifest_is_a_cache_miss(text):
    assert PackManifest.from_json(text) is None


def test_unknown_kind_and_undecodable_info_are_cache_misses():
    raw = json.loads(manifest_json())
    raw["functions"][0]["kind"] = "hologram"
    assert PackManifest.from_json(json.dumps(raw)) is None
    raw = json.loads(manifest_json())
    raw["functions"][0]["info"] = "%%% not base64 %%%"
    assert PackManifest.from_json(json.dumps(raw)) is None
    assert __version__ in manifest_json()
