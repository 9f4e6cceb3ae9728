"""Which text the scan lines of one EAN/UPC symbol agree on, once it is rectified.

zxing-cpp reads the whole image line by line and reports every text that some lines
decoded; on a photo in perspective a few lines through a blurred or slanted half of an
EAN-13 can decode to another text that passes the single mod-10 check, and zxing-cpp
reports it beside (or instead of) the right one. Rectifying the symbol's box to an
upright rectangle and decoding it band by band lets every part of its height vote, and
a read is not trusted when another text, read by several bands, outvotes it.
"""

from __future__ import annotations

from collections import Counter

import cv2
import numpy as np
import zxingcpp

from imgqrcode.reader import decoder, geometry, symbology
from imgqrcode.reader.result import Code

MODULES: dict[str, int] = {
    symbology.EAN_13: 95,
    symbology.UPC_A: 95,
    symbology.EAN_8: 67,
    symbology.UPC_E: 51,
}
"""The symbologies voted on, and their width in modules (guards included)."""

BANDS = 9
"""Horizontal bands the rectified symbol is cut into, each one vote."""

RIVAL_VOTES = 2
"""Bands that must read another text before it counts against a read: one band alone may
misread too (the cascade asks two renditions for the same reason). They must agree on it
to outvote a read some band confirms; against a read no band confirms, any two will do."""

MARGIN_MODULES = 8.0
"""Quiet zone kept on each side of the rectified symbol (zxing-cpp wants one)."""

WIDTH, HEIGHT = 400, 180
"""The rectified symbol's size: about 4 pixels a module for the widest, EAN-13."""

PAD = 10
"""Pixels of each band's own edge added around it, so a thin band still has a border."""

_FAMILY = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.UPCE]
)


def votes(gray: np.ndarray, code: Code) -> Counter[str]:
    """How many bands of ``code``'s rectified box (corners in ``gray``'s frame) read
    each EAN/UPC text, in the contract's form (UPC-A in 12 digits, UPC-E in 8)."""
    modules = MODULES[code.type_name]
    lt, rt, rb, lb = geometry.to_quad(code.position)
    margin = (rt - lt) / modules * MARGIN_MODULES
    source = np.float32([lt - margin, rt + margin, rb + margin, lb - margin])
    target = np.float32([[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]])
    upright = cv2.warpPerspective(
        gray,
        cv2.getPerspectiveTransform(source, target),
        (WIDTH, HEIGHT),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    tally: Counter[str] = Counter()
    for rows in np.array_split(upright, BANDS):
        band = np.pad(rows, PAD, mode="edge")
        for barcode in decoder.read(band, None, try_rotate=False, formats=_FAMILY):
            tally[_contract_data(barcode, code.type_name)] += 1
    return tally


def outvoted(gray: np.ndarray, code: Code) -> bool:
    """Whether another text is confirmed (:data:`RIVAL_VOTES` bands) and read by more
    bands than ``code``'s own, or no band reads ``code``'s text while that many read
    others (a misread the rest of the symbol does not bear out, whatever its rivals
    say). No vote at all is no evidence either way: a box on a curved or partly hidden
    symbol often rectifies too poorly for any band to read."""
    return overruled(votes(gray, code), code.data)


def overruled(tally: Counter[str], data: str) -> bool:
    """The verdict of :func:`outvoted` on the bands' ``tally`` for the text ``data``."""
    others = Counter({text: count for text, count in tally.items() if text != data})
    mine = tally[data]
    if mine == 0 and sum(others.values()) >= RIVAL_VOTES:
        return True
    return any(other >= RIVAL_VOTES and other > mine for other in others.values())


def _contract_data(barcode: zxingcpp.Barcode, wanted: str) -> str:
    """The band's text as ``code.data`` would carry it: UPC-A and UPC-E as the code
    being checked is named, since a band sees the same digits either way."""
    name = symbology.type_name(barcode, frozenset({wanted}))
    return symbology.data(barcode, name)
