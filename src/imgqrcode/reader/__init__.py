"""The reading core: image bytes in, codes out. Knows nothing of HTTP."""

from imgqrcode.reader.errors import InvalidImageError
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.result import Code, Point, Position, ScanResult
from imgqrcode.reader.scanner import scan
from imgqrcode.reader.symbology import UnknownSymbologyError

__all__ = [
    "Code",
    "InvalidImageError",
    "Point",
    "Position",
    "ScanOptions",
    "ScanResult",
    "UnknownSymbologyError",
    "scan",
]
