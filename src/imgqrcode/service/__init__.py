"""The WeChat imgQrcode-compatible HTTP service; it knows nothing of pixels.

It reads requests, checks tokens and limits, fetches ``img_url`` through a guard, and
hands image bytes to :func:`imgqrcode.reader.scanner.scan` on a bounded thread pool.
"""

from imgqrcode.service.app import create_app
from imgqrcode.service.config import ServiceConfig

__all__ = ["ServiceConfig", "create_app"]
