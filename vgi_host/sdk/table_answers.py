"""Accepting the reference SDK's answer types from table-function callbacks.

Reference-era code returns a ``BindResponse`` from ``on_bind`` and a
``TableCardinality`` from ``cardinality``; vgi-host's own shapes are a
``pa.Schema`` and an ``int | None``.  Both are accepted: these helpers turn
the reference's answers into the host's, so the rest of the host sees one
shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pyarrow as pa


def schema_of_bind_answer(answer: Any) -> Any:
    """The output schema inside an ``on_bind`` answer (a schema, or a BindResponse carrying one)."""
    if isinstance(answer, pa.Schema):
        return answer
    schema = getattr(answer, "output_schema", None)
    return schema if isinstance(schema, pa.Schema) else answer


def _estimate(answer: Any) -> int | None:
    if answer is None or isinstance(answer, int):
        return answer
    estimate = getattr(answer, "estimate", None)
    return estimate if isinstance(estimate, int) else None


def accept_reference_cardinality(cls: type) -> None:
    """Wrap a ``cardinality`` the class defines itself so it answers ``int | None``."""
    own = vars(cls).get("cardinality")
    if not isinstance(own, classmethod) or getattr(own.__func__, "__vgi_host_wrapped__", False):
        return
    original: Callable[..., Any] = own.__func__

    @functools.wraps(original)
    def cardinality(klass: type, params: Any) -> int | None:
        return _estimate(original(klass, params))

    cardinality.__vgi_host_wrapped__ = True  # type: ignore[attr-defined]
    setattr(cls, "cardinality", classmethod(cardinality))  # noqa: B010
