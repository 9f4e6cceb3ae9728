"""The box around a 1D barcode's bars, from the scan line zxing-cpp reports.

zxing-cpp decodes a linear symbol along scan lines and reports the span of the lines
that decoded: on a rendered image that is the whole symbol, on a photo often one line or
a thin band. The contract wants the box around the bars, so we measure the bars' height
in the image: sample the pixels along lines parallel to the decoded one and walk away
from it, above and below, while each line still looks like the symbol. Where the bars
end the profile turns flat (quiet zone) or into something else (printed digits,
clutter), and the walk stops. The walk gives one height for the whole symbol; the
box's corners come from each end of the symbol measured on its own (:func:`_end`), as
perspective and blur would leave them pixels off.

"Looks like the symbol" has two meanings. A plain linear symbol has the same bar
pattern on every line, so a line belongs to it when it correlates with the pattern of
the decoded band. A stacked symbol (DataBar Stacked, DataBar Expanded Stacked) changes
pattern from row to row, and zxing-cpp reports only some of its rows, so there a line
belongs to it when it has the contrast and the density of edges of the decoded rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader import percentile
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

FIRST_LINES = 3 * (MAX_MISSES + 1)
"""Lines the first sampling takes beyond each edge of a taller band: the bars run on a
line or a few past the last that decoded, and a few more lines in one sampling cost
less than the second sampling that would otherwise find where they end."""

MAX_DRIFT = 8
"""Samples the bars may drift along a line between the middle and the ends of the bars."""

REFERENCE_LINES = 8
"""Lines of the reported band that make the reference (pattern, contrast, edges)."""

END_SHARE = 0.15
"""Width of the band at each end of the symbol whose bars' height is measured on its own,
as a share of the length: a dozen modules or more."""

END_INSET = 0.12
"""How far inside each end that band starts, as a share of the length: past the guard
bars of EAN/UPC and the first and last digits of UPC-A, which reach down into the
digits' row (the box is the bars', digits excluded)."""

LIGHT_PERCENTILE, DARK_PERCENTILE = 90, 10
"""The levels of the paper and the ink, from the samples of the bars near one end."""

NEAR_SHARE = 0.125
"""The first lines measured at an end lie within this share of the walk's height of
zxing-cpp's band there (the walk's own band may miss the bars at an end)."""

MAX_CHANGE = 0.5
"""Two ends whose heights differ by more than this share (perspective makes it a third at
most), or one shorter than the walk's by as much, were mismeasured (glare over one end):
the walk's height is kept."""

EXPECTED_SLACK = 1.1
"""Lines sampled at once beyond the centre, as a multiple of how far the bars are expected
to reach: enough, most of the time, to see them end."""

LEAN_LINES = np.linspace(-1.0, 1.0, REFERENCE_LINES + 1)
"""Where the lines that measure a lean lie, as shares of its reach from the centre."""

LOW_RUN = b"\x01" * (MAX_MISSES + 1)
"""``MAX_MISSES + 1`` lows in a row in the bytes of a boolean array: a search for it is one
C call where arithmetic on the array takes several."""

TINY = np.finfo(np.float32).tiny
"""A length to divide by instead of zero."""

Span = tuple[float, float]
"""The top and bottom of the bars: heights in the sampler's frame."""

Point = tuple[float, float]
"""A point in the sampler's frame: along the symbol, height across it."""

Edge = tuple[float, float]
"""The top or bottom of the bars as a line in the sampler's frame: the height at the
sampler's start and its change per pixel along the symbol."""

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
    length, u, v, height = _band(quad)
    if length < 4.0:
        return quad
    origin = quad.mean(axis=0)
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


def scan_line(quad: Quad) -> bool:
    """Whether zxing-cpp's band ``quad`` is a scan line or a few (thinner than
    :data:`THIN_RATIO` of its length), rather than lines across a good part of the bars
    that all decoded the same text."""
    length, _, _, height = _band(quad)
    return height < THIN_RATIO * length


