"""Choosing the store by URL and loading the signing key: every refusal says what to do."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vgi_host.state import config
from vgi_host.state.config import StateStoreConfigError, check_state_store, open_state_store
from vgi_host.state.postgres import PostgresStateStore
from vgi_host.state.redis import RedisStateStore
from vgi_host.state.signing import KEY_ENV, KEY_FILE_ENV, BlobRefusedError, Signer, SigningKeyError, load_key
from vgi_host.state.sqlite import SqliteStateStore

KEY = "k" * 32


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (KEY_ENV, KEY_FILE_ENV, config.STATE_STORE_ENV):
        monkeypatch.delenv(name, raising=False)


def test_default_is_sqlite_at_the_state_db_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VGI_HOST_STATE_DB", str(tmp_path / "s.db"))
    settings = check_state_store(None)
    assert (settings.backend, settings.sqlite_path, settings.networked) == (
        "sqlite",
        tmp_path / "s.db",
        False,
    )
    store = open_state_store(settings)
    assert isinstance(store, SqliteStateStore)
    assert store.path == tmp_path / "s.db"


def test_the_environment_variable_chooses_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(config.STATE_STORE_ENV, "redis://127.0.0.1:6379/3?prefix=p:&ttl=60")
    settings = check_state_store(None)
    assert (settings.backend, settings.namespace, settings.ttl_seconds) == ("redis", "p:", 60.0)
    assert settings.driver_url == "redis://127.0.0.1:6379/3"  # the host's own parameters removed
    assert isinstance(open_state_store(settings), RedisStateStore)


def test_postgres_url_and_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    settings = check_state_store("postgresql://me@db:5432/x?schema=agg_states&sslmode=require")
    assert (settings.backend, settings.namespace) == ("postgresql", "agg_states")
    assert settings.driver_url == "postgresql://me@db:5432/x?sslmode=require"
    assert isinstance(open_state_store(settings), PostgresStateStore)
    with pytest.raises(StateStoreConfigError, match="plain SQL identifier"):
        check_state_store("postgresql://me@db/x?schema=a;drop")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/x", r"unknown state store URL .*sqlite:///.*redis://.*postgresql://"),
        ("sqlite://relative.db", "absolute path with three slashes"),
        ("sqlite:///tmp/x.db?ttl=0", "ttl must be a positive number"),
        ("sqlite:///tmp/x.db?ttl=soon", "ttl must be a positive number"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(StateStoreConfigError, match=message):
        check_state_store(url)


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [
        ("redis://h:6379/0", "redis", "vgi-host[redis]"),
        ("postgresql://u@h/d", "psycopg_pool", "vgi-host[postgres]"),
    ],
)
def test_a_missing_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, url: str, module: str, extra: str
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a)
    )
    with pytest.raises(
        StateStoreConfigError, match=rf"needs {module}: pip install '{extra}'".replace("[", r"\[")
    ):
        check_state_store(url)


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "postgresql://postgres@127.0.0.1/test"])
def test_a_networked_store_without_a_key_is_refused(url: str) -> None:
    with pytest.raises(StateStoreConfigError, match=rf"signing key shared by every host: set {KEY_ENV}"):
        check_state_store(url)


def test_serve_refuses_to_start_without_a_key_for_a_networked_store(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (KEY_ENV, KEY_FILE_ENV)}
    env["VGI_HOST_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "-m", "vgi_host", "serve", "--state-store", "redis://127.0.0.1:6379/0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert f"set {KEY_ENV}" in result.stderr
    assert "Traceback" not in result.stderr


# -- signing ---------------------------------------------------------------------------------------


def test_seal_and_open_round_trip_and_bind_to_execution_and_purpose() -> None:
    signer = Signer(KEY.encode(), "test")
    sealed = signer.seal(b"e" * 16, b"states", b"payload")
    assert signer.open(b"e" * 16, b"states", sealed) == b"payload"
    with pytest.raises(BlobRefusedError, match="66" * 16):
        signer.open(b"f" * 16, b"states", sealed)
    with pytest.raises(BlobRefusedError, match="signature does not match"):
        signer.open(b"e" * 16, b"bind", sealed)
    with pytest.raises(BlobRefusedError, match="signature does not match"):
        Signer(b"another key of 32 bytes ........", "other").open(b"e" * 16, b"states", sealed)
    with pytest.raises(BlobRefusedError, match="unsigned"):
        signer.open(b"e" * 16, b"states", b"Ppickled")


def test_keys_from_the_environment_and_from_a_private_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    assert load_key(networked=True).source == f"${KEY_ENV}"
    monkeypatch.delenv(KEY_ENV)
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    signer = load_key(networked=True)
    assert signer.open(b"x", b"p", Signer(KEY.encode(), "same").seal(b"x", b"p", b"d")) == b"d"
    key_file.chmod(0o640)
    with pytest.raises(SigningKeyError, match="nobody else can read"):
        load_key(networked=True)


def test_short_keys_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(SigningKeyError, match="shorter than 16 bytes"):
        load_key(networked=True)


def test_a_local_store_generates_a_private_key_once(tmp_path: Path) -> None:
    path = tmp_path / "state" / "signing-key"
    first = load_key(networked=False, local_key_file=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_key(networked=False, local_key_file=path)
    assert second.open(b"e", b"p", first.seal(b"e", b"p", b"same key")) == b"same key"


def test_no_key_is_generated_in_a_directory_others_can_write(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with pytest.raises(SigningKeyError, match="must belong to you and not be writable by group or others"):
        load_key(networked=False, local_key_file=shared / "signing-key")
    assert not (shared / "signing-key").exists()
