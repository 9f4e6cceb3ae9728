"""Local network peers for the service tests, all on loopback.

``image_host``: a real HTTP server on 127.0.0.2 (a loopback address of its own, so that
allowing it with ``--fetch-allow-cidr 127.0.0.2/32`` still leaves 127.0.0.1 forbidden)
serving images, redirects, slow, endless and oversize bodies, non-images, and bodies in
a Content-Encoding it was not asked for (a gzip bomb among them).

``trap``: a listening socket on 127.0.0.1 and [::1] (same port) that only counts the
connections it accepts, to prove that a refused fetch never connected.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from service_support import free_port, gzip_bomb, qr_photo

IMAGE_HOST = "127.0.0.2"
HANDLER_TIME_LIMIT = 15.0
QR_TEXT = "https://www.qq.com/img_url"


class _ImageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    photo = qr_photo(QR_TEXT)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        return

    def _send(self, status: int, body: bytes, content_type: str = "image/jpeg") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _drip(self, chunk: bytes, pause: float, declared: int | None) -> None:
        """Send ``chunk`` every ``pause`` seconds until the client leaves (bounded)."""
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        if declared is not None:
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        deadline = time.monotonic() + HANDLER_TIME_LIMIT
        try:
            while time.monotonic() < deadline:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            return

    def _encoded(self, body: bytes, encoding: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/qr.jpg":
            self._send(200, self.photo)
        elif path == "/qr-labelled-text":
            self._send(200, self.photo, "text/plain")
        elif path == "/not-an-image.jpg":
            self._send(200, b"<html>this is not an image</html>")
        elif path == "/missing.jpg":
            self._send(404, b"not found", "text/plain")
        elif path == "/redirect":
            self._redirect(query["to"], int(query.get("status", "302")))
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left > 0:
                self._redirect(f"/chain/{left - 1}")
            else:
                self._send(200, self.photo)
        elif path == "/slow":
            self._drip(b"\xff", 0.5, declared=100_000)
        elif path == "/endless":
            self._drip(b"\0" * 65536, 0.0, declared=None)
        elif path == "/oversize-declared":
            self._drip(b"\0" * 65536, 0.0, declared=3 * 1024 * 1024)
        elif path == "/qr-gzipped.jpg":
            self._encoded(gzip.compress(self.photo), "gzip")
        elif path == "/gzip-bomb":
            self._encoded(gzip_bomb(256 << 20), "gzip")
        elif path == "/gzip-bomb-twice":
            self._encoded(gzip.compress(gzip_bomb(1 << 30)), "gzip, gzip")
        else:
            self._send(404, b"no such path", "text/plain")


@dataclass
class ImageHost:
    base_url: str
    cidr: str = f"{IMAGE_HOST}/32"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@pytest.fixture(scope="session")
def image_host() -> Iterator[ImageHost]:
    server = ThreadingHTTPServer((IMAGE_HOST, free_port(IMAGE_HOST)), _ImageHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ImageHost(f"http://{IMAGE_HOST}:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


class Trap:
    """Counts connections accepted on 127.0.0.1:port and [::1]:port."""

    def __init__(self) -> None:
        self.accepted = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.port = free_port()
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, self.port))
            sock.listen(16)
            sock.settimeout(0.2)
            self._sockets.append(sock)
        self._running = True
        self._threads = [
            threading.Thread(target=self._accept, args=(sock,), daemon=True)
            for sock in self._sockets
        ]
        for thread in self._threads:
            thread.start()

    def _accept(self, sock: socket.socket) -> None:
        while self._running:
            try:
                connection, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._running = False
        for thread in self._threads:
            thread.join(timeout=2)
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    listener = Trap()
    yield listener
    listener.close()
