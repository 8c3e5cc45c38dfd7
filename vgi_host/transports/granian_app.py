"""The app factory each granian worker process calls (``vgi_host.transports.granian_app:app_factory``).

Each worker is a fresh interpreter: it resolves pack selection, loads the
registry from the manifest cache, and builds the same WSGI app the parent
would, from the settings exported in ``$VGI_HOST_HTTP_SETTINGS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def app_factory() -> Any:
    """Build this worker process's WSGI app."""
    from vgi_host.host.registry import PackRegistry
    from vgi_host.packs.selection import resolve_selection
    from vgi_host.runtime.server import build_server
    from vgi_host.transports.http import build_wsgi_app
    from vgi_host.transports.http_settings import HttpSettings

    settings = HttpSettings.from_environment()
    chosen = dict(settings.selection)
    selection = resolve_selection(
        enable=chosen.get("enable") or None,
        disable=chosen.get("disable") or None,
        strict=chosen.get("strict"),
        config=Path(chosen["config"]) if chosen.get("config") else None,
    )
    registry = PackRegistry.load(selection=selection, use_cache=settings.use_cache)
    server, _ = build_server(registry)
    return build_wsgi_app(server, registry, settings)
