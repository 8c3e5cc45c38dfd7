"""Selection, compatibility and the manifest cache: decided before (or instead of) importing packs."""

import os
from pathlib import Path

import pytest

from vgi_host import __version__
from vgi_host.catalog.manifest import ManifestCache, PackManifest
from vgi_host.errors import PackImportError
from vgi_host.host.registry import PackRegistry
from vgi_host.host.routing import Router
from vgi_host.model.entries import FunctionDescription, FunctionEntry
from vgi_host.model.records import PackStatus
from vgi_host.packs.compatibility import check
from vgi_host.packs.discovery import Discovery, PackCandidate
from vgi_host.packs.selection import ConfigError, Selection, resolve_selection

DESCRIPTION = FunctionDescription(
    "f", "scalar", "f(x BIGINT) -> BIGINT", "BIGINT", "Doubles x.", "Doubles x."
)


def candidate(module: str, name: str, location: Path | None = None, requires=()) -> PackCandidate:
    return PackCandidate(
        name,
        f"tests.unit.fake_packs.{module}",
        f"vgi-pack-{name}",
        "1.0",
        tuple(requires),
        str(location) if location else None,
    )


# ------------------------------------------------------------- selection ----


def test_selection_sources_in_order_of_strength(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[packs]\nenable = ["geo", "text"]\ndisable = ["old"]\nstrict = true\n')
    from_file = resolve_selection(config=config, environ={})
    assert from_file.enable == {"geo", "text"}
    assert from_file.disable == {"old"}
    assert from_file.strict is True
    from_env = resolve_selection(config=config, environ={"VGI_HOST_PACKS": "Geo", "VGI_HOST_DISABLE": ""})
    assert from_env.enable == {"geo"}
    assert from_env.disable == frozenset()
    from_flags = resolve_selection(enable=["text"], disable=["geo"], strict=False, config=config, environ={})
    assert (from_flags.enable, from_flags.disable, from_flags.strict) == ({"text"}, {"geo"}, False)
    assert from_flags.verdict("GEO") == "disabled by --disable"
    assert from_flags.verdict("other") == "not in the allowlist (--pack)"
    assert from_flags.verdict("text") is None


def test_config_file_from_environment_and_errors(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[packs]\ndisable = ["x"]\n')
    assert resolve_selection(environ={"VGI_HOST_CONFIG": str(config)}).disable == {"x"}
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_selection(config=tmp_path / "missing.toml", environ={})
    config.write_text("[packs]\nenable = 3\n")
    with pytest.raises(ConfigError, match=r"packs\.enable must be a list"):
        resolve_selection(config=config, environ={})
    config.write_text('[packs]\nenabled = ["x"]\n')
    with pytest.raises(ConfigError, match=r"unknown keys in \[packs\]: \['enabled'\]"):
        resolve_selection(config=config, environ={})


def test_disabled_packs_are_never_imported():
    discovery = Discovery((candidate("import_error", "broken"), candidate("good", "alpha")), ())
    registry = PackRegistry.load(
        discovery, Selection(disable=frozenset({"broken"}), disable_source="test"), use_cache=False
    )
    statuses = {r.name: r.status for r in registry.records}
    assert statuses == {"alpha": PackStatus.LOADED, "broken": PackStatus.DISABLED}
    assert registry.failed == ()
    allow = PackRegistry.load(
        discovery, Selection(enable=frozenset({"alpha"}), enable_source="test"), use_cache=False
    )
    assert {r.name: r.status for r in allow.records}["broken"] is PackStatus.DISABLED


# --------------------------------------------------------- compatibility ----


@pytest.mark.parametrize(
    ("requires", "declared", "compatible"),
    [
        (["pyarrow>=18", "vgi-host>=0.1,<0.2"], "<0.2,>=0.1", True),
        (["vgi_host>=99"], ">=99", False),
        (["VGI-Host<0.1"], "<0.1", False),
        (["pyarrow"], None, True),
        (["vgi-host>=99; extra == 'dev'"], None, True),
    ],
)
def test_compatibility_reads_the_declared_range(requires, declared, compatible):
    verdict = check(tuple(requires), host_version="0.1.0")
    assert verdict.declared == declared
    assert verdict.compatible is compatible
    if not compatible:
        assert "but vgi-host 0.1.0 is installed" in (verdict.problem or "")


def test_incompatible_packs_are_not_imported():
    discovery = Discovery((candidate("import_error", "future", requires=["vgi-host>=99"]),), ())
    (record,) = PackRegistry.load(discovery, use_cache=False).records
    assert record.status is PackStatus.INCOMPATIBLE
    assert f"requires vgi-host >=99, but vgi-host {__version__} is installed" in (record.error or "")
    assert "install a vgi-host matching" in (record.remedy or "")
    assert record.traceback is None


# -------------------------------------------------------------- manifest ----


@pytest.fixture
def installed(tmp_path):
    """A fake .dist-info directory standing for one installation."""
    location = tmp_path / "vgi_pack_alpha-1.0.dist-info"
    location.mkdir()
    return location


def test_manifest_round_trip():
    manifest = PackManifest(
        "alpha", "vgi-pack-alpha", "1.0", ">=0.1", (FunctionEntry("f", "scalar", b"\x00\x01", DESCRIPTION),)
    )
    assert PackManifest.from_json(manifest.to_json()) == manifest
    assert PackManifest.from_json("{not json") is None
    assert PackManifest.from_json('{"format": 999}') is None


def test_cache_hit_serves_without_import_and_imports_on_first_use(tmp_path, installed):
    cache = ManifestCache(tmp_path / "cache")
    alpha = candidate("good", "alpha", installed)
    first = PackRegistry.load(Discovery((alpha,), ()), cache=cache).pack("alpha")
    assert first is not None
    assert first.from_cache is False
    assert len(list((tmp_path / "cache").glob("alpha-*.json"))) == 1

    second = PackRegistry.load(Discovery((alpha,), ()), cache=cache)
    record = second.pack("alpha")
    assert record is not None
    assert record.from_cache is True
    assert record.imported is False
    assert record.function_names == ["double", "shout"]
    _, definition = Router(second).find("alpha", "double")  # the first bind imports the pack
    assert definition.name == "double"
    assert record.imported is True


def test_reinstalling_invalidates_exactly_that_pack(tmp_path, installed):
    cache = ManifestCache(tmp_path / "cache")
    alpha = candidate("good", "alpha", installed)
    PackRegistry.load(Discovery((alpha,), ()), cache=cache)
    key = ManifestCache.key(alpha)
    os.utime(installed, ns=(1, 1))  # what a reinstall does to the .dist-info directory
    assert ManifestCache.key(alpha) != key
    assert cache.load(alpha) is None
    PackRegistry.load(Discovery((alpha,), ()), cache=cache)
    assert len(list((tmp_path / "cache").glob("alpha-*.json"))) == 1  # the stale manifest is gone


def test_editable_failed_and_dynamic_packs_are_not_cached(tmp_path, installed):
    cache = ManifestCache(tmp_path / "cache")
    editable = PackCandidate(
        "alpha", "tests.unit.fake_packs.good", "d", "1", (), str(installed), editable=True
    )
    assert ManifestCache.key(editable) is None
    PackRegistry.load(Discovery((candidate("import_error", "broken", installed),), ()), cache=cache)
    PackRegistry.load(Discovery((candidate("dynamic", "dyn", installed),), ()), cache=cache)
    assert list((tmp_path / "cache").glob("*.json")) == []


def test_a_cached_pack_that_no_longer_imports_fails_clearly_at_bind(tmp_path, installed):
    cache = ManifestCache(tmp_path / "cache")
    alpha = candidate("good", "alpha", installed)
    PackRegistry.load(Discovery((alpha,), ()), cache=cache)
    moved = PackCandidate(
        "alpha", "tests.unit.fake_packs.gone_away", "vgi-pack-alpha", "1.0", (), str(installed)
    )
    cache.store(moved, cache.load(alpha))  # same installation, but its module has vanished
    registry = PackRegistry.load(Discovery((moved,), ()), cache=cache)
    with pytest.raises(PackImportError, match=r"pack 'alpha' \(vgi-pack-alpha 1.0\) could not be imported"):
        Router(registry).find("alpha", "double")


# ----------------------------------------------------------------- check ----


def test_check_reports_docs_types_compatibility_and_conflicts():
    from vgi_host.host.checks import Severity, run_check

    discovery = Discovery(
        (
            candidate("undocumented", "sloppy"),
            candidate("good", "alpha", requires=["vgi-host>=0.1,<1"]),
            candidate("import_error", "broken"),
        ),
        (),
    )
    registry = PackRegistry.load(discovery, use_cache=False)
    report = run_check(registry, ["sloppy", "alpha"])
    assert [r.name for r in report.checked] == ["alpha", "sloppy"]
    messages = {(f.subject, f.severity, f.message) for f in report.findings}
    assert ("sloppy", Severity.ERROR, "declares no vgi-host version range") in messages
    assert ("sloppy.bare", Severity.ERROR, "has no description") in messages
    assert ("sloppy.bare", Severity.ERROR, "argument 'x' is undocumented") in messages
    assert ("sloppy.bare", Severity.ERROR, "argument 'x' has type duration[s], unknown to DuckDB") in messages
    assert ("alpha.double", Severity.WARNING, "function 'double' is also defined by sloppy") in messages
    assert ("alpha.double", Severity.WARNING, "has no examples") in messages
    assert not [f for f in report.for_pack("alpha") if f.severity is Severity.ERROR]
    assert all(f.remedy for f in report.findings)
    everything = run_check(registry)
    assert any(f.pack == "broken" and f.severity is Severity.ERROR for f in everything.findings)


def test_an_uninstalled_pack_disappears_and_its_manifest_is_never_consulted(tmp_path, installed):
    cache = ManifestCache(tmp_path / "cache")
    alpha = candidate("good", "alpha", installed)
    PackRegistry.load(Discovery((alpha,), ()), cache=cache)
    after_uninstall = PackRegistry.load(Discovery((), ()), cache=cache)  # discovery no longer finds it
    assert after_uninstall.records == ()
    assert after_uninstall.pack("alpha") is None
