"""Which new groups an aggregate ``update`` left alone, so that they stay without a state.

The reference SDK persists a group's state only when ``update`` assigns one
to ``states[gid]``; a group whose inputs were all NULL (the function skipped
it) therefore reaches ``finalize`` with ``None``, and a sum answers NULL, as
SQL requires.  vgi-host also persists states mutated in place (the seed's
shape), which needs no assignment, only a lookup.  So the rule here is: a
group seen for the first time in this batch keeps no state when ``update``
neither assigned it nor looked it up.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, ValuesView
from typing import Any


class TrackedStates(dict[int, Any]):
    """The ``states`` dict handed to ``update``, remembering which groups the function used."""

    def __init__(self, states: dict[int, Any]) -> None:
        super().__init__(states)
        self.used: set[int] = set()
        self.everything_used = False

    def __getitem__(self, gid: int) -> Any:
        self.used.add(gid)
        return super().__getitem__(gid)

    def __setitem__(self, gid: int, state: Any) -> None:
        self.used.add(gid)
        super().__setitem__(gid, state)

    def get(self, gid: int, default: Any = None) -> Any:
        """Like ``dict.get``; counts as using the group."""
        self.used.add(gid)
        return super().get(gid, default)

    def setdefault(self, gid: int, default: Any = None) -> Any:
        """Like ``dict.setdefault``; counts as using the group."""
        self.used.add(gid)
        return super().setdefault(gid, default)

    def items(self) -> ItemsView[int, Any]:  # type: ignore[override]
        """Like ``dict.items``; iterating every state counts as using every group."""
        self.everything_used = True
        return super().items()

    def values(self) -> ValuesView[Any]:  # type: ignore[override]
        """Like ``dict.values``; counts as using every group."""
        self.everything_used = True
        return super().values()

    def unused(self, candidates: Iterable[int]) -> list[int]:
        """Those of ``candidates`` the function never looked up nor assigned."""
        if self.everything_used:
            return []
        return [gid for gid in candidates if gid not in self.used]
