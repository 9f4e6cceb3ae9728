"""Where codes were already read, and whether any print is left that may be another code.

The cascade costs several fast paths; on an easy image, where the fast path read every
code there is, it must cost next to nothing. So before any stage searches, a thumbnail
is checked for printed patches outside the codes already read: a clean photo of one
code (with its printed digits) has none and ends the scan at once; a photo that read
nothing, or shows more print than its codes, goes on.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence

import cv2
import numpy as np

from imgqrcode.reader import geometry
from imgqrcode.reader.cascade import structure
from imgqrcode.reader.result import Code

GROWTH = 0.15
"""Read codes are grown by this fraction of their size: their quiet zone and printed digits
belong to them and would otherwise look like a fresh candidate."""

LABEL_GROWTH = 0.5
"""For the gate, read codes are grown further: a code is usually printed on a label with
its text (a product name, a serial number) beside it, which is no other code."""

THUMB_SIDE = 256
"""Longest side of the thumbnail the gate looks at: cheap next to any decode."""

THUMB_CELL = 4

MIN_LEFT_CELLS = 6
"""Printed thumbnail cells left outside the read codes below which nothing can remain: a
code smaller than this many cells (a 1600-pixel photo's 100 x 40 pixels) cannot be read."""


def footprints(codes: Iterable[Code], growth: float = GROWTH) -> list[np.ndarray]:
    """The grown quadrilateral of each code, as float32 contours for OpenCV."""
    out = []
    for code in codes:
        quad = geometry.to_quad(code.position)
        centre = quad.mean(axis=0)
        grown = centre + (quad - centre) * (1.0 + 2 * growth)
        out.append(grown.astype(np.float32).reshape(-1, 1, 2))
    return out


def covered(point: tuple[float, float], contours: Iterable[np.ndarray]) -> bool:
    """Whether ``point`` lies inside one of ``contours`` (from :func:`footprints`)."""
    p = (float(point[0]), float(point[1]))
    return any(cv2.pointPolygonTest(contour, p, False) >= 0 for contour in contours)


_lock = threading.Lock()
_printed: tuple[weakref.ref[np.ndarray], np.ndarray, float] | None = None


def may_remain(gray: np.ndarray, found: Sequence[Code]) -> bool:
    """Whether ``gray`` may hold a code besides ``found`` (always, if nothing was found)."""
    if not found:
        return True
    printed, scale = _printed_cells(gray)
    left = printed.copy()
    for contour in footprints(found, LABEL_GROWTH):
        cells = (contour + 0.5) * (scale / THUMB_CELL) - 0.5
        cv2.fillPoly(left, [np.rint(cells).astype(np.int32)], 0)
    return int(np.count_nonzero(left)) >= MIN_LEFT_CELLS


def _printed_cells(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Thumbnail cells whose gradient energy stands out from noise, and the thumbnail's
    scale; remembered for the last image, which every stage of a scan asks about."""
    global _printed
    with _lock:
        if _printed is not None and _printed[0]() is gray:
            return _printed[1], _printed[2]
    scale = min(1.0, THUMB_SIDE / max(gray.shape))
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    thumb = cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    gx = cv2.Sobel(thumb, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(thumb, cv2.CV_32F, 0, 1, ksize=3)
    cells = (max(1, size[0] // THUMB_CELL), max(1, size[1] // THUMB_CELL))
    energy = cv2.resize(gx * gx + gy * gy, cells, interpolation=cv2.INTER_AREA)
    printed = cv2.morphologyEx(
        (energy > structure.noise_floor(energy)).astype(np.uint8),
        cv2.MORPH_OPEN,
        np.ones((2, 2), np.uint8),
    )
    with _lock:
        _printed = (weakref.ref(gray), printed, scale)
    return printed, scale