def _band(quad: Quad) -> tuple[float, np.ndarray, np.ndarray, float]:
    """The length of zxing-cpp's band ``quad``, the unit vectors along it (its scan
    direction) and across, and its height across (the shorter of its sides')."""
    along = (quad[1] - quad[0]) + (quad[2] - quad[3])
    length = float(np.linalg.norm(along)) / 2.0
    u = along / max(2.0 * length, TINY)
    v = np.array([-u[1], u[0]])
    height = min(abs(float((quad[3] - quad[0]) @ v)), abs(float((quad[2] - quad[1]) @ v)))
    return length, u, v, height


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
        sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    length = a1 - a0
    if stacked:
        corners = np.array([[0.0, t0], [length, t0], [length, t1], [0.0, t1]])
    else:
        in_frame = (quad - origin) @ np.array([u, v]).T - (a0, 0.0)
        upward = np.array([0.0, 1.0])
        ends = (in_frame[0] + in_frame[3]) / 2.0, (in_frame[1] + in_frame[2]) / 2.0
        sides = tuple(np.array([end, end + upward]) for end in ends)
        corners = _fitted(sampler, sides, t0, t1)
    return origin + (corners + np.array([a0, 0.0])) @ np.array([u, v])


def _between_sides(
    gray: np.ndarray, quad: Quad, origin: np.ndarray, u: np.ndarray, v: np.ndarray, *, tilted: bool
) -> Quad:
    """The bars' box between the band's sides, extended to where the bars end.

    The band's first and last lines are image rows, so only the part of the band that
    lies between both of them (across the bars) is sure to be bars throughout. On
    tilted bars the sides give their direction to a degree or so, which the bars' own
    drift then corrects, so that the walk's lines run square to the bars.
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
        reference = sampler.lines(_band_lines(b0, b1))
        u, v = _untwisted(sampler, reference, t0, t1, u, v)
        a0, a1, _, _ = _extents(quad - origin, u, v)
        sampler = _Sampler(gray, origin + u * a0, u, v, a1 - a0)
    frame = np.array([u, v]).T
    sides = (
        (quad[[0, 3]] - origin) @ frame - (a0, 0.0),
        (quad[[1, 2]] - origin) @ frame - (a0, 0.0),
    )
    corners = _fitted(sampler, sides, t0, t1)
    return origin + (corners + np.array([a0, 0.0])) @ np.array([u, v])


def _walk(
    sampler: _Sampler, b0: float, b1: float, length: float, *, stacked: bool
) -> tuple[Judge | None, float, float]:
    """The band ``b0..b1`` grown to where the lines stop looking like the symbol.

    One sampling gives the reference lines and the first lines beyond each edge: a few
    for a band as tall as a rendered symbol, a good share of the symbol's likely height
    for a mere scan line, which then needs no second sampling most of the time.
    """
    inside = _band_lines(b0, b1)
    thin = b1 - b0 < THIN_RATIO * length
    edge = np.arange(0, max(FIRST_LINES, int(FIRST_REACH * length) if thin else 0) + 1)
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


def _band_lines(b0: float, b1: float) -> np.ndarray:
    """The offsets of the lines that make the reference of the band ``b0..b1``: evenly
    spread, at least a pixel apart (``np.linspace``'s, without its overhead)."""
    count = int(min(REFERENCE_LINES, b1 - b0 + 1))
    return b0 + np.arange(count) * ((b1 - b0) / max(count - 1, 1))


def _fitted(sampler: _Sampler, sides: tuple[np.ndarray, ...], t0: float, t1: float) -> np.ndarray:
    """The corners (along, height in the sampler's frame) of the bars' box: its top and
    bottom through where the bars end at both ends of the symbol, its sides along the
    outermost bars. ``sides`` are zxing-cpp's, two points each, their middle on its
    decoded band: on the bars, whatever the walk found.

    The walk gives one height for the whole symbol, a line belonging while most of it
    still shows the bars: in perspective the bars at one end are taller than at the
    other, and a barcode is rarely seen square (its top not square to its bars), so
    the true top and bottom are slanted against the walk's by several pixels at the
    corners. Each end is measured on its own, and the top and bottom join the two
    ends' measures, unless these fail or disagree (``MAX_CHANGE``). zxing-cpp's sides
    join the ends of its first and last scan lines, which on a tilted symbol are not
    where the bars are: the sides run along the outermost bars.
    """
    first, last = (((side[0] + side[1]) / 2.0).tolist() for side in sides)
    ends = [
        _end(sampler, (first, last), -1.0, (t0, t1)),
        _end(sampler, (last, first), 1.0, (t0, t1)),
    ]
    start, end = (side if e.side is None else e.side for side, e in zip(sides, ends, strict=True))
    measured = [(e.top, e.bottom) for e in ends if e.top is not None and e.bottom is not None]
    top, bottom = (t0, 0.0), (t1, 0.0)
    if len(measured) == 2:
        heights = [below[1] - above[1] for above, below in measured]
        if min(heights) >= (1.0 - MAX_CHANGE) * max(*heights, t1 - t0):
            (first_top, first_bottom), (last_top, last_bottom) = measured
            top, bottom = _through(first_top, last_top), _through(first_bottom, last_bottom)
    return np.array(
        [_meeting(start, top), _meeting(end, top), _meeting(end, bottom), _meeting(start, bottom)]
    )


def _through(first: Point, last: Point) -> Edge:
    """The edge through two points."""
    slope = (last[1] - first[1]) / (last[0] - first[0])
    return first[1] - slope * first[0], slope


@dataclass(frozen=True, slots=True)
class _End:
    """What one end of the symbol measures, in the sampler's frame (along, height)."""

    top: Point | None = None
    """Where the bars there end above; ``None``: not found."""
    bottom: Point | None = None
    side: np.ndarray | None = None
    """Two points of the outermost bar's outer edge; ``None``: not measured."""


def _end(sampler: _Sampler, scan: tuple[Point, Point], outward: float, walked: Span) -> _End:
    """The bars' ends at one end of the symbol, ``scan`` holding the points where
    zxing-cpp's band ends there and at the other end, the symbol lying on the side
    opposite to ``outward`` (-1 or 1) of the first; ``walked`` is the walk's top and
    bottom.

    The heights are measured on a band a share of the symbol's length wide, a little
    inside the end, from lines sure to cross the bars there: first near zxing-cpp's
    band (where the walk's band may not be, the top of a sheared symbol slanting away
    from it), then over the middle half of the bars found. Near the ends perspective
    turns the bars a little against the middle ones, enough to shift them by a module
    over the bars' height: the second time the lines are sheared to follow them (their
    drift along the band between lines above and below the middle). Along the symbol,
    the mean of the middle lines shows the bars' outer edge (:func:`_outer_edge`).
    """
    (at, middle), (other_at, other_middle) = scan
    band = max(END_SHARE * sampler.length, 3.0)
    inset = END_INSET * sampler.length
    start = at + inset if outward < 0 else at - inset - band
    share = (start + band / 2.0 - at) / (other_at - at) if other_at != at else 0.0
    crossing = middle + share * (other_middle - middle)
    limit = MAX_HEIGHT_RATIO * sampler.length
    near = max(2.0, NEAR_SHARE * (walked[1] - walked[0]))
    square = sampler.part(start, band, 0.0, crossing)
    found = _span(square, crossing, near, limit, (crossing - walked[0], walked[1] - crossing))
    if found is None:
        return _End()
    centre, quarter = (found[0] + found[1]) / 2.0, (found[1] - found[0]) / 4.0
    lean, _ = _lean(square, centre, quarter)
    side = _side(sampler, (at + lean * (centre - middle), centre), outward, quarter)
    part = sampler.part(start, band, lean, centre)
    found = _span(part, centre, quarter, limit, (2.0 * quarter, 2.0 * quarter))
    if found is None:
        return _End(side=side)
    middle_x = start + band / 2.0
    top, bottom = ((middle_x + lean * (t - centre), t) for t in found)
    return _End(top, bottom, side)


def _lean(part: _Sampler, centre: float, reach: float) -> tuple[float, np.ndarray]:
    """How far the bars of ``part`` (not sheared) drift along per pixel across, from lines
    within ``reach`` of ``centre``: the least-squares slope of their shifts against the
    middle line's (which no line's scale changes, so the lines are only centred), in
    closed form as the lines lie symmetrically about it. Also that middle line: the
    line at ``centre`` whatever the shear about it, so a caller that shears ``part`` by
    the lean has it already."""
    lines = _centred(part.lines(centre + reach * LEAN_LINES))
    middle_line = lines[REFERENCE_LINES // 2]
    if reach <= 0.0 or not middle_line.any():
        return 0.0, middle_line
    shifts = _shifts(lines, middle_line) * part.step
    return float(LEAN_LINES @ shifts) / (reach * float(LEAN_LINES @ LEAN_LINES)), middle_line


def _side(sampler: _Sampler, point: Point, outward: float, reach: float) -> np.ndarray:
    """Two points of the outermost bar's outer edge, which passes near ``point`` (along,
    height: zxing-cpp's end of the symbol) and leans like the bars beside it (in
    perspective not quite like those a little further in); measured on the mean of the
    lines within ``reach`` of the point across the bars."""
    at, height = point
    band = max(END_SHARE * sampler.length, 3.0)
    start = at if outward < 0 else at - band
    lean, probe = _lean(sampler.part(start, band, 0.0, height), height, reach)
    element = band / max(int(_crossings(probe)), 1)
    margin = 2.0 * element
    part = sampler.part(start - margin, band + 2.0 * margin, lean, height)
    along = start - margin + part.samples
    in_band = (along >= start) & (along <= start + band)
    half = np.floor(reach)
    lines = part.lines(height + np.arange(-half, half + 1.0))
    profile = lines.sum(axis=0) / len(lines)
    beyond = outward * (along - at)
    if outward < 0:  # samples in increasing distance, as _outer_edge wants them
        beyond, profile, in_band = beyond[::-1], profile[::-1], in_band[::-1]
    edge = at + outward * _outer_edge(beyond, profile, in_band, element)
    return np.array([[edge, height], [edge + lean, height + 1.0]])


def _span(part: _Sampler, centre: float, inner: float, limit: float, expected: Span) -> Span | None:
    """Where the bars end above and below ``centre`` in ``part``: the projection of each
    line on the mean of the lines within ``inner`` of the centre measures how much of
    the bars it crosses, and they end where it falls to half its value in the middle,
    the same point whatever the blur (a line grazing blurred bar ends still correlates
    with them, which is where the walk stops).

    One sampling gives the reference lines and the lines out to a little past where
    the caller ``expected`` the bars to end above and below (the extra lines cost less
    than a second sampling): most of the time all that is needed.
    """
    half = int(inner)
    most = max(half + 2 * (MAX_MISSES + 1), math.ceil(limit))
    # Lines on each side, the centre's included.
    above, below = (
        min(most, max(half + 1, int(EXPECTED_SLACK * reach) + MAX_MISSES + 2)) for reach in expected
    )
    lines = part.lines(centre + np.arange(1.0 - above, below))
    # The mean of the reference lines centred: their mean, less its own mean.
    reference = lines[above - 1 - half : above + half].sum(axis=0) / (2 * half + 1)
    reference -= reference.sum() / len(reference)
    power = float(reference @ reference)
    if power == 0.0:
        return None
    # The reference sums to zero, so a line's mean adds nothing to its projection on it.
    amplitudes = lines @ reference / power
    if amplitudes[above - 1] < 0.5:
        return None

    def amplitude(offsets: np.ndarray) -> np.ndarray:
        return part.lines(centre + offsets) @ reference / power

    up = _extent(lambda out: amplitude(-out), amplitudes[above - 1 :: -1], most)
    down = _extent(amplitude, amplitudes[above - 1 :], most)
    if up is None or down is None:
        return None
    return centre - up, centre + down


def _outer_edge(
    beyond: np.ndarray, profile: np.ndarray, in_band: np.ndarray, element: float
) -> float:
    """How far beyond the reported end the outermost bar's outer edge lies, within an
    element of it, from the ``profile`` across the bars (``beyond``: each sample's
    distance past the reported end, outward positive, in increasing order; ``in_band``:
    the samples inside).

    zxing-cpp reports an end as the first or last pixel it binarised as a bar: up to a
    pixel short after blur. The edge is where the profile is half way between the
    outermost bar's ink and the paper of the spaces near the end: the same point
    whatever the blur, and a narrow bar, which blur keeps paler than a wide one, gets
    its own level. The quiet zone beyond tells dark bars on light paper from inverted
    ones; nothing further out is looked at.
    """
    levels = np.sort(profile[in_band])
    paper = percentile.of_ranked(levels, LIGHT_PERCENTILE)
    ink = percentile.of_ranked(levels, DARK_PERCENTILE)
    # Sorted distances make each stretch of samples a slice.
    first_near = int(beyond.searchsorted(-element))
    first_quiet = int(beyond.searchsorted(element, side="right"))
    quiet = profile[first_quiet:]
    if not len(quiet) or paper <= ink:
        return 0.0
    if float(quiet.sum()) / len(quiet) < (paper + ink) / 2.0:
        profile, paper, ink = -profile, -ink, -paper
    near = profile[first_near:first_quiet]
    dark = (near < (paper + ink) / 2.0).nonzero()[0]
    if not len(dark):
        return 0.0
    last_dark = first_near + int(dark[-1])
    first_bar = max(int(beyond.searchsorted(beyond[last_dark] - element)), first_near)
    threshold = (paper + float(profile[first_bar : last_dark + 1].min())) / 2.0
    last = first_near + int((near < threshold).nonzero()[0][-1])
    inside, outside = float(profile[last]), float(profile[last + 1])
    share = (threshold - inside) / (outside - inside) if outside > inside else 0.0
    return float(beyond[last] + share * (beyond[last + 1] - beyond[last]))


def _extent(
    amplitude: Callable[[np.ndarray], np.ndarray], values: np.ndarray, most: int
) -> float | None:
    """How far out from the middle line (offset 0) the bars end, ``values`` holding the
    amplitudes of the first lines out from it (the middle's at least one half) and
    ``amplitude`` giving those of lines further out: as many again at a time until the
    bars end or ``most`` lines are seen (``None``: they never end).

    The bars end where the amplitude (relative to the middle's) falls below one half
    for good, ``MAX_MISSES + 1`` lines in a row (a scratch across the bars is not their
    end); sub-pixel, by linear interpolation between the last line above and the first
    below.
    """
    while True:
        stop = _run_start(values < 0.5)
        if stop is not None:
            before, after = float(values[stop - 1]), float(values[stop])
            return stop - 1 + (before - 0.5) / (before - after)
        if len(values) >= most:
            return None
        more = amplitude(len(values) + np.arange(min(len(values), most - len(values)), dtype=float))
        values = np.concatenate([values, more])


def _run_start(low: np.ndarray) -> int | None:
    """Where the first ``MAX_MISSES + 1`` lines in a row that are ``low`` (a boolean array)
    begin, if anywhere: the end of the bars, as fewer in a row are a scratch or a printed
    digit."""
    start = low.tobytes().find(LOW_RUN)
    return None if start < 0 else start


def _meeting(side: np.ndarray, edge: Edge) -> tuple[float, float]:
    """Where the line through ``side``'s two points (along, height) meets ``edge``."""
    (x, t), (x1, t1) = side.tolist()
    dx, dt = x1 - x, t1 - t
    height, slope = edge
    denominator = dt - slope * dx
    share = (height + slope * x - t) / denominator if abs(denominator) > 1e-9 else 0.0
    return x + share * dx, t + share * dt


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
    first, last = _shifts(ends, reference)
    drift = (last - first) * sampler.step
    slope = drift / (bottom - top - 2.0 * inset)
    turned_u, turned_v = u - slope * v, v + slope * u
    return turned_u / np.linalg.norm(turned_u), turned_v / np.linalg.norm(turned_v)


def _shifts(lines: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """By how many samples each of ``lines`` is ``reference`` moved along (sub-sample,
    parabolic). The scores of all lags are one product over a view of the lines padded
    with zeros (``2 * MAX_DRIFT + 1`` overlapping windows of each, none copied), since
    this runs for every 1D code the fast path reads."""
    rows, n = lines.shape
    lags = 2 * MAX_DRIFT + 1
    padded = np.zeros((rows, n + lags - 1), dtype=lines.dtype)
    padded[:, MAX_DRIFT : MAX_DRIFT + n] = lines
    row_stride, stride = padded.strides
    windows = np.ndarray((rows, lags, n), padded.dtype, padded, 0, (row_stride, stride, stride))
    scores = np.einsum("ijk,k->ij", windows, reference)
    best = scores.argmax(axis=1)
    peak = np.minimum(np.maximum(best, 1), lags - 2)
    at = peak + np.arange(0, rows * lags, lags)
    flat = scores.ravel()
    left, centre, right = flat[at - 1], flat[at], flat[at + 1]
    curvature = left - 2.0 * centre + right
    bent = (best == peak) & (curvature < 0.0)
    offset = np.where(bent, 0.5 * (left - right) / np.where(bent, curvature, -1.0), 0.0)
    return best - MAX_DRIFT + offset


def _extents(points: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[float, float, float, float]:
    """The span of ``points`` along ``u`` and along ``v``."""
    projected = points @ np.array([u, v]).T
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
    """Lines parallel to the bars' scan line, each sampled at the same points along it.

    Positions are in zxing-cpp's pixel-edge convention (pixel ``i`` spans ``i..i+1``),
    OpenCV samples pixel ``i`` at ``i``: hence the half-pixel shift, without which every
    measured edge would be half a pixel off along both image axes. ``along`` holds the x
    and y of each sample of the line at offset 0 and ``across`` the step to the next
    line (float32, as OpenCV's maps), shaped to broadcast into both maps at once.
    """

    def __init__(
        self, gray: np.ndarray, start: np.ndarray, u: np.ndarray, v: np.ndarray, length: float
    ) -> None:
        self.gray = gray
        self.start, self.u, self.length = start, u, length
        count = int(min(MAX_SAMPLES, max(8.0, length)))
        self.step = length / (count - 1)
        self.samples = np.arange(count) * self.step
        along = (start - 0.5)[:, None] + u[:, None] * self.samples
        self.along = along.astype(np.float32)[:, None, :]
        self.v = v.astype(np.float32)
        self.across = self.v[:, None, None]

    def part(self, start: float, length: float, lean: float, anchor: float) -> _Sampler:
        """The lines between ``start`` and ``start + length`` along these, sheared by
        ``lean`` (pixels along per pixel across, from the line at offset ``anchor``) to
        follow bars that are not quite parallel to these lines' offsets."""
        v = self.v.astype(float) + lean * self.u
        return _Sampler(self.gray, self.start + self.u * (start - lean * anchor), self.u, v, length)

    def lines(self, offsets: np.ndarray) -> np.ndarray:
        """One line per offset across the bars (in pixels from the scan line's start).

        Samples past the image edge read as uniform grey, so they never count as bars.
        """
        map_x, map_y = np.asarray(offsets, dtype=np.float32)[:, None] * self.across + self.along
        return cv2.remap(
            self.gray,
            map_x,
            map_y,
            interpolation=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=128,
        ).astype(np.float32)


def _centred(lines: np.ndarray) -> np.ndarray:
    """Each line minus its mean.

    Means in this module are sums over the count: the same float32 sums as ``mean``'s,
    without its Python wrapper, which costs more than the sums on lines this short.
    """
    return lines - lines.sum(axis=1, keepdims=True) / lines.shape[1]


def _lengths(centred: np.ndarray) -> np.ndarray:
    """The length of each centred line: its contrast."""
    return np.sqrt(np.einsum("ij,ij->i", centred, centred))


def _units(lines: np.ndarray) -> np.ndarray:
    """Each line centred and scaled to unit length (all zero for a flat line, whose
    centred samples are all zero)."""
    centred = _centred(lines)
    return centred / np.maximum(_lengths(centred), TINY)[:, None]


def _correlation(reference_lines: np.ndarray) -> Judge | None:
    """Lines that show the same bars as their inner neighbour and as the decoded band.

    The neighbour test follows bars that drift along the line (a tilt estimated a
    little off, perspective); the band test stops the walk at printed digits, whose
    neighbouring lines resemble each other too.
    """
    reference = _units(reference_lines).sum(axis=0) / len(reference_lines)
    norm = float(np.sqrt(reference @ reference))
    if norm == 0.0:
        return None
    reference /= norm

    def judge(lines: np.ndarray) -> np.ndarray:
        centred = _centred(lines)
        lengths = np.maximum(_lengths(centred), TINY)
        neighbour = np.einsum("ij,ij->i", centred[1:], centred[:-1]) / lengths[1:] / lengths[:-1]
        banded = centred[1:] @ reference / lengths[1:]
        return (neighbour >= MIN_CORRELATION) & (banded >= MIN_REFERENCE_CORRELATION)

    return judge


def _texture(reference_lines: np.ndarray) -> Judge | None:
    """Lines as contrasted and as dense in edges as the reference lines (stacked rows)."""
    contrast, edges = _contrast_and_edges(reference_lines)
    min_contrast = MIN_TEXTURE * percentile.of(contrast, 50.0)
    min_edges = MIN_TEXTURE * percentile.of(edges, 50.0)
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
    centred = _centred(lines)
    contrast = _lengths(centred) / np.sqrt(max(lines.shape[1], 1))
    return contrast, _crossings(centred)


def _crossings(centred: np.ndarray) -> np.ndarray:
    """How many times each centred line (the last axis) crosses zero, its mean."""
    negative = centred < 0.0
    return np.count_nonzero(negative[..., 1:] != negative[..., :-1], axis=-1)


def _grow(
    sampler: _Sampler, judge: Judge, edge: float, direction: int, reach: float, good: np.ndarray
) -> int:
    """How many lines beyond ``edge`` still belong to the symbol.

    ``good`` holds the verdicts on the first lines beyond the edge, nearest first; past
    them the walk samples further chunks, twice as many lines as judged so far at a
    time, until ``MAX_MISSES + 1`` lines in a row fail or ``reach`` is exhausted.
    """
    while True:
        stop = _run_start(~good)
        if stop is not None:
            return stop
        if len(good) >= reach:
            kept = good.nonzero()[0]
            return int(kept[-1]) + 1 if len(kept) else 0
        count = max(1, int(min(2 * len(good), reach - len(good))))
        # The chunk starts with the last line judged: the neighbour of its first new one.
        more = judge(sampler.lines(edge + direction * (len(good) + np.arange(count + 1))))
        good = np.concatenate([good, more])


def with_clock_track(quad: Quad) -> Quad:
    """A DX film edge box grown over its clock track.

    zxing-cpp reports the data track; the clock track of the same height runs above it
    (in the symbol's orientation), and the symbol is both.
    """
    up = quad[0] - quad[3], quad[1] - quad[2]
    return np.array([quad[0] + up[0], quad[1] + up[1], quad[2], quad[3]])
