"""The key that seals HTTP stream-state tokens.

Over HTTP every turn of a stream is a separate request that carries its state
as a token sealed by the server.  Any process that may receive the next turn
must open that token, so every replica and every worker process needs the same
key.  A per-process random key works with one process and fails intermittently
with more (whenever a turn lands on another process), which is why more than
one worker without a configured key is refused rather than warned about.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("vgi_host.transports")

SIGNING_KEY_ENV = "VGI_SIGNING_KEY"
"""The ecosystem's name for the shared key (the reference SDK reads the same variable)."""

MIN_KEY_BYTES = 16


class SigningKeyError(ValueError):
    """The configured key is unusable, or absent where one is required."""


@dataclass(frozen=True)
class SigningKey:
    """A resolved key and where it came from (for the startup log)."""

    key: bytes
    source: str
    shared: bool
    """False for a key minted for this process alone."""


def _from_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SigningKeyError(f"cannot read --signing-key-file {path}: {exc.strerror or exc}") from exc
    return text.strip().encode()


def resolve_signing_key(
    key_file: Path | None, *, processes: int, environ: Mapping[str, str] | None = None
) -> SigningKey:
    """The key from ``key_file``, else ``$VGI_SIGNING_KEY``, else a per-process one when allowed.

    ``processes`` is how many worker processes will serve this address; with
    more than one, a missing key is an error.
    """
    env = os.environ if environ is None else environ
    if key_file is not None:
        key, source = _from_file(key_file), f"--signing-key-file {key_file}"
    elif env.get(SIGNING_KEY_ENV):
        key, source = env[SIGNING_KEY_ENV].strip().encode(), f"${SIGNING_KEY_ENV}"
    else:
        if processes > 1:
            raise SigningKeyError(
                f"refusing to start {processes} HTTP worker processes without a shared signing key: "
                "each would seal stream-state tokens with its own random key, and every stream turn "
                "that lands on another process would fail. Set "
                f"{SIGNING_KEY_ENV} (or --signing-key-file) to the same secret on every process and "
                "replica, e.g. "
                f"export {SIGNING_KEY_ENV}=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        log.warning(
            "no %s configured: stream-state tokens are sealed with a key for this process only. "
            "Fine for one process; set %s to the same secret on every replica behind a load balancer.",
            SIGNING_KEY_ENV,
            SIGNING_KEY_ENV,
        )
        return SigningKey(key=os.urandom(32), source="random, this process only", shared=False)
    if len(key) < MIN_KEY_BYTES:
        raise SigningKeyError(
            f"the signing key from {source} is {len(key)} bytes; use at least {MIN_KEY_BYTES} "
            "(32 random bytes, e.g. secrets.token_urlsafe(32))"
        )
    return SigningKey(key=key, source=source, shared=True)
