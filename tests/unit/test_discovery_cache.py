"""The discovery cache: believed only while the environment is unchanged, else a fresh scan."""

import json
import os

import pytest

from tests.unit.test_discovery import GROUP, fake_distribution
from vgi_host.packs import discovery, discovery_cache
from vgi_host.packs.discovery_cache import cached_discover


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


@pytest.fixture
def scans(monkeypatch):
    """Count real scans (the cache must answer without one)."""
    calls: list[str] = []
    real = discovery.discover

    def counting(group: str = discovery.ENTRY_POINT_GROUP) -> discovery.Discovery:
        calls.append(group)
        return real(group)

    monkeypatch.setattr(discovery, "discover", counting)
    return calls


def _rich_distribution(site, name, version, packs):
    fake_distribution(site, name, version, packs)
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: Great circles\n"
        "Keywords: geo,maps\nProject-URL: Source, https://example.org/src\n"
        "Requires-Dist: vgi-host>=0.1,<0.2\n\nLong description.\n"
    )


def test_an_unchanged_environment_is_answered_from_the_cache(site, tmp_path, scans):
    _rich_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    fake_distribution(site, "other-geo", "3.0", {"Geo": "geo_b"})
    fake_distribution(site, "vgi-pack-text", "2.0", {"text": "text_mod:plugin"})
    cache = tmp_path / "cache"
    first = cached_discover(cache, GROUP)
    second = cached_discover(cache, GROUP)
    assert scans == [GROUP]
    assert second == first
    assert second == discovery.discover(GROUP)
    (text,) = second.candidates
    assert text.name == "text"
    (clash,) = second.clashes
    geo = next(c for c in clash.claimants if c.distribution == "vgi-pack-geo")
    assert geo.about.keywords == ("geo", "maps")
    assert geo.about.project_urls == (("Source", "https://example.org/src"),)
    assert geo.requires == ("vgi-host>=0.1,<0.2",)


def test_installing_a_distribution_is_seen(site, tmp_path, scans):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    cache = tmp_path / "cache"
    assert [c.name for c in cached_discover(cache, GROUP).candidates] == ["geo"]
    fake_distribution(site, "vgi-pack-text", "2.0", {"text": "text_mod"})
    assert [c.name for c in cached_discover(cache, GROUP).candidates] == ["geo", "text"]
    assert len(scans) == 2


def test_a_pack_reinstalled_in_place_is_seen(site, tmp_path, scans):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    cache = tmp_path / "cache"
    cached_discover(cache, GROUP)
    info = site / "vgi_pack_geo-1.0.dist-info"
    stat = os.stat(site)
    (info / "entry_points.txt").write_text(f"[{GROUP}]\ngeo = geo_mod2\n")
    (info / "INSTALLER").write_text("pip\n")  # a new file: the .dist-info's mtime moves
    os.utime(site, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # site-packages itself looks untouched
    assert [c.target for c in cached_discover(cache, GROUP).candidates] == ["geo_mod2"]
    assert len(scans) == 2


def test_a_changed_sys_path_is_a_miss(site, tmp_path, scans, monkeypatch):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    cache = tmp_path / "cache"
    cached_discover(cache, GROUP)
    other = tmp_path / "other"
    fake_distribution(other, "vgi-pack-text", "2.0", {"text": "text_mod"})
    monkeypatch.syspath_prepend(str(other))
    assert [c.name for c in cached_discover(cache, GROUP).candidates] == ["geo", "text"]
    assert len(scans) == 2


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda raw: "not json",
        lambda raw: json.dumps([]),
        lambda raw: json.dumps({**raw, "candidates": [{"name": 1}]}),
        lambda raw: json.dumps({**raw, "candidates": [{**raw["candidates"][0], "name": 7}]}),
        lambda raw: json.dumps({**raw, "candidates": [{**raw["candidates"][0], "requires": [3]}]}),
        lambda raw: json.dumps({**raw, "locations": "x"}),
    ],
)
def test_a_damaged_file_is_a_miss_and_is_rewritten(site, tmp_path, scans, corrupt):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    cache = tmp_path / "cache"
    expected = cached_discover(cache, GROUP)
    (path,) = cache.glob("discovery-*.json")
    path.write_text(corrupt(json.loads(path.read_text())))
    assert cached_discover(cache, GROUP) == expected
    assert cached_discover(cache, GROUP) == expected
    assert len(scans) == 2


def test_a_file_others_may_write_is_not_believed(site, tmp_path, scans):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    cache = tmp_path / "cache"
    cached_discover(cache, GROUP)
    (path,) = cache.glob("discovery-*.json")
    path.chmod(0o666)
    cached_discover(cache, GROUP)
    assert len(scans) == 2


def test_the_fingerprint_names_every_sys_path_entry(site):
    _, _, group, entries = discovery_cache.fingerprint(GROUP)
    assert group == GROUP
    assert entries[0] == [str(site), os.stat(site).st_mtime_ns]


@pytest.mark.parametrize("record", [discovery_cache.PackCandidate, discovery_cache.PackAbout])
def test_every_field_of_the_cached_records_has_a_type_check(record):
    """A field added to PackCandidate or PackAbout needs its check, or every start would miss."""
    import dataclasses

    for field in dataclasses.fields(record):
        if field.name != "about":
            assert str(field.type) in discovery_cache._CHECKS, f"{record.__name__}.{field.name}"


def test_a_wrongly_typed_description_field_is_a_miss(site, tmp_path, scans):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_mod"})
    cache = tmp_path / "cache"
    expected = cached_discover(cache, GROUP)
    (path,) = cache.glob("discovery-*.json")
    raw = json.loads(path.read_text())
    raw["candidates"][0]["about"]["summary"] = 5
    raw["candidates"][0]["editable"] = "yes"
    path.write_text(json.dumps(raw))
    assert cached_discover(cache, GROUP) == expected
    assert len(scans) == 2
