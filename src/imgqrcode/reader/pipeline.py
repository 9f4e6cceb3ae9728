"""The reading pipeline: the fast path, then the cascade while the time budget lasts.

The fast path is plain zxing-cpp over the whole image; it reads most real images at
the cost of one call. The cascade's stages (``imgqrcode.reader.cascade``) run after it,
each seeing what was found so far, until the deadline (start of the cascade plus
``options.time_budget``) passes. Every stage's codes are merged here, once. What the
stages can work out before the fast path has read is worked out beside it
(:mod:`.preparation`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader import decoder, merge, plausibility, split_read
from imgqrcode.reader.cascade import cascade_stages
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.preparation import SpareCore, prepared_ahead
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import Stage, StageContext


@dataclass(frozen=True, slots=True)
class FastPath:
    """zxing-cpp with its defaults (all rotations, downscaling) on the image, keeping the
    weak 1D reads :mod:`plausibility` trusts (partial reads of tilted ITF symbols, UPC-E
    found inside other bars, too-short texts are dropped).

    zxing-cpp's inversion (light codes on dark) is a second pass over every image, a fifth
    of its time. Before a cascade it runs only on an image the first pass read nothing the
    caller asked for, which is where a reversed code is, as a call of its own on the
    inverted pixels (whose reads are then checked on those pixels: a light ITF's quiet
    zones are dark in the original); one beside a dark code is left to the cascade, whose
    crops are decoded both ways. With no cascade after it (a zero time budget) both passes
    run in one call, as in plain zxing-cpp: the fast path alone reads all that it does, in
    its time (a call of its own would cost most of a first pass again).

    With a ``spare`` core (free for this scan, no helper on it) every call reads the
    matrix formats on it while the linear ones read (:mod:`.split_read`), and then
    prepares the cascade there.
    """

    name: str = "fast"
    spare: SpareCore | None = None

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        if context.options.time_budget <= 0:
            return self._read(view.gray, view, context, try_invert=True)
        codes = self._read(view.gray, view, context, try_invert=False)
        if not codes:
            codes = self._read(cv2.bitwise_not(view.gray), view, context, try_invert=False)
        return codes

    def _read(
        self, pixels: np.ndarray, view: ImageView, context: StageContext, try_invert: bool
    ) -> list[Code]:
        type_names = context.options.formats
        if self.spare is None:
            barcodes = decoder.read(pixels, type_names, try_invert=try_invert)
        else:
            barcodes = split_read.read(
                pixels, type_names, meanwhile=self.spare.prepare, try_invert=try_invert
            )
        frame = (view.width, view.height)
        codes = decoder.to_codes(barcodes, pixels, frame, stage=self.name, type_names=type_names)
        trusted = [
            code
            for code, barcode in zip(codes, barcodes, strict=True)
            if plausibility.plausible(pixels, code, decoder.reported(barcode), codes)
        ]
        return _wanted(trusted, context.options)


def run(
    view: ImageView, options: ScanOptions, stages: Sequence[Stage] | None = None
) -> tuple[list[Code], dict[str, float]]:
    """All codes in ``view`` in reading order, and the seconds each stage took.

    ``stages`` replaces the cascade (for benchmarks that measure one stage alone).
    """
    timings: dict[str, float] = {}
    cascade = cascade_stages() if stages is None else stages
    with prepared_ahead(view, options, cascade) as spare:
        fast = FastPath(spare=spare)
        started = time.monotonic()
        found = merge.merged([], fast(view, _context(options, [], math.inf)))
        timings[fast.name] = time.monotonic() - started
        if options.time_budget <= 0:
            return merge.reading_order(found), timings
        deadline = time.monotonic() + options.time_budget
        for stage in cascade:
            if time.monotonic() >= deadline:
                break
            stage_started = time.monotonic()
            codes = stage(view, _context(options, found, deadline))
            found = merge.merged(found, _wanted(codes, options))
            timings[stage.name] = time.monotonic() - stage_started
    return merge.reading_order(found), timings


def _context(options: ScanOptions, found: Sequence[Code], deadline: float) -> StageContext:
    return StageContext(options=options, found=tuple(found), deadline=deadline)


def _wanted(codes: list[Code], options: ScanOptions) -> list[Code]:
    """Drop symbologies the caller excluded (zxing-cpp reads UPC-A through EAN-13)."""
    if options.formats is None:
        return codes
    return [code for code in codes if code.type_name in options.formats]
