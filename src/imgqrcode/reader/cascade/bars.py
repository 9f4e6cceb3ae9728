"""Stage: 1D and stacked barcodes at any angle, located by their bars and turned upright.

zxing-cpp scans rows and columns, so a linear symbol more than a few degrees off either
axis is invisible to it, and PDF417 tolerates little more. This stage finds patches of
parallel bars at any angle (:mod:`.bar_locator`), cuts each one out rotated so its bars
stand vertical, with a quiet zone around it and small symbols enlarged, and decodes the
crop with the bar-based formats only, trying enhanced renditions until one reads.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from imgqrcode.reader import geometry, symbology
from imgqrcode.reader.cascade import coverage, enhance, outline, structure, warp
from imgqrcode.reader.cascade.bar_locator import BarRegion, locate_bars
from imgqrcode.reader.cascade.reading import (
    Reading,
    Setting,
    read_candidates,
    rendition_limit,
    requested,
)
from imgqrcode.reader.cascade.upright import (
    SKEW_LENGTH,
    bar_count,
    residual_skew,
    straightened,
    upright,
)
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext

BAR_TYPE_NAMES: frozenset[str] = symbology.LINEAR_TYPE_NAMES | {
    symbology.PDF_417,
    symbology.MICRO_PDF_417,
}

TARGET_LENGTHS = (480.0, 340.0, 400.0)
"""Crops are resized so the symbol spans about this many pixels: enough for 2-3 pixels a
module on the longest common symbols without a slow decode. Each further sampling is a
rendition whose errors differ from the first's."""

MAX_LEAN = math.radians(1.5)
"""Bars leaning more than this inside a linear code's box mean the box is wrong."""

STACKED_REACH = 3.0
"""How far (in symbol heights) the last crop reaches beyond a patch on each side: a PDF417
is rarely more than three times as long as it is tall."""

STACKED_ZOOM = 2.0

MIN_BARS = 6
"""Fewer bars than this across a candidate and it is an edge, a line or text."""

LIGHT_MIN_BARS = 12
"""Once the image has yielded a code (before this stage), fewer bars than the shortest
common symbol has (a one-character Codabar: 12) and a candidate is left. A further code
in a readable photo shows all its bars, while the words and figures printed around a
code, most of the candidates there, show 3 to 10 (on both synthetic corpora, every code
read beside a read one showed 13 or more, and nine in ten candidates that read nothing
fewer than 12)."""

LIGHT_MISSES = 1
"""Candidates that read nothing after which the stage stops once the image has yielded a
code (:mod:`.reading`): a further barcode in a readable photo is the likeliest patch of
bars left (on both synthetic corpora and the shared one, each of the 58 read beside a
read code was the first candidate tried), while the print around a code is ranked
below it."""

PIXELS_PER_BAR = 11.0
"""Crop pixels per bar counted: a bar and its space average about 3.7 modules (Code 128),
so this gives 3 pixels a module."""


def renditions(
    gray: np.ndarray, located: BarRegion, min_bars: int = MIN_BARS
) -> Iterator[warp.Warped]:
    """The crops to try, most productive first (made lazily: most regions stop early).

    Nothing is tried where a first crop shows fewer than ``min_bars``: most candidates
    in a cluttered photo are text or texture, and a degree of skew changes their count
    far less than the count separates them from a code, so they are judged before the
    skew is measured."""
    if bar_count(upright(gray, located, TARGET_LENGTHS[0]).image) < min_bars:
        return
    region = straightened(gray, located)
    first = upright(gray, region, TARGET_LENGTHS[0])
    bars = bar_count(first.image)
    # A long symbol needs a longer crop for the same pixels a module.
    scale = max(1.0, PIXELS_PER_BAR * bars / TARGET_LENGTHS[0])
    for target in TARGET_LENGTHS:
        crop = (
            first
            if scale == 1.0 and target == TARGET_LENGTHS[0]
            else upright(gray, region, target * scale)
        )
        yield crop
        equalised = enhance.equalised(crop.image)
        yield enhance.rendition(crop, equalised)
        yield enhance.rendition(crop, enhance.sharpened(equalised))
        yield enhance.rendition(crop, enhance.sharpened(crop.image))
        # Out of focus or unevenly lit: undo the blur across the bars, then threshold
        # each row against its own light (weak symbologies need two of these to agree).
        yield enhance.rendition(crop, enhance.levelled(enhance.deblurred(crop.image)))
        if target == TARGET_LENGTHS[0]:
            # Seen in perspective, a symbol's bars fan out and a PDF417's rows converge:
            # rectify its outline, which a crop around the bars mostly holds.
            yield from outline.rectified(crop)
    # Bars blurred together undercount: a last try at twice the pixels a module.
    enlarged = upright(gray, region, 2 * scale * TARGET_LENGTHS[0])
    yield enhance.rendition(enlarged, enhance.sharpened(enhance.equalised(enlarged.image)))
    # The coherent part of a PDF417 may be only its start or stop pattern (its codewords
    # are short bars in rows): reach out over where the rest of the symbol would be.
    wide = upright(gray, region, STACKED_ZOOM * region.length, STACKED_REACH)
    yield wide
    # In perspective its rows converge: rectify the symbol's outline.
    yield from outline.rectified(wide)


