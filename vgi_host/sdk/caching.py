"""One definition per function class, computed on first use.

Every kind's ``definition()`` reads the class once (annotations, ``Meta``) and
keeps the result on the class itself — in its own ``__dict__``, so a subclass
never inherits its parent's definition.
"""

from __future__ import annotations

from collections.abc import Callable

_ATTRIBUTE = "_vgi_host_definition"


def cached_definition[D](owner: type, definition_type: type[D], build: Callable[[], D]) -> D:
    """``owner``'s cached definition, building and storing it the first time."""
    cached = owner.__dict__.get(_ATTRIBUTE)
    if isinstance(cached, definition_type):
        return cached
    definition = build()
    type.__setattr__(owner, _ATTRIBUTE, definition)
    return definition
