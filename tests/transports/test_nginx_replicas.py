"""Two HTTP replicas behind a real nginx, round-robin: any turn of any stream may land on either.

nginx comes from Debian (.ci/run installs it); its config is written to a
temporary directory, it runs in the foreground, and it is stopped by pid.  The
access log records which replica served each request, so a test can prove that
one stream's turns really crossed replicas while its answer stayed exact.
"""

import contextlib
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from vgi.client import Client

from tests.transports import kinds
from tests.transports.conftest import SIGNING_KEY
from tests.transports.servers import free_port, serve, stop_pid

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (.ci/run installs Debian's nginx)"
)

CONFIG = """\
{user}worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format turns '$request_method $request_uri $upstream_addr $status';
    access_log {root}/access.log turns;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream vgi_host {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 512m;
        location / {{
            proxy_pass http://vgi_host;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.root / "access.log"

    def log_mark(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def turns_since(self, mark: int) -> list[tuple[str, str]]:
        """(request uri, replica address) for each request logged after ``mark``."""
        time.sleep(0.2)  # nginx writes the log line after the response
        with self.access_log.open("rb") as log:
            log.seek(mark)
            lines = log.read().decode().splitlines()
        return [(line.split()[1], line.split()[2]) for line in lines if line.strip()]


@contextlib.contextmanager
def nginx_in_front_of(replica_ports: list[int], root: Path):
    if NGINX is None:  # every suite that puts nginx in front skips alike, naming it
        pytest.skip("nginx is not installed (.ci/run installs Debian's nginx)")
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in replica_ports)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(CONFIG.format(user=user, root=root, servers=servers, port=port))
    process = subprocess.Popen(
        [NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                    stderr = process.stderr.read().decode()
                    raise RuntimeError(f"nginx did not start: {stderr} {error}") from None
                time.sleep(0.1)
        yield Nginx(root, port)
    finally:
        stop_pid(process.pid)
        process.wait(timeout=15)
        process.stderr.close()


@contextlib.contextmanager
def replicas_behind_nginx(keys: list[str], root: Path):
    with contextlib.ExitStack() as stack:
        served = [
            stack.enter_context(serve("--http", "--port", "0", env={"VGI_SIGNING_KEY": key})) for key in keys
        ]
        ports = [s.port for s in served]
        with nginx_in_front_of(ports, root) as nginx:
            yield nginx, ports


@pytest.fixture(scope="module")
def shared_key_pair(tmp_path_factory):
    with replicas_behind_nginx([SIGNING_KEY, SIGNING_KEY], tmp_path_factory.mktemp("nginx-shared")) as pair:
        yield pair


@pytest.mark.parametrize("kind", list(kinds.KINDS))
def test_every_kind_exact_through_round_robin(shared_key_pair, kind):
    nginx, _ = shared_key_pair
    with Client.from_http(nginx.url) as client:
        kinds.KINDS[kind](client)


@pytest.mark.parametrize("kind", ["table", "table_in_out"])
def test_one_streams_turns_land_on_both_replicas(shared_key_pair, kind):
    nginx, ports = shared_key_pair
    mark = nginx.log_mark()
    with Client.from_http(nginx.url) as client:
        kinds.KINDS[kind](client)
    stream_turns = [(uri, replica) for uri, replica in nginx.turns_since(mark) if "/init/" in uri]
    print(f"\n{kind}: {len(stream_turns)} turns of one stream through nginx:")
    for uri, replica in stream_turns:
        print(f"  {uri:<28} -> {replica}")
    assert len(stream_turns) >= 3, stream_turns
    assert {replica for _, replica in stream_turns} == {f"127.0.0.1:{p}" for p in ports}, stream_turns


def test_replicas_with_different_keys_fail_clearly_never_wrongly(tmp_path):
    """A turn sealed by one replica and opened by another must be refused, not misread."""
    keys = ["replica-one-key-aaaaaaaaaaaaaaaaaaaa", "replica-two-key-bbbbbbbbbbbbbbbbbbbb"]
    refused: dict[str, str] = {}
    with replicas_behind_nginx(keys, tmp_path / "nginx-split") as (nginx, _):
        for kind, check in kinds.KINDS.items():
            with Client.from_http(nginx.url) as client:
                try:
                    check(client)  # an answer, when there is one, must be exact (asserted inside)
                except AssertionError:
                    raise
                except Exception as exc:
                    refused[kind] = str(exc)
    # A table stream has >= 5 turns, so some turn crossed replicas and was refused.
    assert "table" in refused
    # Streams: vgi-rpc's token check; aggregates: the state store's own seal (the replicas share one
    # SQLite store here, and a blob sealed with one key is refused by a host holding the other).
    refusal = (
        r"(State|Call) token signature verification failed"
        r"|refusing a \w+ blob of aggregate execution .*written by a host with a different key"
    )
    for kind, message in refused.items():
        assert re.search(refusal, message), (kind, message)
