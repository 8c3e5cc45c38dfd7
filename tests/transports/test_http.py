"""`serve --http`: /health, the landing page's JSON, bearer tokens, size limits, signing-key rules."""

import json
import subprocess
import urllib.error
import urllib.request

import pyarrow as pa
import pytest
from vgi.client import Client

from tests.transports import kinds
from tests.transports.conftest import SIGNING_KEY
from tests.transports.servers import serve, vgi_host_exe


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_health_and_landing_json():
    with serve("--http", "--port", "0", env={"VGI_SIGNING_KEY": SIGNING_KEY}) as served:
        status, body = get(f"{served.url}/health")
        assert status == 200
        assert json.loads(body)["status"] == "ok"
        status, body = get(f"{served.url}/?format=json")
        assert status == 200
        document = json.loads(body)
        packs = {p["name"]: p for p in document["packs"]}
        assert packs["geo"]["status"] == "loaded"
        geo_functions = {f["name"] for f in packs["geo"]["functions"]}
        assert {"haversine_km", "geohash_encode", "geo_grid", "centroid"} <= geo_functions
        assert packs["broken"]["status"] == "failed"
        assert packs["broken"]["remedy"]
        assert "traceback" not in packs["broken"]
        assert document["host"]["protocol"] == "vgi.v2"
        status, body = get(f"{served.url}/?format=json&q=geohash")
        filtered = {p["name"]: [f["name"] for f in p["functions"]] for p in json.loads(body)["packs"]}
        assert filtered == {"geo": ["geohash_decode", "geohash_encode"]}


def test_bearer_tokens_guard_everything_but_health(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# team tokens\nteam-token-1=alice\n")
    env = {"VGI_SIGNING_KEY": SIGNING_KEY, "VGI_BEARER_TOKENS": "ci-token-2=ci"}
    with serve("--http", "--port", "0", "--bearer-tokens-file", str(tokens), env=env) as served:
        assert get(f"{served.url}/health")[0] == 200
        assert get(f"{served.url}/?format=json")[0] == 401
        assert get(f"{served.url}/?format=json", token="team-token-1")[0] == 200
        rejected = r"(?i)authentication rejected|401|unauthori"
        with Client.from_http(served.url) as anonymous, pytest.raises(Exception, match=rejected):
            kinds.check_catalog(anonymous)
        for token in ("team-token-1", "ci-token-2"):
            with Client.from_http(served.url, bearer_token=token) as client:
                kinds.check_catalog(client)
                kinds.check_aggregate_groups_and_combine(client)


def test_request_size_limit_is_enforced_with_a_clear_error():
    env = {"VGI_SIGNING_KEY": SIGNING_KEY}
    with serve("--http", "--port", "0", "--max-request-bytes", "64K", env=env) as served:
        big = pa.RecordBatch.from_pydict({"value": pa.array(range(100_000), pa.int64())})
        with Client.from_http(served.url) as client:
            with pytest.raises(Exception, match=r"(?i)too large|exceeds|413|max.request"):
                client.aggregate_function(
                    function_name="sum_int",
                    schema_path=["testkit"],
                    input=[big.append_column("g", pa.array([1] * 100_000))],
                    group_by=["g"],
                )
            # Small requests still work on the same server.
            kinds.check_aggregate_groups_and_combine(client)


def run_serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [vgi_host_exe(), "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_several_workers_without_a_signing_key_refuse_to_start():
    result = run_serve("--http", "--port", "0", "--server", "granian", "--workers", "2")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "without a shared signing key" in result.stderr
    assert "VGI_SIGNING_KEY" in result.stderr


def test_unreadable_key_file_and_malformed_tokens_refuse_to_start(tmp_path):
    missing = run_serve("--http", "--signing-key-file", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert "cannot read --signing-key-file" in missing.stderr
    short = tmp_path / "short"
    short.write_text("abc\n")
    assert "use at least 16" in run_serve("--http", "--signing-key-file", str(short)).stderr
    malformed = run_serve("--http", env={"VGI_BEARER_TOKENS": "no-principal-here"})
    assert malformed.returncode == 2
    assert "expected token=principal" in malformed.stderr


def test_waitress_refuses_several_workers():
    result = run_serve("--http", "--workers", "3", env={"VGI_SIGNING_KEY": SIGNING_KEY})
    assert result.returncode == 2
    assert "--workers 3 needs --server granian" in result.stderr


def test_response_size_limit_streams_small_batches_and_refuses_a_batch_over_it():
    env = {"VGI_SIGNING_KEY": SIGNING_KEY}
    with (
        serve("--http", "--port", "0", "--max-response-bytes", "64K", env=env) as served,
        Client.from_http(served.url) as client,
    ):
        # 500-row batches fit: the stream arrives whole, turn by turn.
        assert kinds.check_table(client, n=20_000, batch=500) == 40
        with pytest.raises(Exception, match=r"exceeds max_response_bytes \(\d+ > 65536\)"):
            kinds.check_table(client, n=40_000, batch=20_000)
        kinds.check_aggregate_groups_and_combine(client)
