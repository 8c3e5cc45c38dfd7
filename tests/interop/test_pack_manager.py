"""Lazy loading, the manifest cache, selection and compatibility, as a user meets them."""

import json

import pytest

pytestmark = pytest.mark.interop

IMPORT_NOISE = "noise on stdout while importing a pack"  # printed by the testkit pack's module


def packs(result) -> dict[str, dict]:
    return {p["name"]: p for p in json.loads(result.stdout)["packs"]}


def test_second_listing_imports_no_pack(run_cli, tmp_path):
    env = {"VGI_HOST_CACHE_DIR": str(tmp_path / "cache")}
    first = run_cli("list", "--json", env=env)
    assert IMPORT_NOISE in first.stderr  # a cold cache imports every pack once
    assert packs(first)["testkit"]["from_cache"] is False
    second = run_cli("list", "--json", env=env)
    assert IMPORT_NOISE not in second.stderr
    listed = packs(second)
    assert listed["testkit"]["from_cache"] is True
    assert listed["geo"]["function_count"] == packs(first)["geo"]["function_count"]
    assert listed["broken"]["status"] == "failed"  # failures are retried, never cached


def test_incompatible_pack_is_reported_and_not_imported(run_cli):
    result = run_cli("list", "--json")
    future = packs(result)["future"]
    assert future["status"] == "incompatible"
    assert "requires vgi-host >=99" in future["error"]
    assert "install a vgi-host matching" in future["remedy"]
    assert "was imported" not in result.stderr


def test_selection_by_flag_environment_and_config(run_cli, tmp_path):
    only_geo = packs(run_cli("list", "--json", "--pack", "geo"))
    assert only_geo["geo"]["status"] == "loaded"
    assert only_geo["testkit"]["status"] == "disabled"
    assert only_geo["broken"]["status"] == "disabled"
    assert (
        packs(run_cli("list", "--json", env={"VGI_HOST_DISABLE": "testkit"}))["testkit"]["status"]
        == "disabled"
    )
    config = tmp_path / "vgi-host.toml"
    config.write_text('[packs]\ndisable = ["geo"]\n')
    assert packs(run_cli("list", "--json", "--config", str(config)))["geo"]["status"] == "disabled"
    # With the broken and incompatible packs deselected, listing succeeds.
    assert run_cli("list", "--disable", "broken,future").returncode == 0


def test_strict_serve_refuses_to_start_with_a_failed_pack(run_cli):
    result = run_cli("serve", "--strict")
    assert result.returncode == 1
    assert "--strict" in result.stderr


def test_bad_config_is_a_usage_error(run_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[packs\n")
    assert run_cli("list", "--config", str(bad)).returncode == 2
    assert run_cli("serve", "--config", str(bad)).returncode == 2


def test_check_passes_for_good_packs_and_fails_with_remedies(run_cli):
    good = run_cli("check", "geo", "testkit", "--format", "table")
    assert good.returncode == 0, good.stdout
    assert "2 pack(s) checked: 0 error(s)" in good.stdout
    everything = run_cli("check", "--format", "table")
    assert everything.returncode == 1
    assert "FAIL" in everything.stdout
    assert "broken" in everything.stdout
    assert "remedy:" in everything.stdout
    assert run_cli("check", "nope").returncode == 2  # a usage error: the message lists the packs


def test_info_on_a_pack_and_a_function(run_cli):
    pack = run_cli("info", "geo")
    assert pack.returncode == 0
    assert "vgi-pack-geo" in pack.stdout
    assert "haversine_km" in pack.stdout
    function = json.loads(run_cli("info", "geo.haversine_km", "--json").stdout)
    assert (
        function["signature"] == "haversine_km(lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE) -> DOUBLE"
    )
    assert function["pack"] == "geo"
    assert function["examples"]
    assert run_cli("info", "geo.nope").returncode == 1


def test_concurrent_cold_starts_share_one_cache_safely(vgi_host_exe, tmp_path):
    """Hosts starting together on an empty cache all succeed and leave one manifest per pack."""
    import os
    import subprocess

    env = {**os.environ, "VGI_HOST_CACHE_DIR": str(tmp_path / "cache")}
    starts = [
        subprocess.Popen(
            [vgi_host_exe, "list", "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in starts]
    listings = [{p["name"]: p["status"] for p in json.loads(out)["packs"]} for out in outputs]
    assert all(listing == listings[0] for listing in listings)
    assert listings[0]["geo"] == "loaded"
    names = [path.name for path in (tmp_path / "cache").glob("*.json")]
    manifests = sorted(name.split("-")[0] for name in names if not name.startswith("discovery-"))
    assert manifests == ["geo", "testkit", "text"]  # broken/incompatible packs are never cached
    assert len([name for name in names if name.startswith("discovery-")]) == 1  # the scan, cached once
    assert not list((tmp_path / "cache").glob(".manifest-*"))  # no temporary file left behind
    assert not list((tmp_path / "cache").glob(".discovery-*"))
