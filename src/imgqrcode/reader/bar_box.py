"""The box around a 1D barcode's bars, from the scan line zxing-cpp reports.

zxing-cpp decodes a linear symbol along scan lines and reports the span of the lines
that decoded: on a rendered image that is the whole symbol, on a photo often one line or
a thin band. The contract wants the box around the bars, so we measure the bars' height
in the image: sample the pixels along lines parallel to the decoded one and walk away
from it, above and below, while each line still shows the same bar pattern (normalised
correlation with the pattern of the decoded band). Where the bars end the profile turns
flat (quiet zone) or into something else (printed digits, clutter), and the walk stops.
"""

from __future__ import annotations

import cv2
import numpy as np

from imgqrcode.reader.geometry import Quad

MIN_CORRELATION = 0.5
"""Below this a line no longer shows the decoded bars; blur and JPEG stay well above."""

MAX_SAMPLES = 512
"""Samples per line: enough for every module of the longest linear symbols."""

MAX_MISSES = 2
"""Lines that may fail in a row (a scratch, a printed digit under one bar) before we stop."""

MAX_HEIGHT_RATIO = 1.5
"""How far to search on each side, as a multiple of the symbol's length."""


FIRST_CHUNK = 16
"""Lines sampled at first on each side; most bars end within them, a tall symbol doubles it."""


def measure(gray: np.ndarray, quad: Quad) -> Quad:
    """Grow ``quad`` (corners in the symbol's own orientation) to the full height of its bars.

    Never shrinks what zxing-cpp reported; returns a rectangle aligned with the bars.
    """
    along = (quad[1] - quad[0]) + (quad[2] - quad[3])
    length = float(np.linalg.norm(along))
    if length < 4.0:
        return quad
    u = along / length
    v = np.array([-u[1], u[0]])
    origin = quad.mean(axis=0)
    a = (quad - origin) @ u
    b = (quad - origin) @ v
    a0, a1 = float(a.min()), float(a.max())
    b0, b1 = float(b.min()), float(b.max())
    sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    inside = sampler.rows(b0, max(1, round(b1 - b0) + 1), 1)
    reference = _unit_rows(inside).mean(axis=0)
    norm = float(np.linalg.norm(reference))
    if norm == 0.0:
        return quad
    reach = MAX_HEIGHT_RATIO * (a1 - a0)
    t0 = b0 - _grow(sampler, reference / norm, b0, -1, reach)
    t1 = b1 + _grow(sampler, reference / norm, b1, 1, reach)
    return np.array(
        [
            origin + u * a0 + v * t0,
            origin + u * a1 + v * t0,
            origin + u * a1 + v * t1,
            origin + u * a0 + v * t1,
        ]
    )


class _Sampler:
    """Lines parallel to the bars' scan line, each sampled at the same points along it."""

    def __init__(
        self, gray: np.ndarray, start: np.ndarray, u: np.ndarray, v: np.ndarray, length: float
    ) -> None:
        self.gray, self.start, self.u, self.v = gray, start, u, v
        self.samples = int(min(MAX_SAMPLES, max(8.0, length)))
        self.step = length / max(self.samples - 1, 1)

    def rows(self, offset: float, count: int, direction: int) -> np.ndarray:
        """``count`` lines one pixel apart from ``offset`` across the bars, in ``direction``.

        Samples past the image edge read as uniform grey, so they never correlate.
        """
        first = self.start + self.v * offset
        across = self.v * direction
        forward = np.array(
            [
                [self.u[0] * self.step, across[0], first[0]],
                [self.u[1] * self.step, across[1], first[1]],
            ]
        )
        return cv2.warpAffine(
            self.gray,
            forward,
            (self.samples, count),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=128,
        ).astype(np.float32)


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    """Each line minus its mean, scaled to unit length (all zero for a flat line)."""
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 0)


def _grow(
    sampler: _Sampler, reference: np.ndarray, edge: float, direction: int, reach: float
) -> int:
    """How many lines beyond ``edge`` still show the reference bars.

    Walks away from the edge in chunks that double, until ``MAX_MISSES + 1`` lines in a
    row fail or ``reach`` is exhausted.
    """
    reached = misses = done = 0
    chunk = FIRST_CHUNK
    while done < reach and misses <= MAX_MISSES:
        count = int(min(chunk, reach - done)) or 1
        good = _unit_rows(sampler.rows(edge + direction * (done + 1), count, direction))
        for index, ok in enumerate(good @ reference >= MIN_CORRELATION):
            if misses > MAX_MISSES:
                break
            if ok:
                reached, misses = done + index + 1, 0
            else:
                misses += 1
        done += count
        chunk *= 2
    return reached


def with_clock_track(quad: Quad) -> Quad:
    """A DX film edge box grown over its clock track.

    zxing-cpp reports the data track; the clock track of the same height runs above it
    (in the symbol's orientation), and the symbol is both.
    """
    up = quad[0] - quad[3], quad[1] - quad[2]
    return np.array([quad[0] + up[0], quad[1] + up[1], quad[2], quad[3]])
