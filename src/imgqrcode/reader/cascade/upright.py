"""Upright crops of bar patches: cut out turned so the bars stand vertical.

A located patch of bars (:class:`~imgqrcode.reader.cascade.bar_locator.BarRegion`) is cut
out rotated by its angle, refined to a fraction of a degree on the crop itself, with a
quiet zone around it and resized so its modules have enough pixels; the crop tells how
many bars it crosses, which rejects edges, lines and text before any decode.
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

from imgqrcode.reader import percentile
from imgqrcode.reader.cascade import warp
from imgqrcode.reader.cascade.bar_locator import BarRegion

MAX_SKEW = math.radians(10)
"""A larger correction means the crop holds more than the bars: keep the locator's angle."""

MIN_SWING = 3.0
"""Grey levels a row profile (a mean over half the crop's rows, so nearly noise-free)
must swing around its local mean to count a bar."""

MAX_ZOOM = 3.0
QUIET_ZONE = 0.2
"""Margin added at each end of the crop, as a fraction of the symbol's length: a quiet
zone, plus the ends of the symbol that perspective turned out of the located patch."""

SKEW_LENGTH = 240.0
"""Symbol length of the small crop the residual skew is measured on."""


def upright(gray: np.ndarray, region: BarRegion, target: float, reach: float = 0.0) -> warp.Warped:
    """``region`` cut out with its bars vertical, quiet zones added, resized to read well;
    ``reach`` extends it at both ends by that many times its height."""
    length = region.length * (1 + 2 * QUIET_ZONE) + 16 + 2 * reach * region.height
    # Reaching far along a symbol seen in perspective, its rows climb or fall.
    height = region.height * (1.15 + reach / 2) + 8
    zoom = min(MAX_ZOOM, target / max(region.length, 1.0), warp.MAX_SIDE / max(length, height))
    return warp.rotated_crop(gray, region.center, region.angle, (length, height), zoom)


def bar_count(image: np.ndarray) -> int:
    """How many dark bars a row profile through the middle of an upright crop crosses.

    Counted with hysteresis around a moving mean, so noise on a flat patch and the single
    step of an edge count for little; a barcode shows dozens.
    """
    h = image.shape[0]
    profile = image[h // 4 : max(h // 4 + 1, 3 * h // 4)].mean(axis=0, dtype=np.float32)
    window = max(3, image.shape[1] // 12) | 1
    centred = profile - cv2.blur(profile.reshape(1, -1), (window, 1)).ravel()
    # Relative to the local swing, not the whole range: glare or shade on one part of a
    # symbol would otherwise hide the bars of the rest.
    margin = max(MIN_SWING, 0.3 * percentile.of(np.abs(centred), 75.0))
    states = np.where(centred > margin, 1, np.where(centred < -margin, -1, 0))
    states = states[states != 0]
    return int(np.count_nonzero(np.diff(states) < 0))


def residual_skew(image: np.ndarray) -> float:
    """The angle (radians) by which the bars of an upright crop still lean.

    The locator's angle comes from a coarse grid and is off by a degree or two, which
    tilts the box measured around the bars by several pixels at the ends of a long
    symbol; the structure tensor summed over the whole crop gives the bars' direction
    to a fraction of a degree.
    """
    img = image.astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    # Dot products of the flattened gradients: the tensor's sums without three temporary
    # arrays (float32 sums, a few parts in a million off: nothing to an angle).
    x, y = gx.ravel(), gy.ravel()
    jxx, jyy, jxy = float(x @ x), float(y @ y), float(x @ y)
    return 0.5 * math.atan2(2 * jxy, jxx - jyy)


def straightened(gray: np.ndarray, region: BarRegion) -> BarRegion:
    """``region`` with its angle corrected by the skew its upright crop still shows."""
    skew = residual_skew(upright(gray, region, SKEW_LENGTH).image)
    if abs(skew) > MAX_SKEW:
        return region
    return dataclasses.replace(region, angle=region.angle + skew)
