"""imgqrcode.Client against real servers on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from service_support import PHOTO, free_port, stable_token

import imgqrcode
from imgqrcode.client import ApiError, Client


def texts(result: dict) -> list[str]:
    return [code["data"] for code in result["code_results"]]


def test_it_is_exported_as_imgqrcode_client():
    assert imgqrcode.Client is Client


def test_files_bytes_and_urls(live_server, image_host, tmp_path):
    server = live_server("--fetch-allow-cidr", image_host.cidr)
    path = tmp_path / "photo.jpg"
    path.write_bytes(PHOTO)
    with Client(server.base_url, server.appid, server.secret) as client:
        assert texts(client.scan_file(path)) == ["https://www.qq.com"]
        assert texts(client.scan_file(str(path))) == ["https://www.qq.com"]
        assert texts(client.scan_file(PHOTO)) == ["https://www.qq.com"]
        assert texts(client.scan_url(image_host.url("/qr.jpg"))) == ["https://www.qq.com/img_url"]
        with pytest.raises(ApiError) as refused:
            client.scan_url("http://169.254.169.254/")
        assert refused.value.errcode == 101000


def test_a_refused_token_is_refreshed_once_and_the_call_retried(live_server):
    server = live_server()
    with Client(server.base_url, server.appid, server.secret) as client:
        client.scan_file(PHOTO)
        cached = client.access_token()
        stable_token(server, force_refresh=True)  # ends `cached`
        assert texts(client.scan_file(PHOTO)) == ["https://www.qq.com"]
        assert client.access_token() != cached
    errcodes = [line["errcode"] for line in server.access_log("/cv/img/qrcode", at_least=3)]
    assert errcodes == [0, 40001, 0]


def test_without_credentials_for_a_no_auth_server(live_server):
    server = live_server("--no-auth")
    with Client(server.base_url) as client:
        assert texts(client.scan_file(PHOTO)) == ["https://www.qq.com"]


def test_system_errors_are_retried_with_backoff_then_raised(live_server, disposable_redis):
    server = live_server("--store", f"{disposable_redis.url}/0")
    with Client(server.base_url, server.appid, server.secret, retries=2, backoff=0.05) as client:
        client.access_token()
        disposable_redis.stop()
        with pytest.raises(ApiError) as failed:
            client.scan_file(PHOTO)
    assert failed.value.errcode == -1
    errcodes = [line["errcode"] for line in server.access_log("/cv/img/qrcode", at_least=3)]
    assert errcodes == [-1, -1, -1]


def test_the_default_host_is_wechats():
    client = Client(appid="wx0", secret="s")
    assert client.base_url == "https://api.weixin.qq.com"
    client.close()


class _Peer(BaseHTTPRequestHandler):
    """Answers each request with the next of the server's scripted answers (the last one
    over and over), and records its request line."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server: Any = self.server
        server.requests.append(self.requestline)
        path = urlsplit(self.path).path
        answers = server.answers[path]
        status, content_type, body = answers.pop(0) if len(answers) > 1 else answers[0]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


Answer = tuple[int, str, bytes]
SCAN, TOKEN = "/cv/img/qrcode", "/cgi-bin/stable_token"
OK: Answer = (200, "application/json", json.dumps({"errcode": 0, "code_results": []}).encode())
PROXY_PAGE: Answer = (502, "text/html", b"<html><body>502 Bad Gateway</body></html>")


@pytest.fixture
def peer() -> Iterator[Callable[..., Any]]:
    """An HTTP server on 127.0.0.1 with scripted answers per path: an API that is not
    ours, a reverse proxy's error pages, or a forward proxy."""
    servers: list[ThreadingHTTPServer] = []

    def start(answers: dict[str, list[Answer]]) -> Any:
        server: Any = ThreadingHTTPServer(("127.0.0.1", free_port()), _Peer)
        server.daemon_threads = True
        server.requests = []
        server.answers = answers
        server.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_answers_that_are_not_the_apis_json_are_retried_as_system_errors(peer):
    """A reverse proxy's error page while the service restarts is -1, system busy."""
    server = peer({SCAN: [PROXY_PAGE, PROXY_PAGE, OK]})
    with Client(server.url, retries=2, backoff=0.01) as client:
        assert client.scan_file(b"image") == json.loads(OK[2])
    assert len(server.requests) == 3
    server = peer({SCAN: [PROXY_PAGE]})
    with Client(server.url, retries=1, backoff=0.01) as client, pytest.raises(ApiError) as failed:
        client.scan_file(b"image")
    assert failed.value.errcode == -1 and "HTTP 502" in failed.value.errmsg
    null = (200, "application/json", b'{"errcode": null, "code_results": []}')
    with Client(peer({SCAN: [null]}).url) as client:
        assert client.scan_file(b"image")["code_results"] == []


def test_the_environments_proxy_is_used_unless_no_proxy_names_the_host(peer, monkeypatch):
    proxy, api = peer({SCAN: [OK]}), peer({SCAN: [OK]})
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with Client(api.url) as client:
        client.scan_file(b"image")
    assert proxy.requests == [f"POST {api.url}/cv/img/qrcode HTTP/1.1"]
    assert api.requests == []
    # Without a scheme, as curl and httpx take it.
    monkeypatch.setenv("HTTP_PROXY", proxy.url.removeprefix("http://"))
    with Client(api.url) as client:
        client.scan_file(b"image")
    assert len(proxy.requests) == 2 and api.requests == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with Client(api.url) as client:
        client.scan_file(b"image")
    assert len(proxy.requests) == 2
    assert api.requests == ["POST /cv/img/qrcode HTTP/1.1"]


def test_a_short_lived_token_is_kept_for_half_its_life(peer):
    """A server's --token-ttl of a minute or less: renewed at once, it would be asked
    for on every call, and soon refused by the token endpoint's rate limit."""
    token = {"access_token": "short", "expires_in": 30}
    server = peer({TOKEN: [(200, "application/json", json.dumps(token).encode())], SCAN: [OK]})
    with Client(server.url, "wx0", "secret") as client:
        for _ in range(5):
            client.scan_file(b"image")
    assert [line.split()[1] for line in server.requests].count(TOKEN) == 1
