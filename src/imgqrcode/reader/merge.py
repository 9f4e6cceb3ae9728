"""Merging the codes of several stages: no duplicates, reading order.

A code is a duplicate when it has the same ``type_name`` and ``data`` as one already
found and sits in the same place; the same content printed twice in distinct places
is two codes (labels on a sheet) and both are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from imgqrcode.reader import geometry
from imgqrcode.reader.result import Code

DEGENERATE_RATIO = 0.5
"""A read whose box is less than this fraction of another read's box is a mere line."""


def merged(found: Sequence[Code], new: Iterable[Code]) -> list[Code]:
    """``found`` plus the codes of ``new`` that are not already in it.

    Earlier stages are trusted first (they decoded the original pixels), so a
    duplicate keeps the earlier corners unless they are degenerate next to the new
    ones (a scan line against a full box).
    """
    result = list(found)
    for code in new:
        for index, known in enumerate(result):
            if _same(known, code):
                result[index] = _better(known, code)
                break
        else:
            result.append(code)
    return result


def _same(a: Code, b: Code) -> bool:
    return (
        a.type_name == b.type_name
        and a.data == b.data
        and geometry.same_place(geometry.to_quad(a.position), geometry.to_quad(b.position))
    )


def _better(known: Code, candidate: Code) -> Code:
    known_area = geometry.area(geometry.to_quad(known.position))
    candidate_area = geometry.area(geometry.to_quad(candidate.position))
    return candidate if known_area < DEGENERATE_RATIO * candidate_area else known


def reading_order(codes: Sequence[Code]) -> list[Code]:
    """Top to bottom, then left to right, as a person reads a page.

    A code joins a row when its vertical centre lies within the height of a code of the
    row, or the other way round: a short barcode beside a tall QR code is beside it, not
    below it, whichever of the two starts higher. Rows come in the order of their
    topmost code; inside a row, left to right.
    """
    boxes = sorted(
        ((geometry.bounds(geometry.to_quad(code.position)), code) for code in codes),
        key=lambda item: (item[0][1], item[0][0]),
    )
    rows: list[list[tuple[tuple[float, float, float, float], Code]]] = []
    for box, code in boxes:
        if rows and any(_same_row(member, box) for member, _ in rows[-1]):
            rows[-1].append((box, code))
        else:
            rows.append([(box, code)])
    return [code for row in rows for _, code in sorted(row, key=lambda it: (it[0][0], it[0][1]))]


def _same_row(
    anchor: tuple[float, float, float, float], box: tuple[float, float, float, float]
) -> bool:
    anchor_centre = (anchor[1] + anchor[3]) / 2.0
    box_centre = (box[1] + box[3]) / 2.0
    return anchor[1] <= box_centre <= anchor[3] or box[1] <= anchor_centre <= box[3]
