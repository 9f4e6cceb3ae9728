"""Where codes were already read, and whether any print is left that may be another code.

The cascade costs several fast paths; on an easy image, where the fast path read every
code there is, it must cost next to nothing. So before any stage searches, a thumbnail
is checked for printed patches outside the codes already read: a clean photo of one
code (with its printed digits) has none and ends the scan at once; a photo that read
nothing, or shows more print than its codes, goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np

from imgqrcode.reader import geometry
from imgqrcode.reader.cascade import structure
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.result import Code

GROWTH = 0.15
"""Read codes are grown by this fraction of their size: their quiet zone and printed digits
belong to them and would otherwise look like a fresh candidate."""

LABEL_GROWTH = 0.75
"""For the gate, read codes are grown further: a code is usually printed on a label with
its text (a product name, a serial number) beside it, which is no other code."""

THUMB_SIDE = 256
"""Longest side of the thumbnail the gate looks at: cheap next to any decode."""

THUMB_CELL = 4

MIN_LEFT_CELLS = 12
"""Printed cells left outside the read codes below which the scan stops: specks, a word.
A cell is about 1/64 of the image's longer side (28 pixels of a 1600-pixel photo), so
this is a patch of about 100 x 100 pixels there, or 40 x 40 in a 640-pixel image."""


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


def may_remain(view: ImageView, found: Sequence[Code]) -> bool:
    """Whether ``view`` may hold a code besides ``found`` (always, if nothing was found)."""
    if not found:
        return True
    printed, cell = view.derived(printed_cells)
    left = printed.copy()
    for contour in footprints(found, LABEL_GROWTH):
        cv2.fillPoly(left, [np.rint(contour / cell - 0.5).astype(np.int32)], 0)
    return int(np.count_nonzero(left)) >= MIN_LEFT_CELLS


def printed_cells(view: ImageView) -> tuple[np.ndarray, int]:
    """Thumbnail cells whose gradient energy stands out from noise, and the side of a cell
    in original pixels: a public derivation of the view, so the helper thread can work
    it out ahead."""
    gray = view.gray
    factor = max(1, -(-max(gray.shape) // THUMB_SIDE))
    thumb = structure.shrunk(gray, factor).astype(np.float32)
    gx = cv2.Sobel(thumb, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(thumb, cv2.CV_32F, 0, 1, ksize=3)
    energy = structure.shrunk(gx * gx + gy * gy, THUMB_CELL)
    printed = cv2.morphologyEx(
        (energy > structure.noise_floor(energy)).astype(np.uint8),
        cv2.MORPH_OPEN,
        np.ones((2, 2), np.uint8),
    )
    return printed, factor * THUMB_CELL