@dataclass(frozen=True, slots=True)
class BarRenditions:
    """:func:`renditions` as a :class:`.reading.Renditions` value."""

    min_bars: int = MIN_BARS

    def __call__(self, view: ImageView, located: BarRegion) -> Iterator[warp.Warped]:
        return renditions(view.gray, located, min_bars=self.min_bars)


def slanted(code: Code, gray: np.ndarray) -> bool:
    """Whether ``code`` is linear and its bars lean inside its box: the box was built
    around a scan line that crossed them at a slant, and is wrong.

    The lean is measured against the box's sides, which follow the outer bars; its top
    and bottom follow the bars' ends, which on a sheared symbol are not square to them."""
    if code.type_name not in symbology.LINEAR_TYPE_NAMES:
        return False
    quad = geometry.to_quad(code.position)
    along = (quad[1] - quad[0]) + (quad[2] - quad[3])
    sides = (quad[3] - quad[0]) + (quad[2] - quad[1])
    across = np.array([-sides[1], sides[0]])
    if float(across @ along) < 0:
        across = -across
    length = float(np.linalg.norm(along)) / 2
    height = float(np.linalg.norm(sides)) / 2
    centre = quad.mean(axis=0)
    zoom = min(1.0, SKEW_LENGTH / max(length, 1.0))
    box = warp.rotated_crop(
        gray,
        (float(centre[0]), float(centre[1])),
        math.atan2(across[1], across[0]),
        (length, max(height, 3.0)),
        zoom,
    )
    return abs(residual_skew(box.image)) > MAX_LEAN


@dataclass(frozen=True, slots=True)
class RotatedBars:
    name: str = "bars"

    def prepare(self, view: ImageView, options: ScanOptions) -> Iterator[object]:
        if requested(options.formats, BAR_TYPE_NAMES):
            yield view.derived(coverage.printed_cells)
            yield structure.analyse(view)
            yield view.derived(locate_bars)

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        type_names = requested(context.options.formats, BAR_TYPE_NAMES)
        if not type_names:
            return []
        # zxing-cpp reads a linear code up to ~20 degrees off axis, but the box around a
        # slanted scan line misses most of the bars: read such a code again upright (the
        # pipeline keeps the better box).
        boxed = [c for c in context.found if not slanted(c, view.gray)]
        if not coverage.may_remain(view, boxed):
            return []
        return read_candidates(
            view.derived(locate_bars),
            self._reading,
            view,
            context,
            boxed,
            type_names=type_names,
            light_misses=LIGHT_MISSES,
        )

    def _reading(self, region: BarRegion, yielded: bool, setting: Setting) -> Reading[BarRegion]:
        """How ``region`` is read: fewer bars are enough to try it once the image has
        yielded a code before this stage, fewer renditions once it has at all."""
        renditions = BarRenditions(LIGHT_MIN_BARS if setting.found else MIN_BARS)
        # An upright crop is already horizontal and the 1D decoders read both ways;
        # only a near-square patch (a stacked symbol) may need zxing's 90 degrees.
        rotate = region.height > 0.8 * region.length
        options = (("try_downscale", False), ("try_rotate", rotate))
        return Reading(region, renditions, rendition_limit(yielded), self.name, setting, options)
