"""Multi-schema packs: every schema served, pack catalogs kept per pack, conflicts reported.

A Worker pack's catalog (name, default schema, comment, tags, versions,
ATTACH options) is answered as the worker answers it when attached by the
catalog's own name; any other name gives the merged catalog.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from vgi_host.host.catalog import HostCatalog
from vgi_host.host.registry import PackRegistry
from vgi_host.host.routing import Router
from vgi_host.model.candidate import PackCandidate
from vgi_host.model.records import PackStatus
from vgi_host.packs.discovery import Discovery
from vgi_host.packs.loader import load_pack_schemas
from vgi_host.protocol.attach import AttachOptionSpec, CatalogAttachRequest
from vgi_host.protocol.enums import SchemaObjectType
from vgi_host.protocol.functions import FunctionInfo

MODULE = "tests.unit.fake_packs.catalog_packs"


def pack(name: str, attribute: str) -> PackCandidate:
    return PackCandidate(name, f"{MODULE}:{attribute}", f"vgi-pack-{name}", "1.0")


def registry(*candidates: PackCandidate) -> PackRegistry:
    return PackRegistry.load(Discovery(candidates, ()), use_cache=False)


def attach(catalog: HostCatalog, name: str, **request: object) -> bytes:
    fields = {"options": None, "data_version_spec": None, "implementation_version": None, **request}
    return catalog.attach_request(CatalogAttachRequest(name=name, **fields)).attach_opaque_data


def test_every_schema_of_a_worker_is_served_and_main_takes_the_pack_name():
    records = load_pack_schemas(pack("tools", "ToolsWorker"))
    assert [r.status for r in records] == [PackStatus.LOADED, PackStatus.LOADED]
    assert sorted(r.name for r in records) == ["text", "tools"]
    assert {r.name: r.own_path for r in records} == {"tools": ["main"], "text": ["text"]}
    assert {r.pack for r in records} == {"tools"}
    assert all(r.dynamic for r in records)  # its catalog interface is live code: never a cached manifest


def test_the_catalog_interface_answers_are_kept_per_pack():
    (record, _) = load_pack_schemas(pack("tools", "ToolsWorker"))
    catalog = record.catalog
    assert catalog is not None
    assert (catalog.name, catalog.default_schema, catalog.comment, catalog.tags) == (
        "tools",
        "text",
        "Small tools",
        {"provider": "tests"},
    )
    assert (catalog.implementation_version, catalog.data_version, catalog.source_url) == (
        "2.5.0",
        "7",
        "https://example.invalid/tools",
    )
    (spec,) = catalog.info.attach_option_specs
    assert AttachOptionSpec.deserialize_from_bytes(spec).name == "region"


def test_one_sql_name_in_two_schemas_of_one_worker_routes_by_schema():
    router = Router(registry(pack("tools", "ToolsWorker")))
    for schema, expected in (("tools", "main"), ("text", "text")):
        _, definition = router.resolve("probe", [schema])
        result = definition.function_class.compute(pa.array([3], pa.int64()))  # type: ignore[attr-defined]
        assert result.to_pylist() == [f"{expected}:3"]


def test_attach_by_the_pack_catalog_name_shows_the_worker_catalog_alone():
    catalog = HostCatalog(registry(pack("tools", "ToolsWorker"), pack("hooked", "hook_pack")))
    result = catalog.attach_request(
        CatalogAttachRequest(name="tools", options=None, data_version_spec=None, implementation_version=None)
    )
    assert (result.default_schema, result.comment, result.tags) == (
        "text",
        "Small tools",
        {"provider": "tests"},
    )
    assert (result.resolved_data_version, result.resolved_implementation_version) == ("7", "2.5.0")
    token = result.attach_opaque_data
    assert json.loads(token.split(b" ", 1)[1])["pack"] == "tools"
    schemas = {tuple(s.path): (s.comment, s.tags) for s in catalog.schemas_of(token)}
    assert schemas == {("main",): ("the main schema", {}), ("text",): ("text helpers", {"area": "text"})}
    (entry,) = catalog.functions(["main"], SchemaObjectType.SCALAR_FUNCTION, token)
    assert FunctionInfo.deserialize_from_bytes(entry).schema_path == ["main"]
    # A call under that attach names the worker's own schema; `main` is the pack's, not the host's.
    _, definition = Router(catalog.registry).resolve("probe", ["main"], token)
    assert definition.function_class is catalog.registry.pack("tools").definition("probe").function_class  # type: ignore[union-attr]


def test_any_other_name_gives_the_merged_catalog_and_lists_the_pack_catalogs():
    catalog = HostCatalog(registry(pack("tools", "ToolsWorker"), pack("hooked", "hook_pack")))
    token = attach(catalog, "anything")
    paths = [s.path[0] for s in catalog.schemas_of(token)]
    assert paths == ["main", "extra", "hooked", "text", "tools"]
    assert [info.name for info in catalog.catalog_infos()] == ["packs", "tools"]
    (tools_info,) = [i for i in catalog.catalog_infos() if i.name == "tools"]
    assert (tools_info.implementation_version, tools_info.data_version_spec) == ("2.5.0", "==7")


def test_a_hook_pack_registers_schemas_with_comment_and_tags():
    records = {r.name: r for r in load_pack_schemas(pack("hooked", "hook_pack"))}
    assert set(records) == {"hooked", "extra"}
    own = records["hooked"].schema_meta
    assert own is not None
    assert (own.comment, own.tags) == ("the pack's own schema", {"k": "v"})
    assert records["hooked"].function_names == ["probe"]
    assert records["extra"].function_names == ["probe"]
    catalog = HostCatalog(registry(pack("hooked", "hook_pack")))
    hooked = catalog.schema(["hooked"])
    assert hooked is not None
    assert hooked.tags["k"] == "v"
    assert "the pack's own schema" in (hooked.comment or "")


def test_a_schema_two_packs_claim_is_a_conflict_served_by_neither():
    loaded = registry(pack("tools", "ToolsWorker"), pack("rival", "RivalWorker"))
    text = [r for r in loaded.records if r.name == "text"]
    assert sorted(r.pack for r in text) == ["rival", "tools"]
    assert all(r.status is PackStatus.FAILED for r in text)
    assert all("schema conflict" in (r.error or "") for r in text)
    assert "also claimed by pack(s) rival" in next(r.error or "" for r in text if r.pack == "tools")
    assert loaded.pack("text") is None
    assert {r.name for r in loaded.loaded} == {"tools", "own"}


def test_attach_options_reach_the_pack_catalog_interface():
    catalog = HostCatalog(registry(pack("tools", "ToolsWorker")))
    options = pa.RecordBatch.from_pydict({"region": ["us"]})
    request = CatalogAttachRequest(
        name="tools", options=options, data_version_spec=None, implementation_version=None
    )
    result = catalog.attach_request(request)
    assert result.resolved_data_version == "7-us"  # the worker's own catalog_attach saw the option
    assert b'"pack": "tools"' in result.attach_opaque_data


@pytest.mark.parametrize("target", ["ToolsWorker", "hook_pack"])
def test_packs_with_their_own_metadata_are_not_cached(target):
    assert all(r.dynamic for r in load_pack_schemas(pack("x", target)))


def test_check_reports_a_schema_conflict_with_its_own_code():
    from vgi_host.host.checks import run_check

    report = run_check(registry(pack("tools", "ToolsWorker"), pack("rival", "RivalWorker")))
    codes = {(f.subject, f.code) for f in report.errors}
    assert ("text", "VH104") in codes
    assert all(code != "VH100" for subject, code in codes if subject == "text")


def test_vgi_packs_shows_what_each_pack_declares():
    from vgi_host.host.builtin import packs_rows

    loaded = registry(pack("tools", "ToolsWorker"), pack("hooked", "hook_pack"))
    rows = packs_rows(loaded.records)
    by_schema = {name: i for i, name in enumerate(rows["name"])}
    text = by_schema["text"]
    assert rows["pack"][text] == "tools"
    assert (rows["catalog"][text], rows["catalog_comment"][text]) == ("tools", "Small tools")
    assert (rows["implementation_version"][text], rows["data_version"][text]) == ("2.5.0", "7")
    assert rows["source_url"][text] == "https://example.invalid/tools"
    assert (rows["schema_comment"][text], rows["schema_tags"][text]) == ("text helpers", [("area", "text")])
    hooked = by_schema["hooked"]
    assert (rows["catalog"][hooked], rows["schema_tags"][hooked]) == (None, [("k", "v")])


def test_list_and_info_show_the_pack_catalog_and_schema_metadata():
    from vgi_host.catalog.describe import describe_records
    from vgi_host.cli.lookup import pack_facts
    from vgi_host.cli.render import catalog_lines

    loaded = registry(pack("tools", "ToolsWorker"))
    (line,) = catalog_lines(loaded.loaded)
    assert "catalog 'tools' (pack tools; schemas text, tools): Small tools" in line
    assert "implementation 2.5.0, data 7, source https://example.invalid/tools" in line
    facts = dict(pack_facts(loaded.pack("tools")))  # type: ignore[arg-type]
    assert facts["pack (schema)"] == "tools"
    assert facts["its own name"] == "main"
    assert facts["schema comment"] == "the main schema"
    assert facts["default schema"] == "text"
    described = {d["name"]: d for d in describe_records(loaded.records)}
    assert described["text"]["catalog"]["attach_options"] == ["region"]
    expected = {"path": ["text"], "comment": "text helpers", "tags": {"area": "text"}}
    assert described["text"]["schema"] == expected


def test_the_landing_page_renders_multi_schema_packs():
    from vgi_host.transports.landing import landing_document, render_html

    document = landing_document(registry(pack("tools", "ToolsWorker"), pack("rival", "RivalWorker")))
    assert document["schemas"] == ["main", "own", "tools"]  # `text` is contested: served by neither
    page = render_html(document, base_url="http://127.0.0.1:8000/")
    assert "schema conflict" in page
    assert "probe" in page
