"""The list of function kinds, and lookups into it.

Cheap to import: a kind's module (which imports its SDK class and its stream
states) is imported only when its :class:`KindSpec` is asked for, so a host
serving the catalog from cached manifests never imports the SDK.  Kinds are
recognised by base class (``issubclass``), never by an attribute a pack class
might define for its own purposes.

To add a kind: write ``vgi_host/kinds/<name>.py`` with a module-level
``SPEC = <YourKindSpec>()``, and add one :class:`KindName` line below.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from vgi_host.errors import FunctionDefinitionError

if TYPE_CHECKING:
    from vgi_host.kinds.spec import KindSpec
    from vgi_host.sdk.definition import FunctionDefinition


@dataclass(frozen=True, slots=True)
class KindName:
    """A kind as the catalog knows it without importing anything of the kind."""

    name: str
    """The kind's name in manifests and listings (``vgi_functions.kind``)."""
    label: str
    """How messages spell it ("a table-in-out function")."""
    listing: str
    """The ``SchemaObjectType`` value of the catalog listing its functions appear in."""
    counted_as: str
    """The ``main.vgi_packs`` count column it adds to."""
    module: str
    """The module holding its ``SPEC``."""


KIND_NAMES: tuple[KindName, ...] = (
    KindName("scalar", "scalar", "scalar_function", "scalar_functions", "vgi_host.kinds.scalar"),
    KindName("table", "table", "table_function", "table_functions", "vgi_host.kinds.table"),
    KindName(
        "table_in_out", "table-in-out", "table_function", "table_functions", "vgi_host.kinds.table_in_out"
    ),
    KindName(
        "aggregate", "aggregate", "aggregate_function", "aggregate_functions", "vgi_host.kinds.aggregate"
    ),
    KindName(
        "table_buffering",
        "table-buffering",
        "table_function",
        "table_functions",
        "vgi_host.kinds.table_buffering",
    ),
)
"""Every kind, in a fixed order (the order of the stream-state union sent over HTTP)."""

_BY_NAME = {kind.name: kind for kind in KIND_NAMES}


class UnknownKindError(KeyError):
    """A kind name not in the registry (a manifest written by another version, say)."""


def kind_named(name: str) -> KindName:
    """The registry line of kind ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownKindError(name) from None


@cache
def spec(name: str) -> KindSpec:
    """The full spec of kind ``name`` (imports its module on first use)."""
    module = importlib.import_module(kind_named(name).module)
    found: KindSpec = module.SPEC
    return found


def all_specs() -> tuple[KindSpec, ...]:
    """Every kind's spec, in registry order."""
    return tuple(spec(kind.name) for kind in KIND_NAMES)


def spec_for_class(function_class: object) -> KindSpec:
    """The kind a registered class belongs to, by its base class."""
    if isinstance(function_class, type):
        for candidate in all_specs():
            if issubclass(function_class, candidate.base):
                return candidate
        refusal = getattr(function_class, "definition", None)
        if callable(refusal):  # a reference base class whose kind is not served yet names it itself
            try:
                refusal()
            except FunctionDefinitionError:
                raise
            except Exception:  # not a refusal: fall through to the general message
                pass
    bases = ", ".join(s.base.__name__ for s in all_specs())
    raise FunctionDefinitionError(f"register() expects a subclass of one of {bases}; got {function_class!r}")


def definition_of(function_class: object) -> FunctionDefinition:
    """Validate a registered class and return its kind's definition."""
    return spec_for_class(function_class).definition(function_class)


def spec_of(definition: FunctionDefinition) -> KindSpec:
    """The kind of a definition."""
    return spec_for_class(definition.function_class)
