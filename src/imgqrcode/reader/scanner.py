"""``scan()``: the reading core's one entry point.

Thread-safe: what a scan derives from its image is kept with that image
(:meth:`ImageView.derived`), and zxing-cpp and OpenCV release the GIL, so the service
runs it from a thread pool.
"""

from __future__ import annotations

import dataclasses
import time

from imgqrcode.reader import image_loader, pipeline, symbology
from imgqrcode.reader.image_loader import ImageSource
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.result import ScanResult

DEFAULT_OPTIONS = ScanOptions()


def scan(source: ImageSource, options: ScanOptions | None = None) -> ScanResult:
    """Every code in ``source``, in reading order, in the frame a person sees.

    ``source`` is encoded image bytes, a path, a PIL image, or an array as OpenCV holds
    it (greyscale, BGR or BGRA; 8 or 16 bits, or floating point from 0 to 1 as OpenCV
    and scikit-image make it, or to 255). Raises :class:`InvalidImageError` for anything
    that is not a supported image (and :class:`~imgqrcode.reader.symbology.UnknownSymbologyError`
    for a ``formats`` option naming no known symbology).
    """
    options = _normalised(options or DEFAULT_OPTIONS)
    started = time.monotonic()
    view = image_loader.load(source, options.max_pixels)
    loaded = time.monotonic()
    codes, timings = pipeline.run(view, options)
    timings = {"load": loaded - started, **timings, "total": time.monotonic() - started}
    return ScanResult(codes=tuple(codes), width=view.width, height=view.height, timings=timings)


def _normalised(options: ScanOptions) -> ScanOptions:
    if options.formats is None:
        return options
    return dataclasses.replace(options, formats=symbology.parse_type_names(options.formats))
