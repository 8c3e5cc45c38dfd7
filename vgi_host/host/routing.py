"""Routing: which pack serves a call, and binding it through its kind.

Every call names its function by ``schema_path`` (the pack, or ``main`` for
an alias) and ``function_name``.  Errors say what *does* exist, because the
person reading them is usually typing SQL.  Nothing is kept between ``bind``
and ``init``: the two may reach different processes, so ``init`` binds again
from the bind request it carries (binding is a schema check and constant
validation: cheap).
"""

from __future__ import annotations

from vgi_host.errors import BindError, RoutingError
from vgi_host.host.catalog import pack_of_token
from vgi_host.host.registry import PackRegistry
from vgi_host.kinds.registry import all_specs, spec_of
from vgi_host.kinds.spec import BoundCall
from vgi_host.model.records import HOST_SCHEMA, PackRecord, PackStatus
from vgi_host.protocol.invocation import BindRequest
from vgi_host.sdk.definition import FunctionDefinition

_STATUS_WORDS = {PackStatus.FAILED: "failed to load"}


def _several(function: str, owners: list[str]) -> RoutingError:
    names = ", ".join(f"{p}.{function}" for p in owners)
    return RoutingError(f"function {function!r} is defined by several packs; qualify it: {names}")


class Router:
    """Resolves ``(schema, function)`` against one registry."""

    def __init__(self, registry: PackRegistry) -> None:
        self.registry = registry

    def find(self, schema: str, function: str) -> tuple[PackRecord, FunctionDefinition]:
        """Resolve ``schema.function`` or raise :class:`RoutingError` saying what exists.

        In ``main``, an alias resolves to the one pack that defines the name.
        """
        registry = self.registry
        if schema.lower() == HOST_SCHEMA:
            entry = registry.host.entry(function)
            if entry is not None and entry.alias_of is not None:
                return self.find(entry.alias_of, function)
            if entry is None:
                owners = [r.name for r in registry.loaded if r.entry(function) is not None]
                if len(owners) > 1:
                    raise _several(function, owners)
        record = registry.pack(schema)
        if record is None:
            installed = registry.installed(schema)
            if installed is not None:
                state = _STATUS_WORDS.get(installed.status, installed.status.value)
                raise RoutingError(f"pack {schema!r} is installed but {state}: {installed.error}")
            served = ", ".join(r.name for r in registry.loaded) or "none"
            raise RoutingError(f"no pack named {schema!r} (packs served: {served})")
        definition = record.definition(function)
        if definition is None:
            available = ", ".join(record.function_names) or "none"
            raise RoutingError(f"pack {record.name!r} has no function {function!r} (it has: {available})")
        return record, definition

    def resolve(
        self, function: str, schema_path: list[str] | None, attach: bytes | None = None
    ) -> tuple[str, FunctionDefinition]:
        """``(qualified name, definition)``: the pack named by the path, or the unique owner of the name.

        Under a pack's own catalog (the attach token names the pack) the path is the worker's own
        schema name, which may differ from the merged catalog's (``main`` is served as the pack).
        """
        schema_path = self._own_path(schema_path, attach)
        if schema_path:
            record, definition = self.find(schema_path[-1], function)
            return f"{record.name}.{definition.name}", definition
        owners = [r.name for r in self.registry.loaded if r.entry(function) is not None]
        if len(owners) > 1:
            raise _several(function, owners)
        if not owners:
            raise RoutingError(f"no pack defines a function named {function!r}")
        record, definition = self.find(owners[0], function)
        return f"{record.name}.{definition.name}", definition

    def _own_path(self, schema_path: list[str] | None, attach: bytes | None) -> list[str] | None:
        pack = pack_of_token(attach)
        if pack is None or not schema_path:
            return schema_path
        wanted = [part.lower() for part in schema_path]
        for record in self.registry.loaded:
            if record.pack == pack and [p.lower() for p in record.own_path] == wanted:
                return [record.name]
        return schema_path

    def bind(self, request: BindRequest) -> BoundCall:
        """Resolve and bind through the function's kind; every error names the pack and function."""
        qualified, definition = self.resolve(
            request.function_name, request.schema_path, request.attach_opaque_data
        )
        kind = spec_of(definition)
        if not kind.addressed_by(request):
            wanted = next((s for s in all_specs() if s.addressed_by(request)), None)
            called_as = wanted.label if wanted is not None else request.function_type.name.lower()
            raise BindError(
                f"{qualified} is a {kind.label} function; it cannot be called as a {called_as} function"
            )
        try:
            bound, output_schema = kind.bind(definition, request)
        except BindError as exc:
            raise BindError(f"{qualified}: {exc}") from exc
        return BoundCall(qualified, kind, bound, output_schema, request)
