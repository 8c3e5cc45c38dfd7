"""Optional bearer-token authentication for HTTP, through vgi-rpc's authenticate hook.

Tokens come from ``$VGI_BEARER_TOKENS`` (the reference SDK's variable and
format: comma-separated ``token=principal`` pairs) or a file with one
``token=principal`` per line (``#`` comments allowed), so secrets need not sit
in a process listing or a unit file.  ``/health`` stays open: vgi-rpc exempts
it, because load balancers probe it without credentials.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import falcon
    from vgi_rpc.rpc import AuthContext

BEARER_TOKENS_ENV = "VGI_BEARER_TOKENS"


class BearerTokenError(ValueError):
    """A malformed token entry; the message says where it came from and what is expected."""


def parse_token_entries(entries: list[str], source: str) -> dict[str, str]:
    """``token=principal`` entries -> {token: principal}; blank entries are ignored."""
    tokens: dict[str, str] = {}
    for number, raw in enumerate(entries, start=1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        token, sep, principal = entry.partition("=")
        token, principal = token.strip(), principal.strip()
        if not sep or not token or not principal:
            raise BearerTokenError(
                f"{source}, entry {number}: expected token=principal (e.g. s3cret=alice); "
                "the token itself may not contain '=' or ','"
            )
        tokens[token] = principal
    return tokens


def load_bearer_tokens(token_file: Path | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The tokens from ``token_file`` (if given) and ``$VGI_BEARER_TOKENS``; empty means no auth."""
    env = os.environ if environ is None else environ
    tokens: dict[str, str] = {}
    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            problem = exc.strerror or exc
            raise BearerTokenError(f"cannot read --bearer-tokens-file {token_file}: {problem}") from exc
        tokens.update(parse_token_entries(lines, f"--bearer-tokens-file {token_file}"))
    raw = env.get(BEARER_TOKENS_ENV, "")
    if raw.strip():
        tokens.update(parse_token_entries(raw.split(","), f"${BEARER_TOKENS_ENV}"))
    return tokens


def bearer_authenticator(tokens: Mapping[str, str]) -> Callable[[falcon.Request], AuthContext] | None:
    """vgi-rpc's constant-time static bearer check for ``tokens``, or None when there are none."""
    if not tokens:
        return None
    from vgi_rpc.http import bearer_authenticate_static
    from vgi_rpc.rpc import AuthContext

    contexts = {
        token: AuthContext(principal=principal, authenticated=True, domain="bearer")
        for token, principal in tokens.items()
    }
    return bearer_authenticate_static(tokens=contexts)
