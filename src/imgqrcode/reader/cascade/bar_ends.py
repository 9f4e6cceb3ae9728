"""The box of a linear code seen in perspective: each end measured on its own.

The box measured around a scan line is a rectangle; in perspective the bars at one end of
a symbol are taller than at the other, so its corners are several pixels off at both
ends. On the upright crop a cascade stage decoded, each end's bars are measured
separately (rows that still show the pattern of the bars at the middle of the crop's
height) and the box becomes the quadrilateral through both ends.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from imgqrcode.reader import geometry
from imgqrcode.reader.cascade.warp import Warped
from imgqrcode.reader.result import Code

END_SHARE = 0.15
"""Width of each end band, as a fraction of the symbol's length: a dozen modules or more."""

MIN_CORRELATION = 0.5
MAX_MISSES = 2
MAX_CHANGE = 0.35
"""An end whose height differs from the rectangle's by more than this share is a
mismeasure (a printed digit, a label edge): the rectangle is kept there."""


def fitted(code: Code, crop: Warped, frame: tuple[int, int]) -> Code:
    """``code`` (read from the upright ``crop``) with its box fitted to both ends' bars."""
    to_crop = np.linalg.inv(crop.transform)
    quad = geometry.apply(to_crop, geometry.to_quad(code.position))
    x0, x1 = float(quad[:, 0].min()), float(quad[:, 0].max())
    y0, y1 = float(quad[:, 1].min()), float(quad[:, 1].max())
    width = x1 - x0
    if width < 20 or y1 - y0 < 4:
        return code
    band = max(3, round(END_SHARE * width))
    ends = {
        "left": _extent(crop.image, round(x0), round(x0) + band, y0, y1),
        "right": _extent(crop.image, round(x1) - band, round(x1), y0, y1),
    }
    fitted_quad = quad.copy()
    for index, (x, y) in enumerate(quad):
        top, bottom = ends["left" if x < (x0 + x1) / 2 else "right"]
        fitted_quad[index, 1] = top if y < (y0 + y1) / 2 else bottom
    back = geometry.apply(crop.transform, fitted_quad)
    return _replace_position(code, back, frame)


def _extent(image: np.ndarray, left: int, right: int, y0: float, y1: float) -> tuple[float, float]:
    """Top and bottom (pixel edges) of the bars between columns ``left`` and ``right``."""
    w = image.shape[1]
    left, right = max(0, left), min(w, right)
    strip = image[:, left:right].astype(np.float32)
    if strip.shape[1] < 3:
        return y0, y1
    centred = strip - strip.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)
    middle = slice(round(y0 + 0.35 * (y1 - y0)), max(round(y0 + 0.65 * (y1 - y0)), round(y0) + 1))
    reference = centred[middle].mean(axis=0)
    ref_norm = float(np.linalg.norm(reference))
    if ref_norm == 0.0:
        return y0, y1
    correlation = centred @ reference / np.maximum(norms * ref_norm, 1e-6)
    good = correlation >= MIN_CORRELATION
    centre = (y0 + y1) / 2
    first, last = _run(good, min(len(good) - 1, int(centre)))
    top, bottom = first, last + 1
    height = y1 - y0
    if abs((bottom - top) - height) > MAX_CHANGE * height:
        return y0, y1
    return float(top), float(bottom)


def _run(good: np.ndarray, start: int) -> tuple[int, int]:
    """First and last row of the run of good rows through ``start``, bridging gaps of up
    to ``MAX_MISSES`` bad rows."""
    column = good.astype(np.uint8).reshape(-1, 1)
    kernel = np.ones((2 * MAX_MISSES + 1, 1), np.uint8)
    bridged = cv2.morphologyEx(column, cv2.MORPH_CLOSE, kernel).ravel().astype(bool)
    bridged[start] = True
    gaps_above = np.flatnonzero(~bridged[:start])
    gaps_below = np.flatnonzero(~bridged[start:])
    first = int(gaps_above[-1]) + 1 if len(gaps_above) else 0
    last = start + int(gaps_below[0]) - 1 if len(gaps_below) else len(good) - 1
    return first, last


def _replace_position(code: Code, quad: np.ndarray, frame: tuple[int, int]) -> Code:
    return dataclasses.replace(code, position=geometry.to_position(quad, *frame))
