"""Multi-schema packs: Workers with a catalog interface, a rival claiming a schema, a hook-style pack."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import pyarrow as pa

from vgi_host import (
    AttachOptionSpec,
    Catalog,
    CatalogAttachResult,
    CatalogInfo,
    Param,
    ReadOnlyCatalogInterface,
    RegisterFunction,
    RegisterSchema,
    Returns,
    ScalarFunction,
    Schema,
    Worker,
    hookimpl,
)


def _tagged(schema: str, values: pa.Int64Array) -> pa.StringArray:
    return pa.array([None if v is None else f"{schema}:{v}" for v in values.to_pylist()], pa.string())


class ProbeMain(ScalarFunction):
    """The main schema's probe."""

    class Meta:
        name = "probe"

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="value")]) -> Annotated[pa.StringArray, Returns()]:
        return _tagged("main", x)


class ProbeText(ScalarFunction):
    """The text schema's probe: same SQL name and argument types, another schema."""

    class Meta:
        name = "probe"

    @classmethod
    def compute(cls, x: Annotated[pa.Int64Array, Param(doc="value")]) -> Annotated[pa.StringArray, Returns()]:
        return _tagged("text", x)


TOOLS = Catalog(
    name="tools",
    default_schema="text",
    comment="Small tools",
    tags={"provider": "tests"},
    schemas=[
        Schema(name="main", comment="the main schema", functions=[ProbeMain]),
        Schema(path=["text"], comment="text helpers", tags={"area": "text"}, functions=[ProbeText]),
    ],
)


class ToolsCatalog(ReadOnlyCatalogInterface):
    """Reports versions the way real workers do: override, call super(), replace the result."""

    catalog = TOOLS
    catalog_name = TOOLS.name
    attach_option_specs = [AttachOptionSpec.of("region", "where the data lives", pa.string(), "eu")]

    def catalogs(self) -> list[CatalogInfo]:
        return [
            CatalogInfo(
                name=self._effective_catalog_name,
                implementation_version="2.5.0",
                data_version_spec="==7",
                source_url="https://example.invalid/tools",
                attach_option_specs=[spec.serialize() for spec in self.attach_option_specs],
            )
        ]

    def catalog_attach(self, **kwargs: Any) -> CatalogAttachResult:
        result = super().catalog_attach(**kwargs)
        region = (kwargs.get("options") or {}).get("region")
        data = f"7-{region}" if region else "7"
        return dataclasses.replace(
            result, resolved_data_version=data, resolved_implementation_version="2.5.0"
        )


class ToolsWorker(Worker):
    catalog = TOOLS
    catalog_interface = ToolsCatalog


class RivalWorker(Worker):
    """Claims a schema named ``text`` too."""

    catalog = Catalog(name="rival", schemas=[Schema(name="text", functions=[ProbeMain]), Schema(name="own")])


class HookPack:
    """A hook-style pack describing its own schema and adding one more."""

    @hookimpl
    def register_functions(self, register: RegisterFunction) -> None:
        register(ProbeMain)

    @hookimpl
    def register_schemas(self, register: RegisterSchema) -> None:
        register(Schema(name="hooked", comment="the pack's own schema", tags={"k": "v"}))
        register(Schema(name="extra", comment="one more", functions=[ProbeText]))


hook_pack = HookPack()
