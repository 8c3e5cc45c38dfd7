"""`vgi-host list` as a user runs it, against installed distributions."""

import json

import pytest
import vgi_pack_testkit

from tests.interop.helpers import registered_counts

pytestmark = pytest.mark.interop


def test_list_json_reports_every_pack_with_status(run_cli):
    result = run_cli("list", "--json")
    assert result.returncode == 1  # the broken test pack failed to load
    packs = {p["name"]: p for p in json.loads(result.stdout)["packs"]}
    assert packs["geo"]["status"] == "loaded"
    assert packs["geo"]["distribution"] == "vgi-pack-geo"
    assert packs["testkit"]["function_count"] == registered_counts(vgi_pack_testkit)["functions"]
    assert [t["name"] for t in packs["testkit"]["tables"]] == ["first_squares"]
    assert [v["name"] for v in packs["testkit"]["views"]] == ["even_squares"]
    assert packs["text"]["conflicts"] == {"levenshtein": ["testkit"]}
    signatures = {f["signature"] for f in packs["geo"]["functions"]}
    assert "haversine_km(lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE) -> DOUBLE" in signatures
    assert "geohash_decode(geohash VARCHAR) -> STRUCT(lat DOUBLE, lon DOUBLE)" in signatures
    kinds = {f["name"]: f["kind"] for f in packs["geo"]["functions"]}
    assert (kinds["geo_grid"], kinds["centroid"]) == ("table", "aggregate")
    testkit = {f["name"]: f for f in packs["testkit"]["functions"]}
    assert testkit["count_to"]["signature"] == (
        "count_to(n BIGINT, batch := BIGINT, label := VARCHAR)"
        " -> TABLE(i BIGINT, label VARCHAR, square BIGINT)"
    )
    assert testkit["running_total"]["signature"] == "running_total(column VARCHAR, data TABLE) -> TABLE"
    broken = packs["broken"]
    assert broken["status"] == "failed"
    assert "ModuleNotFoundError" in broken["error"]
    assert broken["remedy"]
    assert "Traceback" in broken["traceback"]


def test_list_table_shows_packs_functions_and_failures(run_cli):
    result = run_cli("list", "--format", "table", env={"COLUMNS": "200"})
    assert result.returncode == 1
    assert "geo.haversine_km" in result.stdout
    assert "also in geo: table cities, view large_cities" in result.stdout
    assert "conflict: 'levenshtein' is defined by testkit, text" in result.stdout
    assert "broken" in result.stdout
    assert "failed to load" in result.stdout


def test_version_and_help(run_cli):
    assert run_cli("--version").stdout.startswith("vgi-host ")
    help_text = run_cli("--help").stdout
    assert "list" in help_text
    assert "serve" in help_text
    serve_help = run_cli("serve", "--help")
    assert serve_help.returncode == 0
    assert "stdin/stdout" in serve_help.stdout


def test_unknown_option_is_a_usage_error(run_cli):
    assert run_cli("list", "--bogus").returncode == 2
    assert run_cli("serve", "--bogus").returncode == 2
