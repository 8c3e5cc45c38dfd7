"""The transport options of ``vgi-host serve`` (argparse, to keep typer off the serve path).

Grouped so ``serve --help`` reads as: where to listen, what the HTTP server
enforces, then logging and pack selection.  Metavars say what to type
(``PATH``, ``[HOST:]PORT``, ``SECONDS``), never a Python type.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from vgi_host.transports.http_settings import DEFAULT_MAX_REQUEST_BYTES
from vgi_host.transports.tcp import parse_tcp_address


def _tcp_address(text: str) -> tuple[str, int]:
    try:
        return parse_tcp_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0 (0 never times out)")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _bytes(text: str) -> int:
    """A size like ``1048576``, ``64M``, ``1G`` (binary units); 0 means no limit."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    raw = text.strip().lower().removesuffix("ib").removesuffix("b")
    factor = units.get(raw[-1:], 1)
    number = raw[:-1] if raw[-1:] in units else raw
    try:
        value = int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a size like 1048576, 64M or 1G, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0 (0 means no limit)")
    return value


def add_transport_arguments(parser: argparse.ArgumentParser) -> None:
    """``--unix`` / ``--tcp`` / ``--http`` and the options that go with them."""
    where = parser.add_argument_group(
        "where to listen (default: stdin/stdout, as DuckDB's LOCATION 'vgi-host serve' runs it)"
    )
    choice = where.add_mutually_exclusive_group()
    choice.add_argument(
        "--unix",
        metavar="PATH",
        help="serve many clients on an AF_UNIX socket; prints UNIX:<path> (the launch: contract)",
    )
    choice.add_argument(
        "--tcp",
        metavar="[HOST:]PORT",
        type=_tcp_address,
        help="serve raw framing on TCP (HOST defaults to 127.0.0.1, PORT 0 picks one); prints "
        "TCP:<host>:<port>. No authentication: trusted networks only",
    )
    choice.add_argument(
        "--http",
        action="store_true",
        help="serve HTTP (vgi-rpc's WSGI app, landing page at /, GET /health); prints PORT:<n>",
    )
    idle_default = os.environ.get("VGI_RPC_IDLE_TIMEOUT")
    where.add_argument(
        "--idle-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=_seconds(idle_default) if idle_default else 0.0,
        help="--unix/--tcp: exit after this long with no client (default: $VGI_RPC_IDLE_TIMEOUT, "
        "else 0 = never; the launcher passes its own)",
    )
    where.add_argument(
        "--max-connections",
        metavar="N",
        type=_count,
        default=64,
        help="--unix/--tcp: clients served at once, more wait (default: 64, 0 = unlimited)",
    )

    http = parser.add_argument_group("HTTP (with --http)")
    http.add_argument("--host", metavar="HOST", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    http.add_argument(
        "--port",
        metavar="PORT",
        type=_count,
        default=int(os.environ.get("PORT", "8080")),
        help="port, 0 picks a free one (default: $PORT or 8080)",
    )
    http.add_argument(
        "--server",
        choices=["waitress", "granian"],
        default="waitress",
        help="HTTP server: waitress (one process, threads; default) or granian "
        "(N processes; pip install 'vgi-host[granian]')",
    )
    http.add_argument(
        "--workers",
        metavar="N",
        type=_count,
        default=1,
        help="worker processes (granian; needs a signing key when > 1). Default: 1",
    )
    http.add_argument(
        "--threads", metavar="N", type=_count, default=None, help="threads per process (default: server's)"
    )
    http.add_argument(
        "--signing-key-file",
        metavar="FILE",
        type=Path,
        default=None,
        help="secret that seals stream-state tokens; every replica needs the same one "
        "(default: $VGI_SIGNING_KEY; without either, one process only)",
    )
    http.add_argument(
        "--bearer-tokens-file",
        metavar="FILE",
        type=Path,
        default=None,
        help="require a bearer token: one token=principal per line (also $VGI_BEARER_TOKENS, "
        "comma-separated). /health stays open",
    )
    http.add_argument(
        "--max-request-bytes",
        metavar="SIZE",
        type=_bytes,
        default=DEFAULT_MAX_REQUEST_BYTES,
        help="largest request body accepted, e.g. 64M (default: 256M, 0 = no limit)",
    )
    http.add_argument(
        "--max-response-bytes",
        metavar="SIZE",
        type=_bytes,
        default=0,
        help="largest response body; streams continue in further turns (default: 0 = no limit)",
    )
    http.add_argument("--no-landing-page", action="store_true", help="do not serve the landing page at /")
