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

MIN_CORRELATION = 0.6
"""A line of bars correlates at least this well with its neighbour one pixel closer in."""

MIN_REFERENCE_CORRELATION = 0.3
"""...and at least this well with the decoded band: lower, as a tilt estimated a little
off shifts the bars along the line the further the walk gets from the band."""

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

THIN_RATIO = 0.05
"""A reported band thinner than this share of the symbol's length is a scan line."""

SIDES_RATIO = 0.15
"""From this share of the symbol's length on, the band's sides give the bars' direction."""

FIRST_REACH = 0.2
"""How far beyond a scan line the first sampling looks, as a share of the length."""

MAX_DRIFT = 8
"""Samples the bars may drift along a line between the middle and the ends of the bars."""

REFERENCE_LINES = 8
"""Lines of the reported band that make the reference (pattern, contrast, edges)."""

Judge = Callable[[np.ndarray], np.ndarray]
"""Lines in walking order, the first already judged -> whether each other one still
belongs to the symbol."""


def measure(gray: np.ndarray, quad: Quad, *, stacked: bool = False) -> Quad:
    """Grow ``quad`` (corners in the symbol's own orientation) to the full height of its bars.

    zxing-cpp's corners are the ends of its first and last decoded scan lines. Scan
    lines run along image rows or columns, so on a tilted symbol they are not its axis;
    the direction of the bars comes from the band's sides when the band is tall enough
    (they join the ends of the first and last bars, perspective included), from the
    gradients along the line otherwise. The orientation comes from the scan direction
    (left-top to right-top): zxing-cpp reports a symbol read backwards with its first
    and last lines in image order, so its bottom corners may lie above its top ones.
    For a stacked symbol the top is the side of the first decoded row, as zxing-cpp's
    scan direction for DataBar Expanded Stacked is not to be trusted.
    """
    along = (quad[1] - quad[0]) + (quad[2] - quad[3])
    length = float(np.linalg.norm(along)) / 2.0
    if length < 4.0:
        return quad
    u = along / (2.0 * length)
    v = np.array([-u[1], u[0]])
    origin = quad.mean(axis=0)
    height = min(abs(float((quad[3] - quad[0]) @ v)), abs(float((quad[2] - quad[1]) @ v)))
    if stacked:
        if float(v @ ((quad[3] + quad[2]) - (quad[0] + quad[1]))) < 0.0:
            u, v = -u, -v
        return _rectangle(gray, quad, origin, u, v, stacked=True)
    if height < SIDES_RATIO * length:
        return _rectangle(gray, quad, origin, u, v, stacked=False)
    sides = (quad[3] - quad[0]) + (quad[2] - quad[1])
    bars = sides / np.linalg.norm(sides) * (1.0 if float(sides @ v) > 0.0 else -1.0)
    tilted = abs(float(bars @ u)) > MIN_SKEW
    return _between_sides(gray, quad, origin, np.array([bars[1], -bars[0]]), bars, tilted=tilted)


def _rectangle(
    gray: np.ndarray, quad: Quad, origin: np.ndarray, u: np.ndarray, v: np.ndarray, *, stacked: bool
) -> Quad:
    """The bars' box as a rectangle: a scan line or a stacked symbol has no usable sides.

    For a plain symbol the bars may be tilted against the scan line: the gradients say
    so, and then only the middle of the line is sure to lie on the bars.
    """
    a0, a1, b0, b1 = _extents(quad - origin, u, v)
    sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    middle = (b0 + b1) / 2.0 + np.array([-1.0, 0.0, 1.0])
    tilt = None if stacked else _tilt(sampler.lines(middle), sampler.step)
    if tilt is not None:
        axis = _bar_axis(gray, (quad[0] + quad[3]) / 2.0, (quad[1] + quad[2]) / 2.0)
        if axis is None:
            u, v = np.cos(tilt) * u + np.sin(tilt) * v, np.cos(tilt) * v - np.sin(tilt) * u
        else:
            u = axis if float(axis @ u) > 0.0 else -axis
            v = np.array([-u[1], u[0]])
        a0, a1, _, _ = _extents(quad - origin, u, v)
        b0, b1 = -1.0, 1.0
        sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    judge, t0, t1 = _walk(sampler, b0, b1, a1 - a0, stacked=stacked)
    if judge is None:
        return quad
    if tilt is not None:
        reference = sampler.lines(np.linspace(b0, b1, 3))
        u, v = _untwisted(sampler, reference, t0, t1, u, v)
        a0, a1, _, _ = _extents(quad - origin, u, v)
    return origin + np.array([[a0, t0], [a1, t0], [a1, t1], [a0, t1]]) @ np.stack([u, v])


