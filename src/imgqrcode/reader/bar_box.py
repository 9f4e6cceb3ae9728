"""The box around a 1D barcode's bars, from the scan line zxing-cpp reports.

zxing-cpp decodes a linear symbol along scan lines and reports the span of the lines
that decoded: on a rendered image that is the whole symbol, on a photo often one line or
a thin band. The contract wants the box around the bars, so we measure the bars' height
in the image: sample the pixels along lines parallel to the decoded one and walk away
from it, above and below, while each line still looks like the symbol. Where the bars
end the profile turns flat (quiet zone) or into something else (printed digits,
clutter), and the walk stops.

"Looks like the symbol" has two meanings. A plain linear symbol has the same bar
pattern on every line, so a line belongs to it when it correlates with the pattern of
the decoded band. A stacked symbol (DataBar Stacked, DataBar Expanded Stacked) changes
pattern from row to row, and zxing-cpp reports only some of its rows, so there a line
belongs to it when it has the contrast and the density of edges of the decoded rows.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from imgqrcode.reader.geometry import Quad

MIN_CORRELATION = 0.5
"""Below this a line no longer shows the decoded bars; blur and JPEG stay well above."""

MIN_TEXTURE = 0.35
"""A stacked symbol's line has at least this share of the decoded rows' contrast and edges."""

MAX_SAMPLES = 512
"""Samples per line: enough for every module of the longest linear symbols."""

MAX_MISSES = 2
"""Lines that may fail in a row (a scratch, a printed digit under one bar) before we stop."""

MAX_HEIGHT_RATIO = 1.5
"""How far to search on each side, as a multiple of the symbol's length."""

MIN_SKEW = 0.035
"""Bars more than this (the sine of 2 degrees) off the scan line's normal are tilted."""

MIN_COHERENCE = 0.6
"""How strongly the gradients near the scan line must agree for their direction to count."""

AXIS_MARGIN = 8
"""Pixels around the scan line's middle whose gradients give the bars' direction."""

REFERENCE_LINES = 8
"""Lines of the reported band that make the reference (pattern, contrast, edges)."""

Judge = Callable[[np.ndarray], np.ndarray]
"""Lines (one per row) -> whether each still belongs to the symbol."""


def measure(gray: np.ndarray, quad: Quad, *, stacked: bool = False) -> Quad:
    """Grow ``quad`` (corners in the symbol's own orientation) to the full height of its bars.

    Never shrinks what zxing-cpp reported; returns a rectangle aligned with the bars.

    The symbol's orientation comes from its scan direction (left-top to right-top):
    zxing-cpp reports a linear symbol read backwards with its top and bottom corners
    mirrored, not turned, so the bottom corners cannot be trusted. For a stacked
    symbol the top is the side of the first decoded row (left-top, left-bottom being
    on the last), since zxing-cpp's scan direction for DataBar Expanded Stacked is not
    to be trusted either.
    """
    along = (quad[1] - quad[0]) + (quad[2] - quad[3])
    length = float(np.linalg.norm(along))
    if length < 4.0:
        return quad
    u = along / length
    v = np.array([-u[1], u[0]])
    origin = quad.mean(axis=0)
    tilted = False
    if stacked:
        if float(v @ ((quad[3] + quad[2]) - (quad[0] + quad[1]))) < 0.0:
            u, v = -u, -v
    else:
        axis = _bar_axis(gray, (quad[0] + quad[3]) / 2.0, (quad[1] + quad[2]) / 2.0)
        tilted = axis is not None and abs(float(axis @ v)) > MIN_SKEW
        if axis is not None and tilted:
            u = axis if float(axis @ u) > 0.0 else -axis
            v = np.array([-u[1], u[0]])
    a = (quad - origin) @ u
    b = (quad - origin) @ v
    a0, a1 = float(a.min()), float(a.max())
    # A scan line across tilted bars spans no height of them: only its middle is sure.
    b0, b1 = (-1.0, 1.0) if tilted else (float(b.min()), float(b.max()))
    sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    # One sampling gives the reference lines and the first lines beyond each edge.
    inside = np.linspace(b0, b1, int(min(REFERENCE_LINES, b1 - b0 + 1)))
    first = np.arange(1, MAX_MISSES + 2)
    lines = sampler.lines(np.concatenate([inside, b0 - first, b1 + first]))
    judge = (_texture if stacked else _correlation)(lines[: len(inside)])
    if judge is None:
        return quad
    good = judge(lines[len(inside) :])
    reach = MAX_HEIGHT_RATIO * (a1 - a0)
    t0 = b0 - _grow(sampler, judge, b0, -1, reach, good[: len(first)])
    t1 = b1 + _grow(sampler, judge, b1, 1, reach, good[len(first) :])
    return np.array(
        [
            origin + u * a0 + v * t0,
            origin + u * a1 + v * t0,
            origin + u * a1 + v * t1,
            origin + u * a0 + v * t1,
        ]
    )


