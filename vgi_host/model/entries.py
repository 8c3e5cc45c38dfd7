"""Catalog entries: one function, table or view as the catalog and listings need it.

An entry carries the encoded catalog item DuckDB receives (``info``) and a
typed description for people (``vgi-host list``, ``info``, ``vgi_functions``).
Entries are captured once, when a pack is imported, and then cached in
manifests, so every field is plain data that round-trips through JSON; the
``from_json`` constructors validate every field, so a manifest that is valid
JSON of the wrong shape is rejected (a cache miss) instead of crashing a host.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from vgi_host.protocol.wire import frozen_record

__all__ = [
    "ArgumentDescription",
    "ColumnDescription",
    "EntryFormatError",
    "ExampleDescription",
    "FunctionDescription",
    "FunctionEntry",
    "TableDescription",
    "TableEntry",
    "ViewDescription",
    "ViewEntry",
]


class EntryFormatError(ValueError):
    """Serialised entry data does not have the expected shape."""


def _str(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise EntryFormatError(f"{key!r} must be a string; got {value!r}")
    return value


def _opt_str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise EntryFormatError(f"{key!r} must be a string or null; got {value!r}")
    return value


def _bool(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key)
    if not isinstance(value, bool):
        raise EntryFormatError(f"{key!r} must be a boolean; got {value!r}")
    return value


def _objects(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise EntryFormatError(f"{key!r} must be a list of objects; got {value!r}")
    return value


def _strings(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EntryFormatError(f"{key!r} must be a list of strings; got {value!r}")
    return tuple(value)


def _object(raw: object, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise EntryFormatError(f"{what} must be an object; got {raw!r}")
    return raw


def _info(raw: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(_str(raw, "info"), validate=True)
    except binascii.Error as exc:
        raise EntryFormatError(f"'info' is not base64: {exc}") from exc


def _entry_json(name: str, info: bytes, description: dict[str, Any]) -> dict[str, Any]:
    """The fields every entry's manifest form has."""
    return {"name": name, "info": base64.b64encode(info).decode("ascii"), "description": description}


@frozen_record
class ArgumentDescription:
    """One argument as a SQL user reads it."""

    name: str
    type: str
    constant: bool
    named: bool
    doc: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "type": self.type,
            "constant": self.constant,
            "named": self.named,
            "doc": self.doc,
        }

    @classmethod
    def from_json(cls, raw: object) -> ArgumentDescription:
        """Validate and read."""
        data = _object(raw, "an argument")
        return cls(
            _str(data, "name"),
            _str(data, "type"),
            _bool(data, "constant"),
            _bool(data, "named"),
            _str(data, "doc"),
        )


@frozen_record
class ExampleDescription:
    """One documented example call."""

    sql: str
    description: str | None = None
    expected_output: str | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"sql": self.sql, "description": self.description, "expected_output": self.expected_output}

    @classmethod
    def from_json(cls, raw: object) -> ExampleDescription:
        """Validate and read."""
        data = _object(raw, "an example")
        return cls(_str(data, "sql"), _opt_str(data, "description"), _opt_str(data, "expected_output"))


@frozen_record
class FunctionDescription:
    """What ``vgi-host list``/``info`` and ``main.vgi_functions`` show for one function."""

    name: str
    kind: str
    signature: str
    """``name(arg TYPE, ...) -> TYPE`` as a DuckDB user calls it."""
    returns: str
    description: str
    summary: str
    arguments: tuple[ArgumentDescription, ...] = ()
    examples: tuple[ExampleDescription, ...] = ()
    categories: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form (``vgi-host list --json``, manifests)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "signature": self.signature,
            "returns": self.returns,
            "description": self.description,
            "summary": self.summary,
            "arguments": [a.as_json() for a in self.arguments],
            "examples": [e.as_json() for e in self.examples],
            "categories": list(self.categories),
        }

    @classmethod
    def from_json(cls, raw: object) -> FunctionDescription:
        """Validate and read."""
        data = _object(raw, "a function description")
        return cls(
            name=_str(data, "name"),
            kind=_str(data, "kind"),
            signature=_str(data, "signature"),
            returns=_str(data, "returns"),
            description=_str(data, "description"),
            summary=_str(data, "summary"),
            arguments=tuple(ArgumentDescription.from_json(a) for a in _objects(data, "arguments")),
            examples=tuple(ExampleDescription.from_json(e) for e in _objects(data, "examples")),
            categories=_strings(data, "categories"),
        )


@frozen_record
class FunctionEntry:
    """One function of a schema: its encoded ``FunctionInfo`` and its description."""

    name: str
    kind: str
    """The kind's registered name (``scalar``, ``table``, ``table_in_out``, ``aggregate``, ...)."""
    info: bytes
    """The encoded ``FunctionInfo`` catalog item."""
    description: FunctionDescription
    alias_of: str | None = None
    """For an alias in ``main``: the pack that really defines the function."""

    def as_json(self) -> dict[str, Any]:
        """The manifest form."""
        return {
            **_entry_json(self.name, self.info, self.description.as_json()),
            "kind": self.kind,
            "alias_of": self.alias_of,
        }

    @classmethod
    def from_json(cls, raw: object) -> FunctionEntry:
        """Validate and read (the kind name is checked against the kind registry by the reader)."""
        data = _object(raw, "a function entry")
        return cls(
            _str(data, "name"),
            _str(data, "kind"),
            _info(data),
            FunctionDescription.from_json(data.get("description")),
            _opt_str(data, "alias_of"),
        )


@frozen_record
class ColumnDescription:
    """One column of a table."""

    name: str
    type: str


@frozen_record
class TableDescription:
    """What listings show for a pack table."""

    name: str
    description: str
    function: str
    """The table function whose rows the table is."""
    columns: tuple[ColumnDescription, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "kind": "table",
            "description": self.description,
            "function": self.function,
            "columns": [{"name": c.name, "type": c.type} for c in self.columns],
        }


@frozen_record
class TableEntry:
    """One table of a schema: its encoded ``TableInfo`` and description."""

    name: str
    info: bytes
    description: TableDescription

    def as_json(self) -> dict[str, Any]:
        """The manifest form."""
        return _entry_json(self.name, self.info, self.description.as_json())

    @classmethod
    def from_json(cls, raw: object) -> TableEntry:
        """Validate and read."""
        data = _object(raw, "a table entry")
        described = _object(data.get("description"), "a table description")
        columns = tuple(
            ColumnDescription(_str(c, "name"), _str(c, "type")) for c in _objects(described, "columns")
        )
        description = TableDescription(
            _str(described, "name"), _str(described, "description"), _str(described, "function"), columns
        )
        return cls(_str(data, "name"), _info(data), description)


@frozen_record
class ViewDescription:
    """What listings show for a pack view."""

    name: str
    description: str
    sql: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "kind": "view", "description": self.description, "sql": self.sql}


@frozen_record
class ViewEntry:
    """One view of a schema: its encoded ``ViewInfo`` and description."""

    name: str
    info: bytes
    description: ViewDescription

    def as_json(self) -> dict[str, Any]:
        """The manifest form."""
        return _entry_json(self.name, self.info, self.description.as_json())

    @classmethod
    def from_json(cls, raw: object) -> ViewEntry:
        """Validate and read."""
        data = _object(raw, "a view entry")
        described = _object(data.get("description"), "a view description")
        description = ViewDescription(
            _str(described, "name"), _str(described, "description"), _str(described, "sql")
        )
        return cls(_str(data, "name"), _info(data), description)