def _between_sides(
    gray: np.ndarray, quad: Quad, origin: np.ndarray, u: np.ndarray, v: np.ndarray, *, tilted: bool
) -> Quad:
    """The bars' box between the band's sides, extended to where the bars end.

    The band's first and last lines are image rows, so only the part of the band that
    lies between both of them (across the bars) is sure to be bars throughout. On
    tilted bars the sides give their direction to a degree or so, which the bars' own
    drift then corrects, so that the top and bottom run square to the bars.
    """
    heights = (quad - origin) @ v
    first, last = sorted(
        [(heights[0], heights[1]), (heights[3], heights[2])], key=lambda pair: sum(pair)
    )
    b0, b1 = float(max(first)), float(min(last))
    if b1 < b0:
        b0 = b1 = (b0 + b1) / 2.0
    a0, a1, _, _ = _extents(quad - origin, u, v)
    sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    judge, t0, t1 = _walk(sampler, b0, b1, a1 - a0, stacked=False)
    if judge is None:
        return quad
    if tilted:
        reference = sampler.lines(np.linspace(b0, b1, int(min(REFERENCE_LINES, b1 - b0 + 1))))
        u, v = _untwisted(sampler, reference, t0, t1, u, v)
        heights = (quad - origin) @ v
    start = _side(quad[0], quad[3], heights[0], heights[3], t0, t1)
    end = _side(quad[1], quad[2], heights[1], heights[2], t0, t1)
    return np.array([start[0], end[0], end[1], start[1]])


def _walk(
    sampler: _Sampler, b0: float, b1: float, length: float, *, stacked: bool
) -> tuple[Judge | None, float, float]:
    """The band ``b0..b1`` grown to where the lines stop looking like the symbol.

    One sampling gives the reference lines and the first lines beyond each edge: a few
    for a band as tall as a rendered symbol, a good share of the symbol's likely height
    for a mere scan line, which then needs no second sampling most of the time.
    """
    inside = np.linspace(b0, b1, int(min(REFERENCE_LINES, b1 - b0 + 1)))
    thin = b1 - b0 < THIN_RATIO * length
    edge = np.arange(0, max(MAX_MISSES + 1, int(FIRST_REACH * length) if thin else 0) + 1)
    lines = sampler.lines(np.concatenate([inside, b0 - edge, b1 + edge]))
    judge = (_texture if stacked else _correlation)(lines[: len(inside)])
    if judge is None:
        return None, b0, b1
    # Both edges' lines in one go: above then below, each walking outward. The one
    # verdict across their junction compares unrelated lines and is dropped.
    n = len(edge)
    verdicts = judge(lines[len(inside) :])
    reach = MAX_HEIGHT_RATIO * length
    t0 = b0 - _grow(sampler, judge, b0, -1, reach, verdicts[: n - 1])
    t1 = b1 + _grow(sampler, judge, b1, 1, reach, verdicts[n:])
    return judge, t0, t1


def _side(
    p: np.ndarray, q: np.ndarray, height_p: float, height_q: float, top: float, bottom: float
) -> tuple[np.ndarray, np.ndarray]:
    """The points of the line through ``p`` and ``q`` at heights ``top`` and ``bottom``
    (heights measured along the bars), ``p`` and ``q`` being at ``height_p``, ``height_q``."""
    rise = height_q - height_p
    return p + (q - p) * ((top - height_p) / rise), p + (q - p) * ((bottom - height_p) / rise)


