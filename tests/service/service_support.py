"""Helpers for the service tests: free ports and rendered images (no fixtures here)."""

from __future__ import annotations

import functools
import gzip
import io
import socket
from typing import Any

import httpx
import segno
from PIL import Image


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def qr_png(text: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@functools.cache
def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes gzipped: a thousandth of their size, far past any limit."""
    return gzip.compress(bytes(size), compresslevel=1)


def qr_photo(
    text: str = "https://www.qq.com",
    size: tuple[int, int] = (1000, 900),
    at: tuple[int, int] = (585, 378),
    scale: int = 8,
    kind: str = "JPEG",
) -> bytes:
    """An image of ``size`` with one QR code (quiet zone included) pasted at ``at``."""
    code = Image.open(io.BytesIO(qr_png(text, scale))).convert("RGB")
    canvas = Image.new("RGB", size, "white")
    canvas.paste(code, at)
    buffer = io.BytesIO()
    canvas.save(buffer, kind, **({"quality": 90} if kind == "JPEG" else {}))
    return buffer.getvalue()


class RawUpload:
    """An HTTP request written by hand on a socket, to send a body as slowly or as
    partially as a test needs and to read the answer before the body is complete."""

    def __init__(
        self, base_url: str, path: str, headers: dict[str, str], method: str = "POST"
    ) -> None:
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=15)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_chunk(self, data: bytes) -> None:
        self.sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def response(self, timeout: float = 15) -> str:
        """The response head and body (it is small: a WeChat JSON body)."""
        self.sock.settimeout(timeout)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received.decode("utf-8", "replace")

    def close(self) -> None:
        self.sock.close()


PHOTO = qr_photo()
"""The contract's example image: 1000x900, one QR code reading https://www.qq.com."""


def upload(server: Any, token: str | None = None, image: bytes = PHOTO) -> httpx.Response:
    """POST ``image`` as the multipart ``img`` part, with ``token`` if one is given."""
    base_url = server.base_url
    params = {"access_token": token} if token is not None else {}
    return httpx.post(
        f"{base_url}/cv/img/qrcode", params=params, files={"img": ("a.jpg", image)}, timeout=30
    )


def stable_token(server: Any, force_refresh: bool = False, **overrides: object) -> httpx.Response:
    """POST /cgi-bin/stable_token with the server's credentials (``overrides`` replace them)."""
    body: dict[str, object] = {
        "grant_type": "client_credential",
        "appid": server.appid,
        "secret": server.secret,
        "force_refresh": force_refresh,
    }
    body.update(overrides)
    url = f"{server.base_url}/cgi-bin/stable_token"
    return httpx.post(url, json=body, timeout=30)


def raw_image_upload(server: Any, length: int, path: str = "/cv/img/qrcode") -> RawUpload:
    """A raw ``image/jpeg`` POST announcing ``length`` bytes, body not yet sent."""
    headers = {"Content-Type": "image/jpeg", "Content-Length": str(length)}
    return RawUpload(server.base_url, path, headers)
