"""Find 1D and stacked barcodes at any angle from the local structure of the image.

A barcode is a patch where the gradient is strong and points the same way everywhere
(across its bars), whatever the patch's angle; text, texture and photo edges have strong
gradients too, but in all directions. The structure tensor measures exactly that
coherence per pixel. Pixels are grouped by orientation before they are joined into
regions, so a barcode stays apart from the text printed beside it. The result is a list of
oriented rectangles in the original frame, ready to be rotated upright and decoded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader import percentile
from imgqrcode.reader.cascade import structure
from imgqrcode.reader.image_view import ImageView

ORIENTATION_BINS = 12
MIN_COHERENCE = 0.55
MIN_FILL = 0.3
"""Share of a candidate's rectangle its cells must cover: a barcode fills its own."""

MIN_LENGTH = 8
"""Shortest extent across the bars, in cells: 32 pixels, a dozen bars at least."""

MIN_ASPECT = 0.4
"""Length across the bars over their height: below it a patch is an edge or a line, not a
code (even a stacked one is rarely taller than about twice its length)."""

MIN_CELLS = 36
"""Smallest candidate region, in cells: about a 60 x 10 pixel patch at the working scale
(a 95-module EAN-13 at 1.5 pixels a module in a 1600-pixel photo is 140 cells)."""


@dataclass(frozen=True, slots=True)
class BarRegion:
    """An oriented rectangle in the original frame around a patch of parallel bars.

    ``angle`` is the direction across the bars (the reading direction), in radians;
    ``length`` runs along it, ``height`` along the bars. ``score`` ranks candidates:
    larger and more coherent first.
    """

    center: tuple[float, float]
    angle: float
    length: float
    height: float
    score: float


def locate_bars(view: ImageView, max_regions: int = 8) -> list[BarRegion]:
    """Oriented rectangles around patches of coherent parallel bars, best first."""
    grid = structure.analyse(view)
    if grid is None:
        return []
    # Noise is incoherent, so coherence alone separates bars from it: an absolute energy
    # floor suffices, and keeps a low-contrast barcode that fills the frame.
    strong = (grid.coherence > MIN_COHERENCE) & (grid.energy > structure.MIN_ENERGY)
    cells = np.flatnonzero(strong)
    if len(cells) < MIN_CELLS:
        return []
    angle = grid.angle.ravel()[cells]
    bins = np.floor((angle + math.pi / 2) / math.pi * ORIENTATION_BINS).astype(np.int32)
    bins %= ORIENTATION_BINS
    # Each strong cell's orientation as a vector on the doubled angle (orientations repeat
    # every half turn), weighted by its coherence: a patch's orientation is their sum.
    weight = grid.coherence.ravel()[cells].astype(np.float64)
    pulls = (weight * np.cos(2 * angle), weight * np.sin(2 * angle), weight)
    regions: list[BarRegion] = []
    for b in range(ORIENTATION_BINS):
        # A bin and its two neighbours: a bent or blurred symbol spreads over a few.
        near = cells[(bins - b + 1) % ORIENTATION_BINS <= 2]
        if len(near) < MIN_CELLS:
            continue
        mask = np.zeros(strong.shape, np.uint8)
        mask.ravel()[near] = 1
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        # Labels alone: OpenCV's statistics cost three times the labelling, and the
        # strong cells of a component (closing joins some of other bins) tell all.
        count, labels = cv2.connectedComponents(mask, connectivity=8)
        member_of = labels.ravel()[cells]
        members = np.bincount(member_of, minlength=count)
        c, s, total = (np.bincount(member_of, pull, minlength=count) for pull in pulls)
        theta = 0.5 * np.arctan2(s, c)
        # Only keep regions whose own mean orientation lies in this bin's centre, so each
        # region is found once (by the bin it belongs to) rather than by three neighbours.
        centre = (b + 0.5) * math.pi / ORIENTATION_BINS - math.pi / 2
        centred = np.abs(_wrap(theta - centre)) <= math.pi / ORIENTATION_BINS / 2 + 1e-9
        for label in np.nonzero((members >= MIN_CELLS) & centred)[0]:
            if label == 0:
                continue
            ys, xs = np.divmod(cells[member_of == label], strong.shape[1])
            concentration = math.hypot(c[label], s[label]) / total[label]
            region = _region(xs, ys, float(theta[label]), concentration)
            if region is not None:
                regions.append(_scaled(region, grid))
    return _distinct(regions)[:max_regions]


def _region(xs: np.ndarray, ys: np.ndarray, theta: float, concentration: float) -> BarRegion | None:
    """The rectangle across ``theta`` around one connected patch of grid cells (at
    ``xs``, ``ys``), or ``None`` if it is not a plausible barcode. ``concentration`` is
    how closely its cells agree on ``theta``."""
    u = np.array([math.cos(theta), math.sin(theta)])
    along = xs * u[0] + ys * u[1]
    across = -xs * u[1] + ys * u[0]
    (a0, a1), (b0, b1) = _spread(along), _spread(across)
    # A cell's extent is one cell more than the distance between cell centres.
    length, height = float(a1 - a0) + 1, float(b1 - b0) + 1
    fill = len(xs) / (length * height)
    # Printed digits and label edges along the bars join the patch and lower its fill.
    # A lone edge or line is coherent too, but only a window wide across its direction.
    if length < MIN_LENGTH or length < MIN_ASPECT * height or fill < MIN_FILL:
        return None
    ca, cb = (a0 + a1) / 2, (b0 + b1) / 2
    cx, cy = ca * u[0] - cb * u[1], ca * u[1] + cb * u[0]
    score = len(xs) * concentration * fill
    return BarRegion((float(cx), float(cy)), theta, length, height, score)


def _spread(values: np.ndarray) -> tuple[float, float]:
    """The 1st and 99th percentiles of ``values``: the extent of a patch without the odd
    stray cell."""
    low, high = percentile.several(values, (1.0, 99.0))
    return low, high


def _wrap(delta: np.ndarray) -> np.ndarray:
    """Orientation differences folded into [-pi/2, pi/2)."""
    return (delta + math.pi / 2) % math.pi - math.pi / 2


def _scaled(region: BarRegion, grid: structure.Structure) -> BarRegion:
    """``region`` from cell coordinates to the original's."""
    factor = grid.cell_size
    return BarRegion(
        grid.to_original(*region.center),
        region.angle,
        region.length * factor,
        region.height * factor,
        region.score,
    )


def _distinct(regions: list[BarRegion]) -> list[BarRegion]:
    """Best first, dropping a region whose centre lies inside a better one."""
    kept: list[BarRegion] = []
    for region in sorted(regions, key=lambda r: r.score, reverse=True):
        if not any(_contains(k, region.center) for k in kept):
            kept.append(region)
    return kept


def _contains(region: BarRegion, point: tuple[float, float]) -> bool:
    dx, dy = point[0] - region.center[0], point[1] - region.center[1]
    c, s = math.cos(region.angle), math.sin(region.angle)
    return abs(dx * c + dy * s) <= region.length / 2 and abs(-dx * s + dy * c) <= region.height / 2