def _untwisted(
    sampler: _Sampler,
    middle: np.ndarray,
    top: float,
    bottom: float,
    u: np.ndarray,
    v: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``u``, ``v`` turned so that the bars run exactly along ``v``.

    The gradient estimate of the tilt is good to a degree or so, which over the height
    of the bars moves the far corners by several pixels; the bars' own drift along the
    lines near the top and bottom, against the middle, measures what is left.
    """
    inset = min(2.0, (bottom - top) / 4.0)
    if bottom - top < 8.0:
        return u, v
    ends = _units(sampler.lines(np.array([top + inset, bottom - inset])))
    reference = _units(middle).mean(axis=0)
    drift = (_shift(ends[1], reference) - _shift(ends[0], reference)) * sampler.step
    slope = drift / (bottom - top - 2.0 * inset)
    turned_u, turned_v = u - slope * v, v + slope * u
    return turned_u / np.linalg.norm(turned_u), turned_v / np.linalg.norm(turned_v)


def _shift(line: np.ndarray, reference: np.ndarray) -> float:
    """By how many samples ``line`` is ``reference`` moved along (sub-sample, parabolic)."""
    lags = np.arange(-MAX_DRIFT, MAX_DRIFT + 1)
    n = len(line)
    scores = np.array(
        [
            float(line[max(lag, 0) : n + min(lag, 0)] @ reference[max(-lag, 0) : n - max(lag, 0)])
            for lag in lags
        ]
    )
    best = int(np.argmax(scores))
    if 0 < best < len(lags) - 1:
        left, centre, right = scores[best - 1 : best + 2]
        curvature = left - 2.0 * centre + right
        offset = 0.5 * (left - right) / curvature if curvature < 0.0 else 0.0
        return float(lags[best] + offset)
    return float(lags[best])


def _extents(points: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[float, float, float, float]:
    """The span of ``points`` along ``u`` and along ``v``."""
    projected = points @ np.stack([u, v], axis=1)
    (a0, b0), (a1, b1) = projected.min(axis=0).tolist(), projected.max(axis=0).tolist()
    return a0, a1, b0, b1


def _tilt(middle: np.ndarray, step: float) -> float | None:
    """Roughly the angle (radians) from ``u`` to the direction across the bars, if tilted.

    zxing-cpp scans rows and columns, so a barcode tilted by a few degrees is reported
    along a scan line that is not its axis. The gradients of the bars' edges on the
    decoded line (sure to cross every bar and no bar end) give the axis: ``middle`` is
    the decoded line between its neighbours one pixel away on either side. Sampling
    between pixels smooths along the line more than across it, so this overestimates
    the angle by a fifth or so: enough to tell a tilted symbol (cheaply, from lines
    sampled anyway), not to measure it.
    """
    along = (middle[1, 2:] - middle[1, :-2]) / (2.0 * step)
    across = (middle[2, 1:-1] - middle[0, 1:-1]) / 2.0
    juu, jvv = float(along @ along), float(across @ across)
    juv = float(along @ across)
    energy = juu + jvv
    if energy == 0.0 or np.hypot(juu - jvv, 2.0 * juv) < MIN_COHERENCE * energy:
        return None
    angle = 0.5 * float(np.arctan2(2.0 * juv, juu - jvv))
    return angle if abs(np.sin(angle)) > MIN_SKEW else None


def _bar_axis(gray: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """The unit vector across the bars along the segment ``start``-``end``, if they agree.

    The precise counterpart of :func:`_tilt`: Sobel gradients of the pixels, read
    (interpolated) at points of the decoded line.
    """
    height, width = gray.shape
    x0 = max(int(min(start[0], end[0])) - 2, 0)
    y0 = max(int(min(start[1], end[1])) - 2, 0)
    x1 = min(int(max(start[0], end[0])) + 3, width)
    y1 = min(int(max(start[1], end[1])) + 3, height)
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
        self.step = float(samples[1] - samples[0])
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


def _units(lines: np.ndarray) -> np.ndarray:
    """Each line centred and scaled to unit length (all zero for a flat line)."""
    centred, norms = _centred(lines)
    return np.divide(centred, norms[:, None], out=np.zeros_like(centred), where=norms[:, None] > 0)


def _correlation(reference_lines: np.ndarray) -> Judge | None:
    """Lines that show the same bars as their inner neighbour and as the decoded band.

    The neighbour test follows bars that drift along the line (a tilt estimated a
    little off, perspective); the band test stops the walk at printed digits, whose
    neighbouring lines resemble each other too.
    """
    reference = _units(reference_lines).mean(axis=0)
    norm = float(np.linalg.norm(reference))
    if norm == 0.0:
        return None
    reference /= norm

    def judge(lines: np.ndarray) -> np.ndarray:
        units = _units(lines)
        neighbour = np.einsum("ij,ij->i", units[1:], units[:-1])
        return (neighbour >= MIN_CORRELATION) & (units[1:] @ reference >= MIN_REFERENCE_CORRELATION)

    return judge


def _texture(reference_lines: np.ndarray) -> Judge | None:
    """Lines as contrasted and as dense in edges as the reference lines (stacked rows)."""
    contrast, edges = _contrast_and_edges(reference_lines)
    min_contrast = MIN_TEXTURE * float(np.median(contrast))
    min_edges = MIN_TEXTURE * float(np.median(edges))
    if min_contrast == 0.0 or min_edges == 0.0:
        return None

    def judge(lines: np.ndarray) -> np.ndarray:
        contrast, edges = _contrast_and_edges(lines[1:])
        return (contrast >= min_contrast) & (edges >= min_edges)

    return judge


def _contrast_and_edges(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each line's contrast and its number of crossings of its own mean.

    Noise crosses the mean too, but a noisy flat line fails on contrast.
    """
    centred, norms = _centred(lines)
    contrast = norms / np.sqrt(max(lines.shape[1], 1))
    return contrast, np.count_nonzero(np.diff(np.signbit(centred), axis=1), axis=1)


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
        # The chunk starts with the last line judged: the neighbour of its first new one.
        good = judge(sampler.lines(edge + direction * (done + np.arange(count + 1))))


def with_clock_track(quad: Quad) -> Quad:
    """A DX film edge box grown over its clock track.

    zxing-cpp reports the data track; the clock track of the same height runs above it
    (in the symbol's orientation), and the symbol is both.
    """
    up = quad[0] - quad[3], quad[1] - quad[2]
    return np.array([quad[0] + up[0], quad[1] + up[1], quad[2], quad[3]])
