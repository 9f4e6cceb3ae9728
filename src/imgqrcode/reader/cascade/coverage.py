"""Where codes were already read, so later stages spend no time there again."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from imgqrcode.reader import geometry
from imgqrcode.reader.result import Code

GROWTH = 0.15
"""Read codes are grown by this fraction of their size: their quiet zone and printed digits
belong to them and would otherwise look like a fresh candidate."""


def footprints(codes: Iterable[Code]) -> list[np.ndarray]:
    """The grown quadrilateral of each code, as float32 contours for OpenCV."""
    out = []
    for code in codes:
        quad = geometry.to_quad(code.position)
        centre = quad.mean(axis=0)
        grown = centre + (quad - centre) * (1.0 + 2 * GROWTH)
        out.append(grown.astype(np.float32).reshape(-1, 1, 2))
    return out


def covered(point: tuple[float, float], contours: Iterable[np.ndarray]) -> bool:
    """Whether ``point`` lies inside one of ``contours`` (from :func:`footprints`)."""
    p = (float(point[0]), float(point[1]))
    return any(cv2.pointPolygonTest(contour, p, False) >= 0 for contour in contours)
