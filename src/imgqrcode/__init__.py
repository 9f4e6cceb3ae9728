"""imgqrcode: read QR codes and barcodes from photos; serve WeChat's imgQrcode API.

``import imgqrcode`` loads only the reading core; the HTTP client (and httpx) is
imported on first use of :class:`imgqrcode.Client` or :class:`imgqrcode.ApiError`.
"""

from __future__ import annotations

from typing import Any

from imgqrcode.reader import (
    Code,
    InvalidImageError,
    Point,
    Position,
    ScanOptions,
    ScanResult,
    UnknownSymbologyError,
    scan,
)

__all__ = [
    "ApiError",
    "Client",
    "Code",
    "InvalidImageError",
    "Point",
    "Position",
    "ScanOptions",
    "ScanResult",
    "UnknownSymbologyError",
    "scan",
]

_CLIENT_NAMES = frozenset({"ApiError", "Client"})


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from imgqrcode import client

        return getattr(client, name)
    raise AttributeError(f"module 'imgqrcode' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _CLIENT_NAMES)
