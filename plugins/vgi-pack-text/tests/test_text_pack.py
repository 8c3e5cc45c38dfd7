"""The pack as the host sees it: entry point, hook, and the SDK's reading of each class."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import vgi_pack_text
from vgi_pack_text.tokens import TOP_K_RESULT

from vgi_host import FunctionStability, NullHandling
from vgi_host.model.records import PackStatus
from vgi_host.packs.discovery import PackCandidate
from vgi_host.packs.loader import load_pack
from vgi_host.sdk.aggregate import AggregateDefinition
from vgi_host.sdk.scalar import ScalarDefinition
from vgi_host.sdk.table_in_out import TableInOutDefinition

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"
CANDIDATE = PackCandidate("text", "vgi_pack_text", "vgi-pack-text", "0.1.0")

EXPECTED = {
    "levenshtein": ScalarDefinition,
    "slugify": ScalarDefinition,
    "tokenize": TableInOutDefinition,
    "top_k_tokens": AggregateDefinition,
}


def record_function(name: str):
    record = load_pack(CANDIDATE)
    definition = record.definition(name)
    assert definition is not None
    return definition


def test_entry_point_names_the_hook_module():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["name"] == "vgi-pack-text"
    assert project["entry-points"]["vgi.functions"] == {"text": "vgi_pack_text"}


def test_register_functions_registers_the_four_functions():
    registered: list[type] = []
    vgi_pack_text.register_functions(registered.append)
    assert sorted(cls.definition().name for cls in registered) == sorted(EXPECTED)


def test_the_host_loader_accepts_the_pack():
    record = load_pack(CANDIDATE)
    assert record.status is PackStatus.LOADED, record.problems
    assert record.function_names == sorted(EXPECTED)
    for name in record.function_names:
        definition = record.definition(name)
        assert definition is not None
        assert isinstance(definition, EXPECTED[definition.name])
        assert all(a.doc for a in definition.arguments), "every argument is documented"
        metadata = definition.metadata
        assert metadata.stability is FunctionStability.CONSISTENT
        assert metadata.description
        assert metadata.examples
        assert all("text." in e.sql for e in metadata.examples)


def test_scalar_signatures():
    slugify = record_function("slugify")
    assert [a.name for a in slugify.signature.arguments] == ["s"]
    assert slugify.signature.result_type == pa.string()
    levenshtein = record_function("levenshtein")
    assert [a.name for a in levenshtein.signature.arguments] == ["a", "b"]
    assert levenshtein.signature.result_type == pa.int64()
    for definition in (slugify, levenshtein):
        assert definition.metadata.null_handling is NullHandling.DEFAULT


def test_tokenize_definition():
    definition = record_function("tokenize")
    assert [(a.name, a.is_table) for a in definition.arguments] == [
        ("key_column", False),
        ("text_column", False),
        ("data", True),
    ]
    assert definition.arguments[0].arrow_type == pa.string()
    assert definition.max_workers == 8
    assert not definition.has_finalize


def test_top_k_tokens_definition():
    definition = record_function("top_k_tokens")
    assert [a.name for a in definition.columns] == ["text"]
    [k] = definition.constants
    assert k.name == "k"
    assert k.arrow_type == pa.int64()
    assert k.default == 10
    assert k.constraint is not None
    assert k.constraint.ge == 1
    assert definition.result_type == TOP_K_RESULT
    assert definition.result_type == pa.list_(
        pa.struct([pa.field("token", pa.string()), pa.field("count", pa.int64())])
    )


def test_importing_the_pack_module_defers_the_function_modules():
    """The host imports the entry point's module to find the hook; that import stays cheap."""
    code = "import sys, vgi_pack_text; print(sorted(m for m in sys.modules if m.startswith('vgi_pack_text')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "['vgi_pack_text']"
