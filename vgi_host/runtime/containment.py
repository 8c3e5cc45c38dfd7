"""A backstop so that no protocol call can end the host through ``SystemExit``/``KeyboardInterrupt``.

The places that call pack code catch :data:`~vgi_host.errors.PACK_FAILURES`
and name the pack and function.  Pack code also runs in places that only
expect ordinary exceptions (a pack's bind hook, its cardinality estimate, its
constructor); vgi-rpc's dispatcher catches ``Exception`` only, so a
``sys.exit()`` there would still end the process.  :func:`contained` wraps
every protocol method of a service so that such an exit becomes an ordinary
error reply naming the method and, when the request carries one, the function.
"""

from __future__ import annotations

import functools
from typing import Any

from vgi_host.errors import FunctionError, describe_failure

__all__ = ["PackExitError", "contained"]


class PackExitError(FunctionError):
    """Pack code tried to end the process (``sys.exit``) or raised ``KeyboardInterrupt``.

    A :class:`~vgi_host.errors.FunctionError`: the pack's fault, logged like one.
    """


def _function_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    for value in (*args, *kwargs.values()):
        for holder in (value, getattr(value, "bind_call", None)):
            name = getattr(holder, "function_name", None)
            if isinstance(name, str):
                path = getattr(holder, "schema_path", None) or []
                return ".".join([*map(str, path), name])
    return None


def _guard(name: str, method: Any) -> Any:
    @functools.wraps(method)
    def guarded(self: object, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (SystemExit, KeyboardInterrupt) as exc:
            function = _function_of(args, kwargs)
            where = f"{function} ({name})" if function else name
            raise PackExitError(f"{where}: {describe_failure(exc)}") from exc

    return guarded


@functools.cache
def contained[S](cls: type[S], methods: frozenset[str]) -> type[S]:
    """A subclass of ``cls`` whose ``methods`` turn ``SystemExit``/``KeyboardInterrupt`` into an error."""
    wrapped = {name: _guard(name, getattr(cls, name)) for name in sorted(methods) if hasattr(cls, name)}
    return type(f"Contained{cls.__name__}", (cls,), wrapped)
