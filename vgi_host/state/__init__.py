"""Per-execution aggregate state shared by every host process, on one machine or many.

Layering: this package sits just above ``sdk``/``protocol`` and imports
nothing from ``runtime``, ``host``, ``packs`` or ``catalog``.

* :mod:`~vgi_host.state.store` — the :class:`StateStore` contract (versioned
  executions, optimistic commits, TTL);
* :mod:`~vgi_host.state.config` — choosing a store by URL
  (``--state-store`` / ``$VGI_HOST_STATE_STORE``);
* :mod:`~vgi_host.state.sqlite`, :mod:`~vgi_host.state.redis`,
  :mod:`~vgi_host.state.postgres` — the backends (drivers imported lazily);
* :mod:`~vgi_host.state.codec` — states to one JSON/pickle payload per call;
* :mod:`~vgi_host.state.signing` — HMAC seals on every stored blob;
* :mod:`~vgi_host.state.private_files` — safe opening of the SQLite file.
"""

from vgi_host.state.store import (
    DEFAULT_TTL_SECONDS,
    Snapshot,
    StateStore,
    StateStoreError,
    UnknownExecutionError,
)

__all__ = ["DEFAULT_TTL_SECONDS", "Snapshot", "StateStore", "StateStoreError", "UnknownExecutionError"]
