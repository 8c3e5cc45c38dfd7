"""Discovery reads distribution metadata only: order, clashes, duplicates."""

import sys
from pathlib import Path

import pytest

from vgi_host.packs.discovery import discover

GROUP = "vgi_host.tests.discovery"


def fake_distribution(site: Path, name: str, version: str, packs: dict[str, str]) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "\n".join(f"{pack} = {target}" for pack, target in packs.items())
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_candidates_are_sorted_and_carry_distribution_facts(site):
    fake_distribution(site, "vgi-pack-zeta", "2.0", {"zeta": "zeta_mod"})
    fake_distribution(site, "vgi-pack-alpha", "1.5", {"alpha": "alpha_mod:plugin"})
    found = discover(GROUP)
    assert [(c.name, c.target, c.distribution, c.version) for c in found.candidates] == [
        ("alpha", "alpha_mod:plugin", "vgi-pack-alpha", "1.5"),
        ("zeta", "zeta_mod", "vgi-pack-zeta", "2.0"),
    ]
    assert found.clashes == ()


def test_one_pack_name_from_two_distributions_is_a_clash(site):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_a"})
    fake_distribution(site, "other-geo", "3.0", {"geo": "geo_b"})
    found = discover(GROUP)
    assert found.candidates == ()
    (clash,) = found.clashes
    assert [c.distribution for c in clash.claimants] == ["other-geo", "vgi-pack-geo"]
    assert "claimed by several distributions" in clash.message
    assert "pip uninstall" in clash.remedy


def test_the_same_distribution_seen_twice_is_not_a_clash(site, tmp_path_factory, monkeypatch):
    fake_distribution(site, "vgi-pack-geo", "1.0", {"geo": "geo_a"})
    second_site = tmp_path_factory.mktemp("second_site")
    fake_distribution(second_site, "vgi_pack_geo", "0.9", {"geo": "geo_a"})
    monkeypatch.setattr(sys, "path", [*sys.path, str(second_site)])
    found = discover(GROUP)
    assert [(c.name, c.version) for c in found.candidates] == [("geo", "1.0")]
    assert found.clashes == ()
