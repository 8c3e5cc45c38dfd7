"""Issue 13, as a user meets it: the CLI against installed packs, one test per defect.

Each test runs the installed `vgi-host` console script as a subprocess (stdout
is a pipe, as in scripts), with the interop environment's packs: geo, text,
testkit (defines `levenshtein` too), broken (fails to import) and future
(incompatible).
"""

import json
import os
import subprocess

import pytest
from vgi.catalog.catalog_interface import SchemaObjectType

pytestmark = pytest.mark.interop

WIDE = {"COLUMNS": "400"}


def plain_rows(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines()]


# 1. pack text is printed as written, never parsed as Rich markup


def test_pack_text_with_brackets_survives_every_renderer(run_cli):
    box = "[min_lat, max_lat] x [min_lon, max_lon]"
    table = run_cli("list", "geo", "--format", "table", env=WIDE)
    assert box in table.stdout
    plain = run_cli("list", "geo")
    assert box in plain.stdout
    info = run_cli("info", "geo.geo_grid", env=WIDE)
    assert box in info.stdout
    assert "degrees in [-90, 90]" in info.stdout  # an argument doc with brackets


# 2. check honours pack selection; a deselected pack is not an error


def test_check_honours_pack_and_disable_and_the_environment(run_cli):
    only_geo = run_cli("check", "--pack", "geo", "--format", "json")
    assert only_geo.returncode == 0, only_geo.stdout + only_geo.stderr
    assert [p["name"] for p in json.loads(only_geo.stdout)["packs"]] == ["geo"]

    disabled = run_cli("check", "--json", env={"VGI_HOST_DISABLE": "broken,future,testkit"})
    assert disabled.returncode == 0, disabled.stdout
    assert {p["name"] for p in json.loads(disabled.stdout)["packs"]} == {"geo", "text"}

    allowlisted = run_cli("check", "-f", "json", env={"VGI_HOST_PACKS": "text"})
    assert allowlisted.returncode == 0, allowlisted.stdout
    assert [p["name"] for p in json.loads(allowlisted.stdout)["packs"]] == ["text"]

    everything = run_cli("check", "--json")
    assert everything.returncode == 1  # broken and future really are broken
    failing = {f["pack"] for f in json.loads(everything.stdout)["findings"] if f["severity"] == "error"}
    assert {"broken", "future"} <= failing


# 3. selection typos are reported, and are errors under --strict


def test_unknown_pack_names_and_config_tables_are_reported(run_cli, tmp_path):
    typo = run_cli("list", "-p", "nosuch", "--brief")
    assert typo.returncode == 0
    assert "'nosuch', which is no installed pack" in typo.stderr
    assert "geo" in typo.stderr.split("installed:")[1]
    assert run_cli("list", "-p", "nosuch", "--strict").returncode == 2
    assert "nosuch" in run_cli("serve", "--disable", "nosuch", "--strict").stderr

    config = tmp_path / "config.toml"
    config.write_text('[pack]\nenable = ["geo"]\n')
    ignored = run_cli("list", "--brief", "--config", str(config))
    assert "unknown table or key [pack]" in ignored.stderr
    assert "[packs]" in ignored.stderr
    assert run_cli("list", "--config", str(config), "--strict").returncode == 2


# 8. info: every object, unique aliases, errors that list what exists, honest load facts


def test_info_finds_tables_views_and_unique_aliases(run_cli):
    pack = run_cli("info", "geo", env=WIDE)
    assert pack.returncode == 0
    assert "geo.cities" in pack.stdout
    assert "geo.large_cities" in pack.stdout

    table = run_cli("info", "geo.cities", env=WIDE)
    assert table.returncode == 0, table.stderr
    assert "population" in table.stdout
    view = run_cli("info", "geo.large_cities", "--json")
    assert json.loads(view.stdout)["kind"] == "view"

    alias = run_cli("info", "haversine_km", env=WIDE)
    assert alias.returncode == 0, alias.stderr
    assert "geo.haversine_km(lat1 DOUBLE" in alias.stdout


def test_info_errors_name_what_exists(run_cli):
    missing = run_cli("info", "nosuch")
    assert missing.returncode == 1
    assert "geo" in missing.stderr
    assert "text" in missing.stderr
    no_function = run_cli("info", "geo.nope")
    assert "haversine_km" in no_function.stderr
    assert "cities" in no_function.stderr
    ambiguous = run_cli("info", "levenshtein")
    assert ambiguous.returncode == 1
    assert "testkit.levenshtein" in ambiguous.stderr
    assert "text.levenshtein" in ambiguous.stderr


def test_info_load_facts_are_honest(run_cli):
    run_cli("list")  # fills the manifest cache
    cached = run_cli("info", "geo", env=WIDE)
    assert "not imported (catalog from the cached manifest)" in cached.stdout
    assert "0.0 ms" not in cached.stdout
    fresh = run_cli("info", "geo", env={**WIDE, "VGI_HOST_NO_CACHE": "1"})
    assert "imported in" in fresh.stdout
    future = run_cli("info", "future", env=WIDE)  # incompatible, but it does declare a range
    assert "not declared" not in future.stdout


