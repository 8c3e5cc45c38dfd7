"""Annotation markers a pack author puts on ``compute`` parameters and returns.

These keep the public shapes of the reference SDK (``Param``, ``ConstParam``,
``Returns``) so that worker code written for it ports by changing imports.  They
are inert records: the machinery that reads them lives in
:mod:`vgi_host.sdk.signature`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from vgi_host.protocol.wire import frozen_record

TypeBound = Callable[[pa.DataType], bool]
"""A predicate over an Arrow type, e.g. ``pa.types.is_integer``."""


@frozen_record
class Param:
    """A column argument: ``compute`` receives a ``pa.Array`` for it.

    ``arrow_type`` stays first so the reference's ``Param(pa.int64(), "doc")``
    spelling keeps working.  When it is ``None`` the type is inferred from the
    annotated array class (``pa.Int64Array`` -> ``int64``); a bare ``pa.Array``
    means "any type", usually narrowed with ``type_bound``.

    ``type_bound`` is checked at bind time against the column DuckDB (or the
    client) actually sends; a failure names the argument, the column's type and
    the bound.  Columns of a different but castable type are cast to the
    declared type before ``compute`` sees them.
    """

    arrow_type: pa.DataType | type | None = None
    doc: str = ""
    type_bound: TypeBound | Sequence[TypeBound] | None = None
    varargs: bool = False
    """Any number of trailing columns (the reference's spelling; not served by vgi-host yet)."""
    varargs_min: int = 0


@frozen_record
class ConstParam:
    """A constant argument: ``compute`` receives one Python value for it.

    The value comes from ``BindRequest.arguments`` (DuckDB constant-folds it),
    not from the input batch.  The Arrow type is inferred from the annotated
    Python type (``int`` -> ``int64``) unless ``arrow_type`` is given.  The
    bounds below are enforced at bind, so a bad constant fails before any data
    moves, with a message naming the argument.
    """

    doc: str = ""
    arrow_type: pa.DataType | type | None = None
    choices: Sequence[Any] | None = None
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None
    phase: str | None = None
    """Aggregates only: the ``update`` keyword is passed when this is None, ``"all"`` or ``"update"``
    (``"finalize"``: the value reaches finalize through ``params.args`` only)."""


@frozen_record
class Returns:
    """The return annotation of ``compute``: the Arrow type of the result column.

    Without ``arrow_type`` the type is inferred from the annotated array class;
    nested types (struct, list) cannot be inferred and must be spelled out.
    """

    arrow_type: pa.DataType | None = None
    doc: str = ""


@frozen_record
class FunctionExample:
    """One usage example shown in the catalog (``duckdb_functions()``) and docs."""

    sql: str
    description: str = ""
    expected_output: str | None = None


_NO_DEFAULT: Any = object()


class TableInput:
    """Marks the TABLE argument of a table-in-out function (``Annotated[TableInput, Arg(n)]``).

    Declaring it is optional (every table-in-out function has exactly one table
    input, placed after its other positional arguments); declare it to document
    it or to match code written for the reference SDK.
    """


@dataclass(frozen=True, slots=True, init=False)
class Arg:
    """A table, table-in-out or aggregate-constant argument, declared as a class annotation.

    ``Arg(0)`` is the first positional argument, ``Arg("label")`` the named
    argument ``label := ...`` — the reference SDK's spelling, kept so its code
    ports unchanged.  ``default`` makes the argument optional; the bounds and
    ``choices`` are enforced at bind, before any data moves.
    """

    position: int | str
    default: Any
    doc: str
    arrow_type: pa.DataType | type | None
    choices: Sequence[Any] | None
    ge: float | None
    le: float | None
    gt: float | None
    lt: float | None
    varargs: bool

    def __init__(
        self,
        position: int | str,
        *,
        default: Any = _NO_DEFAULT,
        doc: str = "",
        arrow_type: pa.DataType | type | None = None,
        choices: Sequence[Any] | None = None,
        ge: float | None = None,
        le: float | None = None,
        gt: float | None = None,
        lt: float | None = None,
        varargs: bool = False,
    ) -> None:
        for name, value in (
            ("position", position),
            ("default", default),
            ("doc", doc),
            ("arrow_type", arrow_type),
            ("choices", choices),
            ("ge", ge),
            ("le", le),
            ("gt", gt),
            ("lt", lt),
            ("varargs", varargs),
        ):
            object.__setattr__(self, name, value)

    @property
    def has_default(self) -> bool:
        """Whether the caller may omit the argument."""
        return self.default is not _NO_DEFAULT

    @property
    def is_named(self) -> bool:
        """Named (``name := value``) rather than positional."""
        return isinstance(self.position, str)

    def as_constraint(self) -> ConstParam:
        """The same bounds in the form the constant checker reads."""
        return ConstParam(
            doc=self.doc,
            arrow_type=self.arrow_type,
            choices=self.choices,
            ge=self.ge,
            le=self.le,
            gt=self.gt,
            lt=self.lt,
        )


@frozen_record
class OutputLength:
    """Marks a ``compute`` parameter that receives the input batch's row count (an ``int``).

    A scalar with no column arguments (``random_int()``) still has to return
    one value per row; this is how it learns how many.  It is not a SQL
    argument and does not appear in the catalog.
    """
