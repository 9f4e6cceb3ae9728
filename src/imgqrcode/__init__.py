"""imgqrcode: read QR codes and barcodes from photos; serve WeChat's imgQrcode API.

``import imgqrcode`` loads only the reading core; the HTTP client is imported on first
use of :class:`imgqrcode.Client`.
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
    scan,
)

__all__ = [
    "Client",
    "Code",
    "InvalidImageError",
    "Point",
    "Position",
    "ScanOptions",
    "ScanResult",
    "scan",
]


def __getattr__(name: str) -> Any:
    if name == "Client":
        from imgqrcode.client import Client

        return Client
    raise AttributeError(f"module 'imgqrcode' has no attribute {name!r}")
