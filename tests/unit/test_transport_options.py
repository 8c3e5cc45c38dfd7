"""The transports' option handling, without starting servers: keys, tokens, addresses, sizes, the page."""

import argparse
import json

import pytest

from vgi_host.cli.serve_options import _bytes
from vgi_host.transports.auth import BearerTokenError, load_bearer_tokens, parse_token_entries
from vgi_host.transports.http_settings import HttpSettings
from vgi_host.transports.landing import filter_document, render_html
from vgi_host.transports.signing import SigningKeyError, resolve_signing_key
from vgi_host.transports.tcp import parse_tcp_address


def test_signing_key_from_file_wins_over_the_environment(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-the-file-0123456789\n")
    resolved = resolve_signing_key(
        key_file, processes=4, environ={"VGI_SIGNING_KEY": "from-env-0123456789abc"}
    )
    assert resolved.key == b"from-the-file-0123456789"
    assert resolved.shared


def test_signing_key_from_the_environment():
    resolved = resolve_signing_key(None, processes=2, environ={"VGI_SIGNING_KEY": "  env-key-0123456789abc "})
    assert resolved.key == b"env-key-0123456789abc"
    assert resolved.source == "$VGI_SIGNING_KEY"


def test_no_key_is_a_private_random_key_for_one_process_and_refused_for_several():
    one = resolve_signing_key(None, processes=1, environ={})
    other = resolve_signing_key(None, processes=1, environ={})
    assert not one.shared
    assert len(one.key) == 32
    assert one.key != other.key
    with pytest.raises(SigningKeyError, match="refusing to start 3 HTTP worker processes"):
        resolve_signing_key(None, processes=3, environ={})


def test_short_or_unreadable_keys_are_refused(tmp_path):
    with pytest.raises(SigningKeyError, match="is 5 bytes; use at least 16"):
        resolve_signing_key(None, processes=1, environ={"VGI_SIGNING_KEY": "short"})
    with pytest.raises(SigningKeyError, match="cannot read --signing-key-file"):
        resolve_signing_key(tmp_path / "missing", processes=1, environ={})


def test_bearer_tokens_from_file_and_environment(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# comment\n\nabc=alice\nxyz = bob=admin\n")
    loaded = load_bearer_tokens(tokens, environ={"VGI_BEARER_TOKENS": "t1=ci, t2=ops"})
    assert loaded == {"abc": "alice", "xyz": "bob=admin", "t1": "ci", "t2": "ops"}
    assert load_bearer_tokens(None, environ={}) == {}


def test_malformed_bearer_token_names_where_it_came_from():
    with pytest.raises(BearerTokenError, match=r"\$VGI_BEARER_TOKENS, entry 2: expected token=principal"):
        parse_token_entries(["a=b", "lonely"], "$VGI_BEARER_TOKENS")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7000", ("127.0.0.1", 7000)),
        ("0", ("127.0.0.1", 0)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        (":9", ("127.0.0.1", 9)),
        ("[::1]:7000", ("::1", 7000)),
    ],
)
def test_tcp_addresses(text, expected):
    assert parse_tcp_address(text) == expected


@pytest.mark.parametrize("text", ["host:http", "70000", ""])
def test_bad_tcp_addresses(text):
    with pytest.raises(ValueError, match="--tcp"):
        parse_tcp_address(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("1048576", 1 << 20), ("64K", 64 << 10), ("1G", 1 << 30), ("0", 0)]
)
def test_sizes(text, expected):
    assert _bytes(text) == expected


def test_bad_size():
    with pytest.raises(argparse.ArgumentTypeError, match="expected a size"):
        _bytes("lots")


def test_http_settings_travel_as_json(monkeypatch):
    settings = HttpSettings(port=1234, workers=2, server="granian", selection={"enable": ["geo"]})
    monkeypatch.setenv("VGI_HOST_HTTP_SETTINGS", settings.to_json())
    assert HttpSettings.from_environment() == settings
    # Secrets never travel in the settings: only where to read them.
    assert set(json.loads(settings.to_json())) >= {"signing_key_file", "bearer_tokens_file"}
    assert "key" not in {k for k in json.loads(settings.to_json()) if not k.endswith("_file")}


DOCUMENT = {
    "host": {"name": "vgi-host", "version": "9", "protocol": "vgi.v2", "protocol_version": "2.2.0"},
    "schemas": ["main", "geo"],
    "packs": [
        {
            "name": "geo",
            "distribution": "vgi-pack-geo",
            "version": "1",
            "entry_point": "vgi_pack_geo",
            "status": "loaded",
            "error": None,
            "remedy": None,
            "function_count": 2,
            "tables": [],
            "views": [],
            "functions": [
                {
                    "name": "haversine_km",
                    "kind": "scalar",
                    "signature": "haversine_km(a DOUBLE) -> DOUBLE",
                    "summary": "Distance <b>km</b>.",
                    "description": "Distance <b>km</b>.",
                    "arguments": [],
                    "examples": [],
                    "categories": ["distance"],
                },
                {
                    "name": "geohash_encode",
                    "kind": "scalar",
                    "signature": "geohash_encode(a DOUBLE) -> VARCHAR",
                    "summary": "Geohash.",
                    "description": "Geohash.",
                    "arguments": [],
                    "examples": [],
                    "categories": [],
                },
            ],
        },
        {
            "name": "broken",
            "distribution": "vgi-pack-broken",
            "version": "1",
            "entry_point": "x",
            "status": "failed",
            "error": "import failed",
            "remedy": "reinstall it",
            "function_count": 0,
            "tables": [],
            "views": [],
            "functions": [],
        },
    ],
}


def test_filter_keeps_matching_functions_and_whole_matching_packs():
    by_function = filter_document(DOCUMENT, "GEOHASH")
    assert [(p["name"], [f["name"] for f in p["functions"]]) for p in by_function["packs"]] == [
        ("geo", ["geohash_encode"])
    ]
    assert [p["name"] for p in filter_document(DOCUMENT, "reinstall")["packs"]] == ["broken"]
    assert [p["name"] for p in filter_document(DOCUMENT, "distance km")["packs"]] == ["geo"]
    assert filter_document(DOCUMENT, "") is DOCUMENT


def test_page_escapes_pack_text_and_shows_remedies():
    page = render_html(DOCUMENT, base_url="http://h:1", query='"><script>')
    assert "Distance &lt;b&gt;km&lt;/b&gt;." in page
    assert "<b>km</b>" not in page
    assert 'value="&quot;&gt;&lt;script&gt;"' in page
    assert "<b>Remedy:</b> reinstall it" in page
    assert "LOCATION &#x27;http://h:1&#x27;" in page
