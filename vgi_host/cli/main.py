"""Console-script entry point: send `serve` down a lean path, everything else to typer.

DuckDB spawns one `vgi-host serve` per worker slot, so its start-up cost is paid
many times per query.  Importing typer and rich costs 100-200 ms here, more than
the rest of the serve path's own work, so `serve` is dispatched before they are
imported.  The typer app still lists `serve` in `vgi-host --help`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

EXIT_INTERRUPTED = 130


def _interrupts_are_exits(unraisable: Any, default: Any = sys.unraisablehook) -> None:
    """A Ctrl-C that lands in a callback Python cannot raise from (an import lock's, say).

    The interpreter would print it as "Exception ignored ... Traceback" and carry on, losing
    the interrupt; at start-up nothing is held that needs cleaning up, so exit 130 at once.
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        print("vgi-host: interrupted", file=sys.stderr, flush=True)
        os._exit(EXIT_INTERRUPTED)
    default(unraisable)


def main(argv: list[str] | None = None) -> None:
    """Run the `vgi-host` command line; Ctrl-C at any point exits 130 without a traceback."""
    args = sys.argv[1:] if argv is None else argv
    sys.unraisablehook = _interrupts_are_exits
    try:
        if args[:1] == ["serve"]:
            from vgi_host.cli.serve import serve_main

            sys.exit(serve_main(args[1:]))
        from vgi_host.cli.app import app

        # Bare `vgi-host` is a request for help, not a usage error: show it and exit 0.
        app(args=args or ["--help"], prog_name="vgi-host")
    except KeyboardInterrupt:
        print("vgi-host: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
