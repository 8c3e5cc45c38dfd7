"""``Worker``, ``Catalog`` and ``Schema``: the reference SDK's way to group functions into a worker.

A vgi-python worker script is a ``Worker`` subclass whose ``catalog`` lists
schemas of functions (or, in older code, a bare ``functions`` list).  Ported
by the import rule, such a class can itself be a pack: the ``vgi.functions``
entry point names the class instead of a module with hooks (see
:mod:`vgi_host.packs.worker_packs`).  ``Schema`` accepts both generations'
spellings, ``Schema(name="geo")`` and ``Schema(path=["geo"])``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(init=False)
class Schema:
    """One schema of a worker's catalog: its functions, with a comment and tags."""

    path: list[str]
    comment: str | None
    tags: dict[str, str]
    functions: Sequence[type]
    tables: Sequence[Any]
    views: Sequence[Any]
    macros: Sequence[Any]
    indexes: Sequence[Any]

    def __init__(
        self,
        name: str | None = None,
        *,
        path: Sequence[str] | None = None,
        comment: str | None = None,
        tags: dict[str, str] | None = None,
        functions: Sequence[type] = (),
        tables: Sequence[Any] = (),
        views: Sequence[Any] = (),
        macros: Sequence[Any] = (),
        indexes: Sequence[Any] = (),
    ) -> None:
        if (name is None) == (path is None):
            raise ValueError("Schema needs exactly one of name= (one schema) or path= (its identifier path)")
        self.path = [name] if name is not None else list(path or ())
        if not self.path or not all(isinstance(part, str) and part for part in self.path):
            raise ValueError(f"Schema path must be non-empty names; got {self.path!r}")
        self.comment = comment
        self.tags = dict(tags or {})
        self.functions = tuple(functions)
        self.tables = tuple(tables)
        self.views = tuple(views)
        self.macros = tuple(macros)
        self.indexes = tuple(indexes)

    @property
    def name(self) -> str:
        """The schema's name (the last component of its path)."""
        return self.path[-1]


@dataclass
class Catalog:
    """A worker's catalog: its schemas and its own comment, tags and source location."""

    name: str
    default_schema: str = "main"
    schemas: Sequence[Schema] = ()
    comment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    source_url: str | None = None
    global_functions: Sequence[type] = ()


class Worker:
    """Base class of a reference-shaped worker: set ``catalog`` (or ``functions``) on a subclass."""

    catalog: ClassVar[Catalog | None] = None
    functions: ClassVar[Sequence[type]] = ()
    catalog_interface: ClassVar[type | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options = kwargs

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Refuses: under vgi-host a Worker is served as a pack, by ``vgi-host serve``."""
        type(self).main()

    @classmethod
    def main(cls, *args: Any, **kwargs: Any) -> None:
        """Refuses, as ``run`` does: a ported worker's ``__main__`` block keeps calling it unchanged."""
        raise RuntimeError(
            f"{cls.__name__} is served by vgi-host: name it in a `vgi.functions` entry point "
            f"and run `vgi-host serve` (see docs/porting.md)"
        )

    @classmethod
    def main_http(cls, *args: Any, **kwargs: Any) -> None:
        """Refuses, as ``main`` does (``vgi-host serve --http`` serves packs over HTTP)."""
        cls.main()

    @classmethod
    def declared_schemas(cls) -> list[Schema]:
        """The worker's schemas: its catalog's, or one unnamed schema for a bare ``functions`` list."""
        if cls.catalog is not None:
            return list(cls.catalog.schemas)
        return [Schema(name=cls.__name__, functions=cls.functions)] if cls.functions else []
