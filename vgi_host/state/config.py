"""Choosing the state store by URL: ``--state-store`` / ``$VGI_HOST_STATE_STORE``.

=================================================  =====================================
URL                                                store
=================================================  =====================================
``sqlite:///abs/path.db`` (default: user state     :class:`~vgi_host.state.sqlite.SqliteStateStore`
dir, or ``$VGI_HOST_STATE_DB``)
``redis://[user:pass@]host:port/db``               :class:`~vgi_host.state.redis.RedisStateStore`
(``rediss://`` for TLS)                            (extra ``vgi-host[redis]``)
``postgresql://user@host:port/db``                 :class:`~vgi_host.state.postgres.PostgresStateStore`
                                                   (extra ``vgi-host[postgres]``)
=================================================  =====================================

Two query parameters are the host's own and are removed before the URL
reaches the driver: ``ttl`` (seconds an idle execution is kept) and, for the
networked stores, ``prefix`` (Redis key prefix) or ``schema`` (PostgreSQL
schema), so several independent deployments can share one server.

:func:`check_state_store` validates a URL at start-up without connecting or
importing a driver (a host that never runs an aggregate never pays for
them): a bad scheme, a missing driver (naming the extra to install) or a
networked store without a signing key stops ``serve`` with a clear message.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import weakref
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from vgi_host.protocol.wire import frozen_record
from vgi_host.state.signing import Signer, SigningKeyError, load_key
from vgi_host.state.store import DEFAULT_TTL_SECONDS, StateStore, StateStoreError

__all__ = [
    "STATE_STORE_ENV",
    "StateStoreConfigError",
    "StoreSettings",
    "check_state_store",
    "configure_state_store",
    "default_state",
    "open_state_store",
    "signer_for",
]

STATE_STORE_ENV: Final = "VGI_HOST_STATE_STORE"

_DRIVERS: Final = {
    "redis": (("redis",), "vgi-host[redis]"),
    "postgresql": (("psycopg", "psycopg_pool"), "vgi-host[postgres]"),
}
_SCHEMES: Final = {
    "sqlite": "sqlite",
    "redis": "redis",
    "rediss": "redis",
    "postgresql": "postgresql",
    "postgres": "postgresql",
}


class StateStoreConfigError(StateStoreError):
    """The state store URL, its driver or the signing key is unusable; the message says how to fix it."""


@frozen_record
class StoreSettings:
    """A validated store URL, split into what the host uses and what the driver gets."""

    backend: str
    """``sqlite``, ``redis`` or ``postgresql``."""
    driver_url: str
    """The URL for the driver, without the host's own query parameters."""
    ttl_seconds: float
    namespace: str | None
    """Redis key prefix or PostgreSQL schema (None: the default)."""
    sqlite_path: Path | None

    @property
    def networked(self) -> bool:
        """Whether other machines may write the store."""
        return self.backend != "sqlite"

    @property
    def display(self) -> str:
        """The URL without any password, for messages."""
        parts = urlsplit(self.driver_url)
        if parts.password:
            netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
            return urlunsplit(parts._replace(netloc=netloc))
        return self.driver_url


def check_state_store(url: str | None = None) -> StoreSettings:
    """Parse and validate *url* (default: ``$VGI_HOST_STATE_STORE``, else SQLite) without connecting."""
    text = url if url is not None else os.environ.get(STATE_STORE_ENV) or ""
    if not text:
        from vgi_host.state.sqlite import default_state_path

        return StoreSettings("sqlite", "", DEFAULT_TTL_SECONDS, None, default_state_path())
    parts = urlsplit(text)
    backend = _SCHEMES.get(parts.scheme.lower())
    if backend is None:
        raise StateStoreConfigError(
            f"unknown state store URL {text!r}: use sqlite:///path/to/file.db, "
            "redis://host:6379/0 or postgresql://user@host:5432/db"
        )
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    ttl = _ttl(query.pop("ttl", None), text)
    namespace = query.pop("prefix" if backend == "redis" else "schema", None)
    if namespace is not None and backend == "postgresql" and not namespace.isidentifier():
        raise StateStoreConfigError(f"state store schema {namespace!r} must be a plain SQL identifier")
    driver_url = urlunsplit(parts._replace(query=urlencode(query)))
    sqlite_path: Path | None = None
    if backend == "sqlite":
        if parts.netloc or not parts.path.startswith("/"):
            raise StateStoreConfigError(
                f"state store URL {text!r}: write an absolute path with three slashes, "
                "sqlite:///home/me/state.db"
            )
        sqlite_path = Path(parts.path)
    else:
        modules, extra = _DRIVERS[backend]
        missing = [name for name in modules if importlib.util.find_spec(name) is None]
        if missing:
            raise StateStoreConfigError(
                f"the {backend} state store needs {', '.join(missing)}: pip install '{extra}'"
            )
    settings = StoreSettings(backend, driver_url, ttl, namespace, sqlite_path)
    if settings.networked:
        try:
            load_key(networked=True)
        except SigningKeyError as exc:
            raise StateStoreConfigError(f"state store {settings.display}: {exc}") from exc
    return settings


def open_state_store(settings: StoreSettings) -> StateStore:
    """The store *settings* describe (connections are opened lazily, on first use)."""
    if settings.backend == "redis":
        from vgi_host.state.redis import RedisStateStore

        return RedisStateStore(
            settings.driver_url, key_prefix=settings.namespace, ttl_seconds=settings.ttl_seconds
        )
    if settings.backend == "postgresql":
        from vgi_host.state.postgres import PostgresStateStore

        return PostgresStateStore(
            settings.driver_url, schema=settings.namespace, ttl_seconds=settings.ttl_seconds
        )
    from vgi_host.state.sqlite import SqliteStateStore

    return SqliteStateStore(settings.sqlite_path, ttl_seconds=settings.ttl_seconds)


def _ttl(value: str | None, url: str) -> float:
    if value is None:
        return DEFAULT_TTL_SECONDS
    try:
        ttl = float(value)
    except ValueError:
        ttl = -1.0
    if not ttl > 0:
        raise StateStoreConfigError(f"state store URL {url!r}: ttl must be a positive number of seconds")
    return ttl


_configured: StoreSettings | None = None
_default: tuple[StateStore, Signer] | None = None
_lock = threading.Lock()


def configure_state_store(url: str | None) -> StoreSettings:
    """Validate the process's store URL now (``serve`` start-up); the store opens on first use."""
    global _configured, _default
    settings = check_state_store(url)
    with _lock:
        _configured = settings
        _default = None
    return settings


def default_state() -> tuple[StateStore, Signer]:
    """The process-wide store and its signer, created on the first call that needs them."""
    global _default
    with _lock:
        if _default is None:
            settings = _configured if _configured is not None else check_state_store()
            store = open_state_store(settings)
            _default = (store, signer_for(store))
        return _default


_signers: weakref.WeakKeyDictionary[StateStore, Signer] = weakref.WeakKeyDictionary()


def signer_for(store: StateStore) -> Signer:
    """The signer for blobs in *store* (see :mod:`vgi_host.state.signing` for where the key comes from).

    An on-machine store (SQLite) keeps its generated key next to its database
    file; a networked store needs ``$VGI_SIGNING_KEY`` or a key file.
    """
    signer = _signers.get(store)
    if signer is None:
        path = getattr(store, "path", None)
        try:
            signer = load_key(
                networked=store.networked,
                local_key_file=path.with_name("signing-key") if isinstance(path, Path) else None,
            )
        except SigningKeyError as exc:
            raise StateStoreConfigError(f"state store {store.location}: {exc}") from exc
        _signers[store] = signer
    return signer
