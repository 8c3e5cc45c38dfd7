"""What counts as "the pack's code failed": every exception, plus the two exits.

``sys.exit()`` inside a pack function raises ``SystemExit`` and a stray
``KeyboardInterrupt`` (a pack that raises it, or a Ctrl-C that lands while pack
code runs) is a ``BaseException`` too.  Caught with ``except Exception`` they
would end the whole host (exit 7, 130) and every query it serves, for a fault
in one function.  The host treats them like any other exception from pack
code: the call fails with a message naming the pack and function, and the
process keeps serving.  ``GeneratorExit`` is left alone: it is how Python
closes generators, not a failure.
"""

from __future__ import annotations

PACK_FAILURES: tuple[type[BaseException], ...] = (Exception, SystemExit, KeyboardInterrupt)
"""Catch these around a call into pack code (``except PACK_FAILURES as exc``)."""


def describe_failure(exc: BaseException) -> str:
    """``Type: message``, with a readable form for ``sys.exit(code)``."""
    if isinstance(exc, SystemExit):
        return f"SystemExit: the function called sys.exit({exc.code!r})"
    if isinstance(exc, KeyboardInterrupt):
        return "KeyboardInterrupt: the function was interrupted"
    return f"{type(exc).__name__}: {exc}"
