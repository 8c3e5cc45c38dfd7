"""The pack as DuckDB sees it through ``vgi-host serve``: entry point, catalog entries, documentation."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import vgi_pack_text
from vgi_pack_text.tokens import TOP_K_RESULT

from vgi_host import FunctionStability, NullHandling

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"

KINDS = {
    "levenshtein": "SCALAR",
    "slugify": "SCALAR",
    "tokenize": "TABLE",  # a table-in-out function is a table function to DuckDB
    "top_k_tokens": "AGGREGATE",
}


def test_entry_point_names_the_hook_module():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["name"] == "vgi-pack-text"
    assert project["entry-points"]["vgi.functions"] == {"text": "vgi_pack_text"}


def test_the_host_serves_every_registered_function_under_its_kind(vgi):
    registered: list[type] = []
    vgi_pack_text.register_functions(registered.append)
    served = {info.name: info.function_type.name for info in vgi.functions("text")}
    assert len(served) == len(registered)
    assert served == KINDS


def test_every_function_is_documented_with_examples_that_call_it(vgi):
    vgi.assert_documented("text")
    for info in vgi.functions("text"):
        assert all("text." in example.sql for example in info.examples), info.name


def test_scalar_signatures(vgi):
    slugify = vgi.function("text", "slugify")
    assert slugify.arguments.names == ["s"]
    assert slugify.output_schema.types == [pa.string()]
    levenshtein = vgi.function("text", "levenshtein")
    assert levenshtein.arguments.names == ["a", "b"]
    assert levenshtein.output_schema.types == [pa.int64()]
    for info in (slugify, levenshtein):
        assert info.stability is FunctionStability.CONSISTENT
        assert info.null_handling is NullHandling.DEFAULT


def test_tokenize_catalog_entry(vgi):
    info = vgi.function("text", "tokenize")
    arguments = info.arguments
    assert arguments.names == ["key_column", "text_column", "data"]
    assert arguments.field("key_column").type == pa.string()
    assert arguments.field("data").metadata[b"vgi_type"] == b"table"
    assert b"vgi_type" not in arguments.field("key_column").metadata
    assert info.max_workers == 8
    assert info.has_finalize is False


def test_top_k_tokens_catalog_entry(vgi):
    info = vgi.function("text", "top_k_tokens")
    assert info.arguments.names == ["text", "k"]
    k = info.arguments.field("k")
    assert k.type == pa.int64()
    assert k.metadata[b"vgi_const"] == b"true"
    assert k.metadata[b"vgi_default"] == b"10"
    assert k.metadata[b"vgi_range"] == b"[1, +inf)"
    assert info.output_schema.types == [TOP_K_RESULT]
    assert (
        pa.list_(pa.struct([pa.field("token", pa.string()), pa.field("count", pa.int64())])) == TOP_K_RESULT
    )


def test_importing_the_pack_module_defers_the_function_modules():
    """The host imports the entry point's module to find the hook; that import stays cheap."""
    code = "import sys, vgi_pack_text; print(sorted(m for m in sys.modules if m.startswith('vgi_pack_text')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "['vgi_pack_text']"
