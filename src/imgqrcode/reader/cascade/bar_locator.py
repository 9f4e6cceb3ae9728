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

WORK_SIDE = 1024
"""Longest side the gradients are taken at: large enough to resolve a photo's bars."""

CELL = 4
"""The structure tensor is averaged over CELL x CELL blocks: regions are grown on this
coarser grid, which is what makes the search cheap on a cluttered photo."""

ORIENTATION_BINS = 12
MIN_COHERENCE = 0.55
MIN_ENERGY = 2500.0
"""Mean squared Sobel response of bars with about 25 grey levels of contrast."""

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


def _cell_tensor(work: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The structure tensor's three components, averaged per cell then over 3 x 3 cells."""
    img = work.astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    size = (max(1, work.shape[1] // CELL), max(1, work.shape[0] // CELL))
    out = []
    for product in (gx * gx, gy * gy, gx * gy):
        cells = cv2.resize(product, size, interpolation=cv2.INTER_AREA)
        out.append(cv2.blur(cells, (3, 3)))
    return out[0], out[1], out[2]


def _working_image(gray: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(1.0, WORK_SIDE / max(gray.shape))
    if scale == 1.0:
        return gray, 1.0
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale


def locate_bars(gray: np.ndarray, max_regions: int = 8) -> list[BarRegion]:
    """Oriented rectangles around patches of coherent parallel bars, best first."""
    work, scale = _working_image(gray)
    if min(work.shape) < 3 * CELL:
        return []
    jxx, jyy, jxy = _cell_tensor(work)
    trace = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / (trace + 1e-3)
    strong = (coherence > MIN_COHERENCE) & (trace > MIN_ENERGY)
    if np.count_nonzero(strong) < MIN_CELLS:
        return []
    angle = 0.5 * np.arctan2(2 * jxy, jxx - jyy)
    bins = np.floor((angle + math.pi / 2) / math.pi * ORIENTATION_BINS).astype(np.int32)
    bins %= ORIENTATION_BINS
    regions: list[BarRegion] = []
    for b in range(ORIENTATION_BINS):
        distance = (bins - b) % ORIENTATION_BINS
        near = (distance <= 1) | (distance == ORIENTATION_BINS - 1)
        mask = (strong & near).astype(np.uint8)
        if np.count_nonzero(mask) < MIN_CELLS:
            continue
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for label in np.nonzero(stats[1:, cv2.CC_STAT_AREA] >= MIN_CELLS)[0] + 1:
            x, y, w, h = stats[label, :4]
            window = (slice(y, y + h), slice(x, x + w))
            member = (labels[window] == label) & strong[window]
            region = _region(member, angle[window], coherence[window], b, (x, y))
            if region is not None:
                regions.append(_scaled(region, CELL / scale))
    return _distinct(regions)[:max_regions]


def _region(
    member: np.ndarray,
    angle: np.ndarray,
    coherence: np.ndarray,
    bin_index: int,
    offset: tuple[int, int],
) -> BarRegion | None:
    """The oriented rectangle of one connected patch (``member`` inside a window of the
    working image at ``offset``), or ``None`` if it is not a plausible barcode."""
    ys, xs = np.nonzero(member)
    if len(xs) < MIN_CELLS:
        return None
    doubled = 2 * angle[ys, xs]
    weight = coherence[ys, xs]
    c, s = float(np.sum(weight * np.cos(doubled))), float(np.sum(weight * np.sin(doubled)))
    theta = 0.5 * math.atan2(s, c)
    # Only keep regions whose own mean orientation lies in this bin's centre, so each
    # region is found once (by the bin it belongs to) rather than by three neighbours.
    centre = (bin_index + 0.5) * math.pi / ORIENTATION_BINS - math.pi / 2
    if abs(_wrap(theta - centre)) > math.pi / ORIENTATION_BINS / 2 + 1e-9:
        return None
    concentration = math.hypot(c, s) / float(np.sum(weight))
    u = np.array([math.cos(theta), math.sin(theta)])
    along = xs * u[0] + ys * u[1]
    across = -xs * u[1] + ys * u[0]
    a0, a1 = float(along.min()), float(along.max())
    b0, b1 = float(across.min()), float(across.max())
    # A cell's extent is one cell more than the distance between cell centres.
    length, height = float(a1 - a0) + 1, float(b1 - b0) + 1
    fill = len(xs) / (length * height)
    if length < 4 or height < 2 or fill < 0.45:
        return None
    ca, cb = (a0 + a1) / 2, (b0 + b1) / 2
    cx, cy = ca * u[0] - cb * u[1] + offset[0], ca * u[1] + cb * u[0] + offset[1]
    score = len(xs) * concentration * fill
    return BarRegion((float(cx), float(cy)), theta, length, height, score)


def _wrap(delta: float) -> float:
    """An orientation difference folded into [-pi/2, pi/2)."""
    return (delta + math.pi / 2) % math.pi - math.pi / 2


def _scaled(region: BarRegion, factor: float) -> BarRegion:
    """``region`` from cell coordinates to the original's, ``factor`` pixels a cell."""
    cx, cy = region.center
    return BarRegion(
        ((cx + 0.5) * factor - 0.5, (cy + 0.5) * factor - 0.5),
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
