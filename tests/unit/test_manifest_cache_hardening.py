"""The manifest cache believes only well-formed, private files of this user (issue 14, items 2, 7-10)."""

import importlib.metadata
import json
import os
import stat
import sys
from importlib.metadata import EntryPoint

import pytest

from vgi_host.catalog import cache_files
from vgi_host.catalog.manifest import ManifestCache, PackManifest
from vgi_host.host.registry import PackRegistry
from vgi_host.model.records import PackStatus
from vgi_host.packs import discovery as discovery_module
from vgi_host.packs.discovery import Discovery, PackCandidate


def candidate(name: str, location) -> PackCandidate:
    return PackCandidate(
        name, "tests.unit.fake_packs.good", f"vgi-pack-{name.lower()}", "1.0", (), str(location)
    )


@pytest.fixture
def installed(tmp_path):
    location = tmp_path / "vgi_pack_alpha-1.0.dist-info"
    location.mkdir()
    return location


def load(cache, *candidates):
    return PackRegistry.load(Discovery(tuple(candidates), ()), cache=cache)


def only_manifest(directory):
    (path,) = directory.glob("*.json")
    return path


# ---------------------------------------------------------------- item 2 ----


def _valid(tmp_path, installed):
    cache = ManifestCache(tmp_path / "cache")
    alpha = candidate("alpha", installed)
    load(cache, alpha)
    path = only_manifest(tmp_path / "cache")
    return cache, alpha, path, json.loads(path.read_text())


def _mutations(valid):
    def with_(**changes):
        return json.dumps({**valid, **changes})

    function = valid["functions"][0]
    return {
        "list": "[]",
        "null": "null",
        "string": '"manifest"',
        "number": "42",
        "functions not a list": with_(functions={"a": 1}),
        "function not an object": with_(functions=["double"]),
        "description a string": with_(functions=[{**function, "description": "doubles"}]),
        "unknown kind": with_(functions=[{**function, "kind": "window"}]),
        "info not base64": with_(functions=[{**function, "info": "%%% not base64 %%%"}]),
        "info a number": with_(functions=[{**function, "info": 7}]),
        "pack a list": with_(pack=["alpha"]),
        "tables not a list": with_(tables="none"),
        "views of strings": with_(views=["v"]),
        "declared range a number": with_(declared_host_range=1),
        "deep nesting": "[" * 100_000 + "]" * 100_000,
        "not utf-8": b"\xff\xfe{}".decode("latin-1"),
    }


def test_every_wrong_shape_is_a_miss_that_is_recaptured_and_rewritten(tmp_path, installed):
    cache, alpha, path, valid = _valid(tmp_path, installed)
    for label, text in _mutations(valid).items():
        path.write_text(text, encoding="latin-1" if label == "not utf-8" else "utf-8")
        record = load(cache, alpha).pack("alpha")
        assert record is not None, label
        assert record.status is PackStatus.LOADED, label
        assert record.from_cache is False, label
        assert record.function_names == ["double", "shout"], label
        rewritten = only_manifest(tmp_path / "cache")
        assert PackManifest.from_json(rewritten.read_text()) is not None, label
        again = load(cache, alpha).pack("alpha")
        assert again is not None, label
        assert again.from_cache is True, label


# ---------------------------------------------------------------- item 8 ----


def test_cache_directory_is_created_private_even_under_umask_000(tmp_path, installed):
    old = os.umask(0)
    try:
        load(ManifestCache(tmp_path / "a" / "b" / "cache"), candidate("alpha", installed))
    finally:
        os.umask(old)
    for directory in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "cache"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert stat.S_IMODE(only_manifest(tmp_path / "a" / "b" / "cache").stat().st_mode) == 0o600


def test_an_existing_world_writable_cache_directory_is_tightened(tmp_path, installed):
    directory = tmp_path / "cache"
    directory.mkdir()
    directory.chmod(0o777)
    load(ManifestCache(directory), candidate("alpha", installed))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666], ids=oct)
def test_a_manifest_writable_by_others_is_ignored(tmp_path, installed, mode):
    cache, alpha, path, _ = _valid(tmp_path, installed)
    assert cache.load(alpha) is not None
    path.chmod(mode)  # a well-formed manifest that someone else could have written
    assert cache.load(alpha) is None
    record = load(cache, alpha).pack("alpha")
    assert record is not None
    assert record.from_cache is False


def test_a_manifest_owned_by_someone_else_is_ignored(tmp_path, installed, monkeypatch):
    cache, alpha, path, _ = _valid(tmp_path, installed)
    assert cache.load(alpha) is not None
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)  # the same file, seen by another user
    assert cache.load(alpha) is None


def test_a_symlinked_manifest_is_not_followed(tmp_path, installed):
    cache, alpha, path, valid = _valid(tmp_path, installed)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(valid))
    path.unlink()
    path.symlink_to(elsewhere)
    assert cache.load(alpha) is None


# ---------------------------------------------------------------- item 9 ----


def test_a_pack_name_with_path_characters_never_reaches_the_file_system(tmp_path, installed):
    cache = ManifestCache(tmp_path / "deep" / "cache")
    hostile = PackCandidate("../../x", "tests.unit.fake_packs.good", "vgi-pack-x", "1.0", (), str(installed))
    key = ManifestCache.key(hostile)
    assert key is not None
    manifest = PackManifest("../../x", "vgi-pack-x", "1.0", None, ())
    for stem in ("../../x", f"../../x-{cache_files.environment_tag()}"):  # old and new naming
        planted = tmp_path / "deep" / "cache" / f"{stem}-{key}.json"
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.resolve().write_text(manifest.to_json())
    assert cache.load(hostile) is None
    cache.store(hostile, manifest)
    assert not (tmp_path / "deep" / "cache").exists() or list((tmp_path / "deep" / "cache").glob("*")) == []
    record = PackRegistry.load(Discovery((hostile,), ()), cache=cache).records[0]
    assert record.status is PackStatus.FAILED
    assert "not a valid SQL identifier" in (record.error or "")


# --------------------------------------------------------------- item 10 ----


def test_two_environments_sharing_the_cache_keep_their_own_manifests(tmp_path, monkeypatch):
    cache = ManifestCache(tmp_path / "cache")
    envs = {}
    for env in ("venv-a", "venv-b"):
        location = tmp_path / env / "vgi_pack_alpha-1.0.dist-info"
        location.mkdir(parents=True)
        envs[env] = candidate("alpha", location)
    for _ in range(3):  # alternate, as two projects' hosts would
        for env, alpha in envs.items():
            monkeypatch.setattr(sys, "prefix", str(tmp_path / env))
            load(cache, alpha)
    for env, alpha in envs.items():
        monkeypatch.setattr(sys, "prefix", str(tmp_path / env))
        record = load(cache, alpha).pack("alpha")
        assert record is not None, env
        assert record.from_cache is True, env


# ---------------------------------------------------------------- item 7 ----


def test_pack_names_differing_only_in_case_are_a_reported_conflict(monkeypatch):
    points = [
        EntryPoint("Dup", "tests.unit.fake_packs.good", "vgi.functions"),
        EntryPoint("dup", "tests.unit.fake_packs.good", "vgi.functions"),
    ]
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: points)
    found = discovery_module.discover()
    assert found.candidates == ()
    (clash,) = found.clashes
    assert {c.name for c in clash.claimants} == {"Dup", "dup"}
    assert "differ only in case" in clash.message
    registry = PackRegistry.load(found, use_cache=False)
    assert [r.status for r in registry.records] == [PackStatus.FAILED, PackStatus.FAILED]
    assert registry.pack("dup") is None
    assert registry.pack("Dup") is None