def _bar_axis(gray: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """The unit vector across the bars along the segment ``start``-``end``, if they agree.

    zxing-cpp scans rows and columns, so a barcode tilted by a few degrees is reported
    along a scan line that is not its axis; the gradients of the bars' edges are. Only
    gradients on the decoded line itself count: it is sure to cross every bar and no
    bar end, whose edges point the other way.
    """
    height, width = gray.shape
    x0 = max(int(min(start[0], end[0])) - AXIS_MARGIN, 0)
    y0 = max(int(min(start[1], end[1])) - AXIS_MARGIN, 0)
    x1 = min(int(max(start[0], end[0])) + AXIS_MARGIN + 1, width)
    y1 = min(int(max(start[1], end[1])) + AXIS_MARGIN + 1, height)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    patch = gray[y0:y1, x0:x1].astype(np.float32)
    count = int(min(MAX_SAMPLES, max(8.0, float(np.linalg.norm(end - start)))))
    steps = np.linspace(0.0, 1.0, count, dtype=np.float32)[:, None]
    points = (start - (x0, y0)).astype(np.float32) + steps * (end - start).astype(np.float32)
    map_x, map_y = points[:, 0].reshape(1, -1), points[:, 1].reshape(1, -1)
    gx, gy = (
        cv2.remap(cv2.Sobel(patch, cv2.CV_32F, dx, dy, ksize=3), map_x, map_y, cv2.INTER_LINEAR)
        for dx, dy in ((1, 0), (0, 1))
    )
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    energy = jxx + jyy
    if energy == 0.0 or np.hypot(jxx - jyy, 2.0 * jxy) < MIN_COHERENCE * energy:
        return None
    angle = 0.5 * np.arctan2(2.0 * jxy, jxx - jyy)
    return np.array([np.cos(angle), np.sin(angle)])


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

        Samples past the image edge read as uniform grey, so they never count as bars.
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


def _centred(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each line minus its mean, and the length of what remains (its contrast)."""
    centred = lines - lines.mean(axis=1, keepdims=True)
    return centred, np.sqrt(np.einsum("ij,ij->i", centred, centred))


def _correlation(reference_lines: np.ndarray) -> Judge | None:
    """Lines that show the same bars as the reference lines (normalised correlation)."""
    centred, norms = _centred(reference_lines)
    units = np.divide(centred, norms[:, None], out=np.zeros_like(centred), where=norms[:, None] > 0)
    reference = units.mean(axis=0)
    norm = float(np.linalg.norm(reference))
    if norm == 0.0:
        return None
    reference /= norm

    def judge(lines: np.ndarray) -> np.ndarray:
        centred, norms = _centred(lines)
        return centred @ reference >= MIN_CORRELATION * np.maximum(norms, 1e-6)

    return judge


def _texture(reference_lines: np.ndarray) -> Judge | None:
    """Lines as contrasted and as dense in edges as the reference lines (stacked rows)."""
    contrast, edges = _contrast_and_edges(reference_lines)
    min_contrast = MIN_TEXTURE * float(np.median(contrast))
    min_edges = MIN_TEXTURE * float(np.median(edges))
    if min_contrast == 0.0 or min_edges == 0.0:
        return None

    def judge(lines: np.ndarray) -> np.ndarray:
        contrast, edges = _contrast_and_edges(lines)
        return (contrast >= min_contrast) & (edges >= min_edges)

    return judge


def _contrast_and_edges(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    centred, norms = _centred(lines)
    contrast = norms / np.sqrt(max(lines.shape[1], 1))
    # An edge is a swing from a tenth of the contrast above the line's mean to a tenth
    # below it, or back: samples in between keep the last side (hysteresis).
    margin = 0.1 * contrast[:, None]
    side = np.where(centred > margin, 1, np.where(centred < -margin, -1, 0))
    last = np.where(side != 0, np.arange(side.shape[1]), 0)
    np.maximum.accumulate(last, axis=1, out=last)
    held = np.take_along_axis(side, last, axis=1)
    swings = (held[:, 1:] * held[:, :-1]) < 0
    return contrast, swings.sum(axis=1)


def _grow(
    sampler: _Sampler, judge: Judge, edge: float, direction: int, reach: float, good: np.ndarray
) -> int:
    """How many lines beyond ``edge`` still belong to the symbol.

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
        good = judge(sampler.lines(edge + direction * (done + 1 + np.arange(count))))


def with_clock_track(quad: Quad) -> Quad:
    """A DX film edge box grown over its clock track.

    zxing-cpp reports the data track; the clock track of the same height runs above it
    (in the symbol's orientation), and the symbol is both.
    """
    up = quad[0] - quad[3], quad[1] - quad[2]
    return np.array([quad[0] + up[0], quad[1] + up[1], quad[2], quad[3]])
