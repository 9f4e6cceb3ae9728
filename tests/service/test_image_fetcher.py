"""The guarded img_url fetcher in-process, against real HTTP servers on loopback.

The network backend under the guard is the real one, wrapped to record every address it
is asked to connect to; it refuses anything but loopback itself, so even a broken guard
could never send traffic off this machine.
"""

from __future__ import annotations

import ipaddress
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import httpcore
import pytest
from service_support import gzip_bomb, qr_photo

from imgqrcode.service.address_policy import AddressPolicy
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.image_fetcher import ImageFetcher

MAX_BYTES = 2 * 1024 * 1024


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """The real backend, recording each connect; it will not leave loopback."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connects: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"the guard let a connection to {host} through")
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def fetch(
    url: str,
    allow: tuple[str, ...] = (),
    timeout: float = 3.0,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[Any, list[str]]:
    """(bytes or the ApiError, the addresses connected to)."""
    backend = RecordingBackend()

    async def run() -> Any:
        fetcher = ImageFetcher(
            AddressPolicy.from_cidrs(allow),
            MAX_BYTES,
            timeout,
            "test",
            backend=backend,
            ssl_context=ssl_context,
        )
        try:
            return await fetcher.fetch(url)
        except ApiError as error:
            return error
        finally:
            await fetcher.aclose()

    return anyio.run(run), backend.connects


def assert_refused(outcome: Any) -> None:
    assert isinstance(outcome, ApiError), outcome
    assert outcome.code is ErrorCode.INVALID_IMAGE_URL


def test_an_allowed_host_is_fetched_by_the_address_that_was_checked(image_host) -> None:
    body, connects = fetch(image_host.url("/qr.jpg"), allow=(image_host.cidr,))
    assert body[:2] == b"\xff\xd8" and len(body) > 1000
    assert connects == ["127.0.0.2"]


def test_without_the_allow_setting_even_the_image_host_is_refused(image_host) -> None:
    outcome, connects = fetch(image_host.url("/qr.jpg"))
    assert_refused(outcome)
    assert "loopback" in outcome.detail
    assert connects == []


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "169.254.169.254", "[::ffff:169.254.169.254]", "100.64.0.1", "[fd00::1]"]
)
def test_private_and_metadata_addresses_are_refused_before_connecting(host: str) -> None:
    outcome, connects = fetch(f"http://{host}/latest/meta-data/")
    assert_refused(outcome)
    assert connects == []


def test_a_redirect_to_a_private_address_is_refused_before_connecting(image_host) -> None:
    url = image_host.url("/redirect?to=http://169.254.169.254/latest/meta-data/")
    outcome, connects = fetch(url, allow=(image_host.cidr,))
    assert_refused(outcome)
    assert connects == ["127.0.0.2"]


def test_three_redirects_are_followed_and_a_fourth_is_refused(image_host) -> None:
    body, connects = fetch(image_host.url("/chain/3"), allow=(image_host.cidr,))
    assert set(connects) == {"127.0.0.2"}
    assert body == qr_photo("https://www.qq.com/img_url")
    outcome, _ = fetch(image_host.url("/chain/4"), allow=(image_host.cidr,))
    assert_refused(outcome)
    assert "redirects" in outcome.detail


@pytest.mark.parametrize("url", ["ftp://127.0.0.2/x.jpg", "file:///etc/passwd", "gopher://x/"])
def test_schemes_other_than_http_and_https_are_refused(url: str) -> None:
    outcome, connects = fetch(url, allow=("127.0.0.0/8",))
    assert_refused(outcome)
    assert connects == []


def test_a_body_that_never_ends_is_cut_off_past_the_size_limit(image_host) -> None:
    started = time.monotonic()
    outcome, _ = fetch(image_host.url("/endless"), allow=(image_host.cidr,), timeout=10)
    assert_refused(outcome)
    assert "over" in outcome.detail
    assert time.monotonic() - started < 5


def test_a_body_gzipped_unasked_is_inflated(image_host) -> None:
    body, _ = fetch(image_host.url("/qr-gzipped.jpg"), allow=(image_host.cidr,))
    plain, _ = fetch(image_host.url("/qr.jpg"), allow=(image_host.cidr,))
    assert body == plain


@pytest.mark.parametrize(
    ("path", "why"),
    [("/gzip-bomb", "over"), ("/gzip-bomb-twice", "Content-Encoding 'gzip, gzip' not accepted")],
)
def test_a_gzip_bomb_is_refused_without_inflating_it(image_host, path: str, why: str) -> None:
    gzip_bomb(256 << 20), gzip_bomb(1 << 30)  # made before memory is measured
    tracemalloc.start()
    try:
        outcome, _ = fetch(image_host.url(path), allow=(image_host.cidr,), timeout=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(outcome)
    assert why in outcome.detail
    assert peak < 32 * 1024 * 1024  # the 2 MiB limit and a chunk or two, not the bomb


def test_an_announced_oversize_body_is_refused_from_its_headers(image_host) -> None:
    outcome, _ = fetch(image_host.url("/oversize-declared"), allow=(image_host.cidr,))
    assert_refused(outcome)
    assert "Content-Length" in outcome.detail


def test_a_slow_body_hits_the_total_time_limit(image_host) -> None:
    started = time.monotonic()
    outcome, _ = fetch(image_host.url("/slow"), allow=(image_host.cidr,), timeout=1.5)
    assert_refused(outcome)
    assert 1.4 < time.monotonic() - started < 4


def test_an_http_error_status_is_refused(image_host) -> None:
    outcome, _ = fetch(image_host.url("/missing.jpg"), allow=(image_host.cidr,))
    assert_refused(outcome)
    assert "404" in outcome.detail


@pytest.fixture(scope="module")
def tls_host(tmp_path_factory) -> Iterator[tuple[int, ssl.SSLContext]]:
    """An HTTPS server on 127.0.0.1 whose self-signed certificate names only `localhost`;
    yields its port and a client context that trusts that certificate."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    photo = qr_photo("https://www.qq.com/tls")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(photo)))
            self.end_headers()
            self.wfile.write(photo)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], ssl.create_default_context(cafile=str(cert))
    server.shutdown()
    server.server_close()


def fetch_tls(url: str, context: ssl.SSLContext) -> tuple[Any, list[str]]:
    return fetch(url, allow=("127.0.0.1/32",), timeout=5.0, ssl_context=context)


def test_https_connects_to_the_checked_address_and_verifies_the_urls_name(tls_host) -> None:
    port, context = tls_host
    body, connects = fetch_tls(f"https://localhost:{port}/qr.jpg", context)
    assert body == qr_photo("https://www.qq.com/tls")
    assert connects == ["127.0.0.1"]  # by address; the certificate was checked for localhost
    outcome, connects = fetch_tls(f"https://127.0.0.1:{port}/qr.jpg", context)
    assert_refused(outcome)  # same address, but the certificate does not name 127.0.0.1
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.detail, outcome.detail
    assert connects == ["127.0.0.1"]