# 9. consistent CLI: help everywhere, clean metavars, formats, broken pipes


def test_help_without_arguments_and_with_h(run_cli):
    bare = run_cli()
    assert bare.returncode == 0
    assert "Usage: vgi-host" in bare.stdout
    for command in ("list", "check", "info", "new"):
        short = run_cli(command, "-h")
        assert short.returncode == 0, command
        assert "Usage: vgi-host" in short.stdout
        assert "<list[str]>" not in short.stdout
        assert "<bool>" not in short.stdout
    assert run_cli("serve", "-h").returncode == 0
    for command in ("list", "check", "info", "new"):
        version = run_cli(command, "--version")
        assert version.returncode == 0, command
        assert version.stdout.startswith("vgi-host ")


def test_plain_is_the_default_when_piped_and_one_line_per_function(run_cli):
    piped = run_cli("list")
    assert "┃" not in piped.stdout
    rows = plain_rows(piped.stdout)
    assert all(len(row) == 6 for row in rows)
    geo = {row[3]: row for row in rows if row[0] == "geo"}
    assert geo["haversine_km"][1:3] == ["loaded", "scalar"]
    assert geo["cities"][2] == "table"
    assert geo["large_cities"][2] == "view"
    assert [row[1] for row in rows if row[0] == "broken"] == ["failed"]
    brief = plain_rows(run_cli("list", "--brief").stdout)
    assert [row[0] for row in brief] == ["broken", "future", "geo", "testkit", "text"]
    as_json = json.loads(run_cli("list", "--json").stdout)["packs"]
    as_format = json.loads(run_cli("list", "-f", "json").stdout)["packs"]
    assert [(p["name"], p["status"]) for p in as_json] == [(p["name"], p["status"]) for p in as_format]


def test_check_plain_lines_carry_codes(run_cli):
    rows = plain_rows(run_cli("check", "-f", "plain").stdout)
    assert all(len(row) == 6 for row in rows)
    assert rows[[r[0] for r in rows].index("geo")][:2] == ["geo", "ok"]
    broken = [row for row in rows if row[0] == "broken"]
    assert broken[0][1:3] == ["error", "VH100"]


def test_a_reader_that_stops_early_is_not_a_failure(vgi_host_exe):
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` after its line: every write now fails with EPIPE
    try:
        result = subprocess.run(
            [vgi_host_exe, "list"], stdout=write_end, stderr=subprocess.PIPE, timeout=120, check=False
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0  # not 1, which means "a pack failed"
    assert result.stderr == b""


# Tag contract: the built-in packs pass the strict metadata rules


def test_builtin_packs_pass_check_strict_with_no_findings(run_cli):
    # testkit also defines `levenshtein` (a conflict of this test environment, not of the packs).
    result = run_cli("check", "geo", "text", "--disable", "testkit", "--strict", "--json")
    document = json.loads(result.stdout)
    assert document["findings"] == []
    assert result.returncode == 0


def test_an_undocumented_pack_gets_coded_findings(run_cli):
    document = json.loads(run_cli("check", "testkit", "--json").stdout)
    codes = {f["code"] for f in document["findings"]}
    assert "VH204" in codes or "VH202" in codes  # the test pack has no keywords or README
    assert all(f["remedy"] for f in document["findings"])


def test_catalog_schemas_and_functions_carry_the_vgi_tags(client, attach):
    catalog = attach.tags
    assert catalog["vgi.title"]
    assert len(catalog["vgi.doc_md"]) >= 300
    assert "`geo`" in catalog["vgi.doc_md"]
    assert isinstance(json.loads(catalog["vgi.keywords"]), list)

    geo = client.schema_get(attach_opaque_data=attach.attach_opaque_data, path=["geo"]).tags
    assert geo["vgi.title"] == "Geospatial functions for vgi-host"  # the Summary, up to its colon
    assert len(geo["vgi.doc_md"]) >= 160  # the README
    assert "geohash" in json.loads(geo["vgi.keywords"])
    assert geo["vgi.license"] == "Apache-2.0"
    assert geo["vgi.source_url"].startswith("https://")
    assert geo["vgi.author"]

    functions = client.schema_contents(
        attach_opaque_data=attach.attach_opaque_data, path=["geo"], type=SchemaObjectType.SCALAR_FUNCTION
    )
    haversine = next(f for f in functions if f.name == "haversine_km")
    queries = json.loads(haversine.tags["vgi.example_queries"])
    assert queries[0]["sql"] == haversine.examples[0].sql
    assert haversine.tags["vgi.doc_md"] == haversine.description
    assert "vgi.result_columns_schema" not in haversine.tags

    tables = client.schema_contents(
        attach_opaque_data=attach.attach_opaque_data, path=["geo"], type=SchemaObjectType.TABLE_FUNCTION
    )
    grid = next(f for f in tables if f.name == "geo_grid")
    assert json.loads(grid.tags["vgi.result_columns_schema"]) == [
        {"name": "lat", "type": "DOUBLE"},
        {"name": "lon", "type": "DOUBLE"},
    ]
