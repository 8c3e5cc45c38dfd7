"""A service that answers every call with the reason the host refused to start.

Under ``--strict`` a pack that fails to load is a start-up error.  Exiting at
once leaves the client with nothing but a transport error ("tried reading
schema message"), and the reason only on a stderr DuckDB may not show.  So the
host serves this instead: every protocol method raises
:class:`StartupRefusedError` carrying the reason, which vgi-rpc sends as an
ordinary error reply, and the process exits non-zero when the client goes.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, NoReturn

from vgi_rpc import Code

from vgi_host.runtime.refusals import RefusingMethods

__all__ = ["StartupRefusedError", "startup_refusal"]


class StartupRefusedError(Exception):
    """The host did not start serving; the message says why and what to do."""

    error_code: ClassVar[Code] = Code.FAILED_PRECONDITION


def _refusing(name: str, template: Any) -> Any:
    def refuse(self: _RefusalBase, *args: object, **kwargs: object) -> NoReturn:
        raise StartupRefusedError(self.reason)

    refuse.__name__ = name
    refuse.__qualname__ = f"StartupRefusal.{name}"
    refuse.__doc__ = template.__doc__
    refuse.__annotations__ = dict(template.__annotations__)
    refuse.__signature__ = inspect.signature(template)  # type: ignore[attr-defined]
    return refuse


class _RefusalBase(RefusingMethods):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _protocol_methods() -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(RefusingMethods).items()
        if callable(value) and not name.startswith("_")
    }


StartupRefusal: type[_RefusalBase] = type(
    "StartupRefusal",
    (_RefusalBase,),
    {name: _refusing(name, method) for name, method in _protocol_methods().items()},
)


def startup_refusal(reason: str) -> RefusingMethods:
    """An implementation of the whole protocol that refuses every call with ``reason``."""
    return StartupRefusal(reason)
