"""Every error vgi-host sends over the wire, with the code a client can branch on.

vgi-rpc turns a raised exception into an error reply carrying the exception's
``error_code`` class attribute; clients (DuckDB, the reference Python client)
decide from that code whether the user, the pack or the host has to act, and
the reference client also looks for the words "not implemented" before falling
back to an older method.  Keeping every such error here gives one table of
codes instead of five modules that each picked their own:

============================  =====================  ==================================
error                         code                   who acts
============================  =====================  ==================================
``FunctionDefinitionError``   (never on the wire)    the pack author, at registration
``BindError``                 ``INVALID_ARGUMENT``   the SQL user: the call does not fit
``RoutingError``              ``NOT_FOUND``          the SQL user: no such pack/function
``PackImportError``           ``FAILED_PRECONDITION`` the operator: a served pack is broken
``CatalogReadOnlyError``      ``FAILED_PRECONDITION`` nobody: writes are not served
``FunctionError``             ``INTERNAL``           the pack author: their code raised
``StateStoreError``           ``INTERNAL``           the operator: shared state unreachable
============================  =====================  ==================================

Codes are plain strings (vgi-rpc parses them) so that importing this module -
which every pack does through ``vgi_host.BindError`` - never imports the RPC
framework.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BindError",
    "CatalogReadOnlyError",
    "FunctionDefinitionError",
    "FunctionError",
    "PackImportError",
    "RoutingError",
    "StateStoreError",
]


class FunctionDefinitionError(TypeError):
    """A function class cannot be registered: its signature or ``Meta`` is invalid.

    Raised while a pack loads, so it ends in the pack's FAILED record (with a
    remedy) rather than on the wire.
    """


class BindError(ValueError):
    """A call does not fit the function: wrong column count, type, or constant value."""

    error_code: ClassVar[str] = "INVALID_ARGUMENT"


class RoutingError(LookupError):
    """A call names a pack or function this host does not serve; the message says what exists."""

    error_code: ClassVar[str] = "NOT_FOUND"


class PackImportError(RuntimeError):
    """A pack served from its cached manifest could not be imported when a call needed it."""

    error_code: ClassVar[str] = "FAILED_PRECONDITION"


class CatalogReadOnlyError(Exception):
    """A write or DDL call reached a catalog that only serves reads.

    ``FAILED_PRECONDITION`` rather than ``UNIMPLEMENTED``: the request is well
    formed, the catalog is just not in a state that allows it - the code the
    reference SDK's read-only catalogs answer with.
    """

    error_code: ClassVar[str] = "FAILED_PRECONDITION"


class FunctionError(Exception):
    """A pack's function raised while running.

    The message is ``<pack>.<function>: <ExceptionType>: <original message>``:
    the original text is kept unchanged, prefixed by whom to ask.
    """

    error_code: ClassVar[str] = "INTERNAL"

    @classmethod
    def wrapping(cls, qualified_name: str, exc: BaseException, what: str | None = None) -> FunctionError:
        """The error to raise (``from exc``) for a failure inside ``qualified_name`` (in ``what``)."""
        where = f"{qualified_name}: {what} raised" if what else f"{qualified_name}:"
        return cls(f"{where} {type(exc).__name__}: {exc}")


class StateStoreError(Exception):
    """The shared state store failed (locked, unreachable, corrupt, foreign-owned).

    ``INTERNAL``, not the transient ``UNAVAILABLE``: a client that retried an
    aggregate update on a transient code could fold the same batch in twice.
    """

    error_code: ClassVar[str] = "INTERNAL"
