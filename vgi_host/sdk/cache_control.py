"""``CacheControl``: how long a function's results may be reused, as a pack declares it.

The reference SDK lets a function class set ``CACHE_CONTROL = CacheControl(...)``
so that the DuckDB extension may memoise its results.  vgi-host keeps the
declaration so ported code imports and loads unchanged; the host does not yet
advertise it on the wire (results are simply recomputed, which is always
correct).
"""

from __future__ import annotations

from dataclasses import dataclass

CACHE_SCOPE_CATALOG = "catalog"
"""Results may be reused across transactions of the same attached catalog."""
CACHE_SCOPE_TRANSACTION = "transaction"
"""Results may be reused only inside the transaction that produced them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheControl:
    """Freshness and validation hints for a function's results (all optional)."""

    ttl: int | None = None
    expires: str | None = None
    scope: str = CACHE_SCOPE_CATALOG
    no_store: bool = False
    etag: str | None = None
    last_modified: str | None = None
    revalidatable: bool = False
    stale_while_revalidate: int | None = None
    stale_if_error: int | None = None
    partition_scope: str | None = None
    per_value: bool = False
    not_modified: bool = False
    """A 0-row answer to a conditional request (``params.if_none_match``): the stored copy is current."""

    def __post_init__(self) -> None:
        if self.scope not in (CACHE_SCOPE_CATALOG, CACHE_SCOPE_TRANSACTION):
            raise ValueError(
                f"CacheControl.scope must be {CACHE_SCOPE_CATALOG!r} or {CACHE_SCOPE_TRANSACTION!r}; "
                f"got {self.scope!r}"
            )
        for name in ("ttl", "stale_while_revalidate", "stale_if_error"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"CacheControl.{name} must not be negative; got {value}")
