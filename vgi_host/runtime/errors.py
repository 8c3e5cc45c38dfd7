"""Errors the host raises on the wire, for calls it deliberately does not serve.

vgi-rpc turns an exception into an error batch carrying the exception's
``error_code`` (and ``error_kind`` when present); clients branch on those, and
the reference Python client additionally looks for the words "not implemented"
before falling back to an older method.
"""

from __future__ import annotations

from typing import ClassVar

from vgi_rpc import Code

from vgi_host.sdk.failures import describe_failure

__all__ = ["CatalogReadOnlyError", "FunctionError"]


class CatalogReadOnlyError(Exception):
    """A write or DDL call reached a catalog that only serves reads.

    ``FAILED_PRECONDITION`` rather than ``UNIMPLEMENTED``: the request is well
    formed, the catalog is just not in a state that allows it — the same code
    the reference SDK's read-only catalogs answer with.
    """

    error_code: ClassVar[Code] = Code.FAILED_PRECONDITION


class FunctionError(Exception):
    """A pack's function raised while running.

    The message starts with ``<pack>.<function>:`` and keeps the original
    exception's type and text, so the SQL user knows whom to ask.
    """

    @classmethod
    def wrapping(cls, qualified_name: str, exc: BaseException) -> FunctionError:
        """The error to raise (``from exc``) for a failure inside ``qualified_name``."""
        return cls(f"{qualified_name}: {describe_failure(exc)}")
