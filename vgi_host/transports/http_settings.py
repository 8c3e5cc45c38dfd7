"""What ``serve --http`` was asked for, as plain data every worker process can rebuild from.

granian starts its worker processes itself and each builds its own WSGI app, so
the settings travel to them through one environment variable as JSON.  Secrets
do not: the signing key and bearer tokens are re-read in each process from the
same file or environment variable the parent used.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

SETTINGS_ENV = "VGI_HOST_HTTP_SETTINGS"

DEFAULT_MAX_REQUEST_BYTES = 256 << 20
"""256 MiB: far above any batch DuckDB sends, low enough that a runaway body cannot exhaust memory."""


@dataclass(frozen=True)
class HttpSettings:
    """Options of one HTTP deployment (all processes of one ``serve --http``)."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    server: str = "waitress"
    threads: int | None = None
    signing_key_file: str | None = None
    bearer_tokens_file: str | None = None
    max_request_bytes: int | None = DEFAULT_MAX_REQUEST_BYTES
    max_response_bytes: int | None = None
    landing_page: bool = True
    selection: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments for ``resolve_selection`` (pack allow/deny lists, strict, config file)."""
    use_cache: bool = True

    def to_json(self) -> str:
        """The settings as JSON, for :data:`SETTINGS_ENV`."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_environment(cls) -> HttpSettings:
        """Read the settings a parent ``serve --http`` exported for its worker processes."""
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            raise RuntimeError(f"${SETTINGS_ENV} is not set: `vgi-host serve --http` starts this factory")
        return cls(**json.loads(raw))
