"""Stage: small, soft or noisy 2D codes, cut out and enlarged.

zxing-cpp's detectors need about three pixels a module and crisp edges; a code printed
small, photographed from afar or slightly out of focus has less. Enlarging a whole photo
would cost a decode of four times the pixels, so this stage enlarges only the compact
densely printed patches (:mod:`.patch_locator`) not already read, then tries them
sharpened (or, when a shaken camera streaked them, with the streak undone), globally
thresholded (uneven print, curved labels), rectified (a DataMatrix or PDF417 in
perspective) and deblurred.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from imgqrcode.reader import symbology
from imgqrcode.reader.cascade import coverage, enhance, outline, warp
from imgqrcode.reader.cascade.patch_locator import Patch, locate_patches
from imgqrcode.reader.cascade.reading import (
    LIGHT_MISSES,
    Reading,
    Setting,
    read_candidates,
    rendition_limit,
    requested,
)
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext

MATRIX_TYPE_NAMES: frozenset[str] = frozenset(
    {
        symbology.QR_CODE,
        symbology.MICRO_QR_CODE,
        symbology.RMQR_CODE,
        symbology.DATA_MATRIX,
        symbology.AZTEC,
        symbology.MAXICODE,
        symbology.PDF_417,
        symbology.MICRO_PDF_417,
    }
)

MARGIN = 0.35
"""Context kept around a patch, as a fraction of its side: the quiet zone, and the parts of
the symbol the energy map cut off."""

TARGET_SIDE = 640.0
"""Patches are enlarged up to about this side; beyond, decoding slows for little gain."""

LIGHT_TARGET_SIDE = 320.0
"""The side patches are enlarged to once the image has yielded a code (before this
stage; the stage's own first code only cuts its renditions, :mod:`.reading`). A further
code in a readable photo has modules of 1.3 pixels or more, and its patch, a margin
included, is rarely larger than 200 pixels: this still gives it about three pixels a
module. The patches of print around a code, most of what is tried there, are larger and
cost a quarter of the pixels (on both synthetic corpora every code read beside a read
one at 640 was read at 320; at 240, four were lost)."""

MAX_ZOOM = 3.0
MAX_SHARE = 0.6
"""Patches with a side beyond this share of the image's are left to the fast path..."""

SMALL_IMAGE = 800
"""...unless the image's longer side is at most this: then a second look costs little."""

MIN_ZOOM = 1.25
"""Below this a patch is decoded at its own scale: enlarging it would gain nothing."""

MARKED_STREAK = 3.0
"""Length (pixels) from which a patch's motion blur (:func:`.enhance.streak`) is undone,
as its second rendition, within the few a stage tries once the image has yielded a code:
a code streaked as much reads in no other rendition, while few patches held still (one
in fourteen of those around a 2D code) measure a streak as long. A patch streaked less
is never unstreaked: there the rendition read nothing the others did not."""


LIGHT_RENDITIONS = 2
"""Renditions a patch gets once the image has yielded a code (:mod:`.reading`): a further
2D code in a readable photo reads as it is, or with its streak undone or sharpened (on
both synthetic corpora every such code read by the second rendition; the third, tried on
some 1,400 patches of text and pattern, read none)."""


AHEAD = LIGHT_MISSES + 1
"""Patches the helper thread reads ahead: as many as the stage tries once the fast path
has read a code, if that code covers one of them. Reading every located patch (up to
six) spent a reading or two of CPU (3 ms each) for nothing on most photos, and the last
may outlive the scan."""


def renditions(
    view: ImageView, patch: Patch, target_side: float = TARGET_SIDE
) -> Iterator[warp.Warped]:
    """The crops to try around ``patch``, the likeliest to read and cheapest first, enlarged
    to about ``target_side``."""
    crop = warp.cropped(view.gray, _margined(view.gray, patch))
    zoom = min(MAX_ZOOM, target_side / max(crop.image.shape))
    enlarged = _zoomed(crop, zoom)
    yield enlarged
    sharpened = functools.partial(enhance.sharpened, sigma=max(1.0, zoom))
    blur = view.derived(PatchStreak(patch))
    if blur.length >= MARKED_STREAK:
        # A shaken camera streaked the modules along one line: sharpening all round
        # would only steepen the streak, so undoing it takes sharpening's turn. Undone
        # at the crop's own scale, where the streak was made (and fewer pixels).
        yield _zoomed(enhance.rendition(crop, enhance.unstreaked(crop.image, blur)), zoom)
        filters = (enhance.thresholded, sharpened)
    else:
        filters = (sharpened, enhance.thresholded)
    for filtered in filters:
        yield enhance.rendition(enlarged, filtered(enlarged.image))
    # A DataMatrix or PDF417 seen in perspective: rectify the symbol's outline.
    yield from outline.rectified(enlarged)
    # Out of focus: the modules smeared into each other, undone (the dearest rendition).
    yield enhance.rendition(enlarged, enhance.deconvolved(enlarged.image))


def _margined(gray: np.ndarray, patch: Patch) -> tuple[int, int, int, int]:
    """The box ``(left, top, right, bottom)`` cut out around ``patch``, in whole pixels:
    its renditions and its streak are taken from the same pixels."""
    left, top, right, bottom = patch.box
    pad = MARGIN * patch.side
    x0, y0 = max(0, int(left - pad)), max(0, int(top - pad))
    x1, y1 = min(gray.shape[1], int(right + pad) + 1), min(gray.shape[0], int(bottom + pad) + 1)
    return x0, y0, x1, y1


@dataclass(frozen=True, slots=True)
class PatchStreak:
    """The motion blur of the crop around ``patch`` (:func:`.enhance.streak`), as a key for
    :meth:`ImageView.derived`: measured once per patch, whichever side its renditions
    are enlarged to (measuring costs most of a decode)."""

    patch: Patch

    def __call__(self, view: ImageView) -> enhance.Streak:
        return enhance.streak(warp.cropped(view.gray, _margined(view.gray, self.patch)).image)


@dataclass(frozen=True, slots=True)
class PatchRenditions:
    """:func:`renditions` as a :class:`.reading.Renditions` value."""

    target_side: float = TARGET_SIDE

    def __call__(self, view: ImageView, patch: Patch) -> Iterator[warp.Warped]:
        return renditions(view, patch, target_side=self.target_side)


def _zoomed(crop: warp.Warped, zoom: float) -> warp.Warped:
    """``crop`` enlarged by ``zoom``, unless by too little to gain anything."""
    return warp.enlarged(crop, zoom) if zoom > MIN_ZOOM else crop


@dataclass(frozen=True, slots=True)
class EnlargedPatches:
    name: str = "patches"

    def prepare(self, view: ImageView, options: ScanOptions) -> Iterator[object]:
        type_names = requested(options.formats, MATRIX_TYPE_NAMES)
        if type_names:
            yield view.derived(coverage.printed_cells)
            # Read as the stage reads them once the fast path has read a code.
            light = Setting(found=True, type_names=type_names)
            for patch in _candidates(view)[:AHEAD]:
                yield view.derive_ahead(self._reading(patch, True, light))

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        type_names = requested(context.options.formats, MATRIX_TYPE_NAMES)
        if not type_names:
            return []
        if not coverage.may_remain(view, context.found):
            return []
        return read_candidates(
            _candidates(view), self._reading, view, context, context.found, type_names=type_names
        )

    def _reading(self, patch: Patch, yielded: bool, setting: Setting) -> Reading[Patch]:
        """How ``patch`` is read: enlarged less once the image has yielded a code before
        this stage, in fewer renditions once it has at all."""
        renditions = PatchRenditions(LIGHT_TARGET_SIDE if setting.found else TARGET_SIDE)
        limit = rendition_limit(yielded, LIGHT_RENDITIONS)
        return Reading(patch, renditions, limit, self.name, setting, (("try_downscale", False),))


def _candidates(view: ImageView) -> list[Patch]:
    """The located patches worth a look: one as large as a photo is what the fast path
    already searched (a small image is cheap to search again, enlarged)."""
    side = max(view.width, view.height)
    largest = MAX_SHARE * side if side > SMALL_IMAGE else side
    return [patch for patch in view.derived(locate_patches) if patch.side <= largest]
