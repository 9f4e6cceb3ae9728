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


REFERENCE_LINES = 8
"""Lines of the reported band averaged into the reference pattern."""


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
    # One sampling gives the reference lines and the first lines beyond each edge.
    inside = np.linspace(b0, b1, int(min(REFERENCE_LINES, b1 - b0 + 1)))
    first = np.arange(1, MAX_MISSES + 2)
    lines = _unit_rows(sampler.lines(np.concatenate([inside, b0 - first, b1 + first])))
    reference = lines[: len(inside)].mean(axis=0)
    norm = float(np.linalg.norm(reference))
    if norm == 0.0:
        return quad
    reference /= norm
    good = lines[len(inside) :] @ reference >= MIN_CORRELATION
    reach = MAX_HEIGHT_RATIO * (a1 - a0)
    t0 = b0 - _grow(sampler, reference, b0, -1, reach, good[: len(first)])
    t1 = b1 + _grow(sampler, reference, b1, 1, reach, good[len(first) :])
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
        self.gray = gray
        samples = np.linspace(0.0, length, int(min(MAX_SAMPLES, max(8.0, length))))
        self.along_x = (start[0] + samples * u[0]).astype(np.float32)
        self.along_y = (start[1] + samples * u[1]).astype(np.float32)
        self.v = v.astype(np.float32)

    def lines(self, offsets: np.ndarray) -> np.ndarray:
        """One line per offset across the bars (in pixels from the scan line's start).

        Samples past the image edge read as uniform grey, so they never correlate.
        """
        across = np.asarray(offsets, dtype=np.float32)[:, None]
        return cv2.remap(
            self.gray,
            across * self.v[0] + self.along_x,
            across * self.v[1] + self.along_y,
            interpolation=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=128,
        ).astype(np.float32)


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    """Each line minus its mean, scaled to unit length (all zero for a flat line)."""
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))[:, None]
    return np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 0)


def _grow(
    sampler: _Sampler,
    reference: np.ndarray,
    edge: float,
    direction: int,
    reach: float,
    good: np.ndarray,
) -> int:
    """How many lines beyond ``edge`` still show the reference bars.

    ``good`` holds the verdicts on the first lines beyond the edge, nearest first; past
    them the walk samples further chunks, each twice the last, until ``MAX_MISSES + 1``
    lines in a row fail or ``reach`` is exhausted.
    """
    reached = misses = done = 0
    while True:
        for index, ok in enumerate(good.tolist()):
            if ok:
                reached, misses = done + index + 1, 0
            else:
                misses += 1
                if misses > MAX_MISSES:
                    return reached
        done += len(good)
        if done >= reach:
            return reached
        count = max(1, int(min(2 * len(good), reach - done)))
        offsets = edge + direction * (done + 1 + np.arange(count))
        good = _unit_rows(sampler.lines(offsets)) @ reference >= MIN_CORRELATION


def with_clock_track(quad: Quad) -> Quad:
    """A DX film edge box grown over its clock track.

    zxing-cpp reports the data track; the clock track of the same height runs above it
    (in the symbol's orientation), and the symbol is both.
    """
    up = quad[0] - quad[3], quad[1] - quad[2]
    return np.array([quad[0] + up[0], quad[1] + up[1], quad[2], quad[3]])
