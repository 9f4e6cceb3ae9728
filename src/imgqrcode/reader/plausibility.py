"""Whether a weak 1D read is plausible enough to report, from its own text and pixels.

ITF, Codabar and Code 39 carry no mandatory check digit, and EAN/UPC only one, so a scan
line that catches part of a symbol can decode to a valid-looking text. Three rules, the
first two taken from what the symbologies' specifications and ZXing (Java) require:

- a minimum length (ZXing's ITF reader wants 6 digits, its default allowed lengths; short
  Codabar and Code 39 reads are mostly bars in texture);
- a quiet zone: ITF needs 10 modules of blank on each side, UPC-E 9 and 7. A partial read
  of a tilted ITF-14 starts or ends inside the symbol, and a UPC-E found inside an EAN-13
  has the EAN's other bars beside it; zxing-cpp checks the blank only along its own scan
  line (which leaves a tilted symbol through the bars' top or bottom, into white), we
  check it across the bars of the measured box, where the rest of the symbol is.

- an EAN/UPC read must not be outvoted by the bands of its own rectified box
  (:mod:`band_vote`): a misread of a slanted EAN-13 passes its mod-10 check. The vote
  costs nine zxing-cpp calls, more than reading a small image, so only a contested
  read is put to it: one zxing-cpp made on a scan line or a few
  (:func:`bar_box.scan_line`), or beside another EAN/UPC text read in the same place.
  Otherwise lines across a good part of the bars all decoded its text and no other,
  the vote the bands would cast. Over the three synthetic corpora and the shared one,
  27 of the fast path's 234 EAN/UPC reads were contested, among them both misreads
  the vote outvotes (one on a scan line, one on a band a quarter as tall as the
  symbol is long, beside the right text).

EAN-13, UPC-A and EAN-8 are not checked for a quiet zone: their leading and trailing
digits are printed inside it, and real labels put text close to them. These rules judge
the fast path's reads; the cascade asks two agreeing renditions instead, and shares the
length and quiet-zone rules (its renditions are resampled copies, so the quiet zone is
checked in the original image, where a partial read's end lies inside the symbol).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from imgqrcode.reader import band_vote, bar_box, geometry, percentile, symbology
from imgqrcode.reader.result import Code

MIN_LENGTH: dict[str, int] = {symbology.ITF: 6, symbology.CODABAR: 6, symbology.CODE_39: 4}
"""Shortest content accepted: short reads of these are mostly noise."""

QUIET_ZONE_MODULES = 5.0
"""How far beyond each end the blank is checked, in modules: half of ITF's 10 (and well
inside UPC-E's 7), as the module width is only estimated from the symbol's length."""

EDGE_MODULES = 1.0
"""The first module beyond each end is skipped: the last bar's blur spills into it."""

MAX_INK = 0.5
"""The darkest sample of a quiet zone may reach this share of the way from the symbol's
spaces to its bars; real symbols' quiet zones stay under 0.4, a neighbouring bar is ~1."""

LINE_HEIGHTS = (0.35, 0.5, 0.65)
"""Where across the bars' height the zones are sampled (0: top), most of which must be
clear: the middle, where the measured box is surest (under perspective the bars are a
trapezoid and the box's corners may fall off them) and away from the digits EAN/UPC
symbols print beside the bottom of their bars."""

SAMPLES_PER_MODULE = 4
SYMBOL_SAMPLES = 400
LEVELS = (10.0, 90.0)
"""The percentiles of a line's samples taken as its bars' and its spaces' levels."""


def plausible(
    gray: np.ndarray, code: Code, reported: geometry.Quad, beside: Sequence[Code]
) -> bool:
    """Whether ``code``, read from ``gray`` (its corners in ``gray``'s frame) where
    zxing-cpp reported it at ``reported`` (:func:`decoder.reported`), with the codes
    ``beside`` it in the same call, is trusted."""
    if not well_formed(gray, code):
        return False
    return not contested(code, reported, beside) or not band_vote.outvoted(gray, code)


