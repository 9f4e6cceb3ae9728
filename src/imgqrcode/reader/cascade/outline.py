"""The four corners of the printed symbol in a crop, to undo perspective.

zxing-cpp's PDF417 and DataMatrix detectors tolerate rotation but little keystone: rows
that converge across a stacked symbol, or a square seen as a trapezoid. Around a
candidate, the symbol is the largest solid patch of dense print; its convex hull,
simplified to four corners, is the quadrilateral to rectify.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from imgqrcode.reader.cascade import warp

MIN_SHARE = 0.08
"""Smallest part of the crop the symbol covers: below, the patch found is not it."""


def outline(image: np.ndarray) -> np.ndarray | None:
    """Corners ``(4, 2)`` (left-top, right-top, right-bottom, left-bottom as the crop is
    seen) of the largest densely printed patch of ``image``, or ``None``."""
    h, w = image.shape
    gradient = cv2.morphologyEx(image, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, mask = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    size = max(3, round(min(h, w) / 40)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    # Opening with a larger element drops lines (a label's edge) that touch the symbol.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel, iterations=2)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(largest) < MIN_SHARE * h * w:
        return None
    hull = cv2.convexHull(largest)
    perimeter = cv2.arcLength(hull, True)
    for share in (0.02, 0.04, 0.06, 0.08):
        corners = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(corners) == 4:
            return _ordered(corners.reshape(4, 2).astype(np.float64))
    return None


def rectified(source: warp.Warped) -> Iterator[warp.Warped]:
    """``source`` rectified by the :func:`outline` of its symbol, if it shows one: a
    rendition a stage yields from, so that a crop without an outline adds none."""
    corners = outline(source.image)
    if corners is not None:
        yield warp.rectified_within(source, corners)


def _ordered(corners: np.ndarray) -> np.ndarray:
    """Clockwise from the corner nearest the crop's top left (image coordinates)."""
    centre = corners.mean(axis=0)
    angles = np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0])
    clockwise = corners[np.argsort(angles)]
    start = int(np.argmin(clockwise.sum(axis=1)))
    return np.roll(clockwise, -start, axis=0)
