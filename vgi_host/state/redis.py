"""State store on Redis (``redis://``): one hash per execution, Lua scripts for atomicity.

Each execution is one hash ``<prefix><execution id hex>`` with the fields
``bind``, ``version``, ``base_version``, ``base`` and ``s:<n>`` per segment.
Reads and commits are Lua scripts, which Redis runs atomically: a commit
checks the version and writes in one step, so two replicas committing the
same execution at once cannot both succeed (the loser re-reads and retries,
see :mod:`vgi_host.state.store`).  Every call refreshes the key's expiry
(``PEXPIRE``), so an idle execution disappears by itself after the TTL and
nothing needs purging.  One key per execution also keeps every script on a
single slot, as Redis Cluster requires.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from vgi_host.state.store import DEFAULT_TTL_SECONDS, Snapshot, StateStoreError, UnknownExecutionError

if TYPE_CHECKING:
    import redis

__all__ = ["DEFAULT_PREFIX", "RedisStateStore"]

logger = logging.getLogger(__name__)

DEFAULT_PREFIX: Final = "vgi-host:agg:"

_READ: Final = """
local v = redis.call('HMGET', KEYS[1], 'version', 'base_version')
if not v[1] then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local version = tonumber(v[1])
local since = tonumber(ARGV[1])
if since > version then since = 0 end
local base = false
local bv = tonumber(v[2])
if bv > since then
  base = redis.call('HGET', KEYS[1], 'base')
  since = bv
end
local segments = {}
for i = since + 1, version do segments[#segments + 1] = redis.call('HGET', KEYS[1], 's:' .. i) end
local bind = false
if ARGV[2] == '1' then bind = redis.call('HGET', KEYS[1], 'bind') end
return {version, base, segments, bind}
"""

_COMMIT: Final = """
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return -1 end
local version = tonumber(v)
if version ~= tonumber(ARGV[1]) then return 0 end
local new = version + 1
if ARGV[3] == '1' then
  local bv = tonumber(redis.call('HGET', KEYS[1], 'base_version'))
  for i = bv + 1, version do redis.call('HDEL', KEYS[1], 's:' .. i) end
  redis.call('HSET', KEYS[1], 'base', ARGV[2], 'base_version', new, 'version', new)
else
  redis.call('HSET', KEYS[1], 's:' .. new, ARGV[2], 'version', new)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""


class RedisStateStore:
    """A :class:`~vgi_host.state.store.StateStore` on a Redis server (redis-py)."""

    def __init__(
        self, url: str, *, key_prefix: str | None = None, ttl_seconds: float = DEFAULT_TTL_SECONDS
    ) -> None:
        self._url = url
        self._prefix = key_prefix if key_prefix is not None else DEFAULT_PREFIX
        self._ttl_ms = max(1, int(ttl_seconds * 1000))
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._read_script: Any = None
        self._commit_script: Any = None

    @property
    def location(self) -> str:
        """Where the states live, for messages (no password)."""
        from urllib.parse import urlsplit

        parts = urlsplit(self._url)
        host = parts.hostname or "localhost"
        return f"{parts.scheme}://{host}:{parts.port or 6379}{parts.path} (prefix {self._prefix!r})"

    @property
    def networked(self) -> bool:
        """Whether other machines may write this store."""
        return True

    def create(self, execution_id: bytes, bind: bytes) -> None:
        """Record a new execution at version 0 with its sealed bind request."""
        key = self._key(execution_id)
        client = self._connect()

        def create() -> None:
            pipe = client.pipeline(transaction=True)
            pipe.hset(key, mapping={"bind": bind, "version": 0, "base_version": 0})
            pipe.pexpire(key, self._ttl_ms)
            pipe.execute()

        self._run(create)

    def read(self, execution_id: bytes, since: int, *, with_bind: bool = False) -> Snapshot:
        """What changed after version *since* (see StateStore.read)."""
        self._connect()
        key = self._key(execution_id)
        reply = self._run(lambda: self._read_script(keys=[key], args=[since, int(with_bind), self._ttl_ms]))
        if reply is None:
            raise UnknownExecutionError(self._unknown(execution_id))
        version, base, segments, bind = reply
        return Snapshot(int(version), base, tuple(segments), bind)

    def commit(self, execution_id: bytes, expected_version: int, blob: bytes, *, replace: bool) -> bool:
        """Write version ``expected_version + 1`` if nobody else did first (see StateStore.commit)."""
        self._connect()
        key = self._key(execution_id)
        result = self._run(
            lambda: self._commit_script(keys=[key], args=[expected_version, blob, int(replace), self._ttl_ms])
        )
        if result == -1:
            raise UnknownExecutionError(self._unknown(execution_id))
        return bool(result == 1)

    def drop(self, execution_id: bytes) -> None:
        """Delete the execution; log and swallow failures (the TTL removes leftovers)."""
        try:
            client = self._connect()
            self._run(lambda: client.delete(self._key(execution_id)))
        except Exception:
            logger.warning(
                "could not drop aggregate execution %s from %s; it expires after the TTL",
                bytes(execution_id).hex(),
                self.location,
                exc_info=True,
            )

    def purge_idle(self, seconds: float, *, limit: int = 500) -> int:
        """Nothing to do: Redis expires idle executions itself (``PEXPIRE`` on every call)."""
        return 0

    def close(self) -> None:
        """Release this process's connections; the stored states stay."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None

    def delete_all(self) -> int:
        """Delete every key under this store's prefix (tests and ``reset``); return how many."""
        client = self._connect()
        keys = list(client.scan_iter(match=f"{self._prefix}*", count=1000))
        return int(client.delete(*keys)) if keys else 0

    # -- internals -------------------------------------------------------------------------

    def _key(self, execution_id: bytes) -> str:
        return self._prefix + bytes(execution_id).hex()

    def _connect(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                import redis

                try:
                    client = redis.Redis.from_url(self._url, socket_timeout=30, health_check_interval=30)
                except ValueError as exc:
                    raise StateStoreError(f"bad Redis state store URL: {exc}") from exc
                self._read_script = client.register_script(_READ)
                self._commit_script = client.register_script(_COMMIT)
                self._client = client
            return self._client

    def _run(self, call: Callable[[], Any]) -> Any:
        import redis

        try:
            return call()
        except redis.RedisError as exc:
            raise StateStoreError(f"aggregate state store {self.location}: {exc}") from exc

    def _unknown(self, execution_id: bytes) -> str:
        return (
            f"unknown aggregate execution {bytes(execution_id).hex()} in {self.location} "
            "(never bound, already destroyed, or idle for longer than the TTL)"
        )
