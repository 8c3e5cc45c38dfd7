"""``TaggedUnion``: how a UNION-typed argument reaches pack code (its member name and value)."""

from __future__ import annotations

from typing import Any

from vgi_host.protocol.wire import frozen_record


@frozen_record
class TaggedUnion:
    """The active member's field name (``tag``) and its Python value."""

    tag: str
    value: Any


class AnyArrow:
    """Annotation for an argument of any Arrow type (narrowed with ``type_bound``)."""