def contested(code: Code, reported: geometry.Quad, beside: Sequence[Code]) -> bool:
    """Whether ``code`` is an EAN/UPC read its bands must vote on: zxing-cpp reported it
    on a scan line or a few, or read another EAN/UPC text in its place."""
    if code.type_name not in band_vote.MODULES:
        return False
    if bar_box.scan_line(reported):
        return True
    quad = geometry.to_quad(code.position)
    return any(
        other.type_name in band_vote.MODULES
        and other.data != code.data
        and geometry.same_place(quad, geometry.to_quad(other.position))
        for other in beside
    )


def well_formed(gray: np.ndarray, code: Code) -> bool:
    """Whether ``code`` meets its symbology's length and, in ``gray``, quiet-zone rules:
    what every weak read must, whichever stage read it (the band vote is the fast
    path's alone; the cascade's renditions vote instead)."""
    return long_enough(code) and shows_quiet_zones(gray, code)


def long_enough(code: Code) -> bool:
    """Whether ``code``'s text reaches its symbology's :data:`MIN_LENGTH`."""
    return len(code.data) >= MIN_LENGTH.get(code.type_name, 0)


def shows_quiet_zones(gray: np.ndarray, code: Code) -> bool:
    """Whether ``code``'s ends are followed by blank in ``gray`` (its corners in
    ``gray``'s frame), where its symbology's quiet zone is checked (else ``True``)."""
    modules = _modules(code)
    return modules is None or has_quiet_zones(gray, geometry.to_quad(code.position), modules)


def has_quiet_zones(gray: np.ndarray, quad: geometry.Quad, modules: int) -> bool:
    """Whether both ends of the bars in ``quad`` (corners in the symbol's orientation:
    left to right across the bars) are followed by blank, on most sampled lines."""
    clear = [
        _zone_ink(
            gray, quad[0] + (quad[3] - quad[0]) * h, quad[1] + (quad[2] - quad[1]) * h, modules
        )
        <= MAX_INK
        for h in LINE_HEIGHTS
    ]
    return sum(clear) * 2 > len(clear)


def _modules(code: Code) -> int | None:
    """The symbol's width in modules, for the symbologies whose quiet zone is checked.

    An ITF digit is 2 wide and 3 narrow elements (9 modules at the widest ratio, 3), its
    start and stop patterns 4 and 5: a narrower ratio only makes the checked zone wider
    in true modules, still inside the specified 10."""
    if code.type_name == symbology.ITF:
        return 9 * len(code.data) + 9
    if code.type_name == symbology.UPC_E:
        return band_vote.MODULES[symbology.UPC_E]
    return None


def _zone_ink(gray: np.ndarray, start: np.ndarray, end: np.ndarray, modules: int) -> float:
    """The darkest sample just beyond either end of the line ``start``-``end``, as a share
    of the way from the line's spaces (0) to its bars (1)."""
    length = float(np.linalg.norm(end - start))
    if length == 0:
        return 0.0
    along = (end - start) / length
    module = length / modules
    inside = _sample(gray, start + np.linspace(0.0, 1.0, SYMBOL_SAMPLES)[:, None] * (end - start))
    dark, light = percentile.several(inside, LEVELS)
    steps = np.arange(EDGE_MODULES, QUIET_ZONE_MODULES, 1 / SAMPLES_PER_MODULE)[:, None] * module
    beyond = np.concatenate(
        [_sample(gray, start - steps * along), _sample(gray, end + steps * along)]
    )
    return float((light - beyond.min()) / max(light - dark, 1.0))


def _sample(gray: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Grey values at ``points`` (x, y), bilinear; beyond the image, its edge pixels."""
    xs = points[:, 0].astype(np.float32)[None]
    ys = points[:, 1].astype(np.float32)[None]
    sampled = cv2.remap(gray, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return sampled[0].astype(float)
