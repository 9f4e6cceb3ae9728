"""Images derived from the original by a known projective map.

Every cascade stage decodes a transformed image (a rotated crop, an up-scaled copy, a
rectified quadrilateral). Each carries the homography from its own pixel frame back to
the original's (the convention of :mod:`imgqrcode.reader.geometry`), so the corners
zxing-cpp reports there always land in the original frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader import geometry

MAX_SIDE = 1400
"""Longest side of a derived image: decoding time grows with pixels, readability does not."""


@dataclass(frozen=True, slots=True)
class Warped:
    """``image`` and the 3x3 ``transform`` from its pixel frame to the original's."""

    image: np.ndarray
    transform: np.ndarray


def cropped(image: np.ndarray, box: tuple[int, int, int, int]) -> Warped:
    """The ``(left, top, right, bottom)`` part of ``image`` (a view, no copy)."""
    x0, y0, x1, y1 = box
    return Warped(image[y0:y1, x0:x1], geometry.translation(x0, y0))


def enlarged(source: Warped, factor: float) -> Warped:
    """``source`` resized by ``factor`` (cubic when enlarging, area when shrinking)."""
    h, w = source.image.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    out = cv2.resize(source.image, size, interpolation=interpolation)
    fx, fy = size[0] / w, size[1] / h
    # Pixel centres: x' + 0.5 = (x + 0.5) * f, so x = (x' + 0.5) / f - 0.5.
    back = np.array([[1 / fx, 0.0, 0.5 / fx - 0.5], [0.0, 1 / fy, 0.5 / fy - 0.5], [0.0, 0.0, 1.0]])
    return Warped(out, source.transform @ back)


def rotated_crop(
    image: np.ndarray,
    center: tuple[float, float],
    angle: float,
    size: tuple[float, float],
    zoom: float = 1.0,
) -> Warped:
    """The ``size`` (width, height) rectangle at ``center`` turned by ``angle`` radians,
    rotated so that its ``angle`` direction points right, and resized by ``zoom``.

    Pixels outside the image replicate its border, which keeps a barcode's quiet zone
    light when the candidate touches the image edge.
    """
    w, h = max(1, round(size[0] * zoom)), max(1, round(size[1] * zoom))
    c, s = math.cos(angle), math.sin(angle)
    cx, cy = center
    # Original -> crop: centre to origin, rotate by -angle, zoom, recentre.
    forward = np.array(
        [
            [zoom * c, zoom * s, (w - 1) / 2 - zoom * (c * cx + s * cy)],
            [-zoom * s, zoom * c, (h - 1) / 2 - zoom * (-s * cx + c * cy)],
            [0.0, 0.0, 1.0],
        ]
    )
    interpolation = cv2.INTER_CUBIC if zoom > 1 else cv2.INTER_LINEAR
    out = cv2.warpAffine(
        image, forward[:2], (w, h), flags=interpolation, borderMode=cv2.BORDER_REPLICATE
    )
    return Warped(out, np.linalg.inv(forward))


def rectified_within(source: Warped, quad: np.ndarray, margin_share: float = 0.08) -> Warped:
    """The quadrilateral ``quad`` of ``source.image`` rectified to a rectangle of its own
    mean side lengths, with a margin, mapped back through ``source``'s transform."""
    width = round((np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2)
    height = round((np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2)
    shrink = min(1.0, MAX_SIDE / (1 + 2 * margin_share) / max(width, height, 1))
    width, height = round(width * shrink), round(height * shrink)
    margin = max(4, round(margin_share * max(width, height)))
    inner = rectified(source.image, quad, (max(width, 1), max(height, 1)), margin)
    return Warped(inner.image, source.transform @ inner.transform)


def rectified(image: np.ndarray, quad: np.ndarray, size: tuple[int, int], margin: int) -> Warped:
    """The quadrilateral ``quad`` (4 corners, clockwise from the top left) rectified to a
    ``size`` rectangle, with ``margin`` pixels of its surroundings on every side."""
    w, h = size
    target = np.array(
        [[margin, margin], [margin + w, margin], [margin + w, margin + h], [margin, margin + h]],
        dtype=np.float32,
    )
    forward = cv2.getPerspectiveTransform(np.asarray(quad, dtype=np.float32), target)
    out = cv2.warpPerspective(
        image,
        forward,
        (w + 2 * margin, h + 2 * margin),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return Warped(out, np.linalg.inv(forward.astype(np.float64)))
