"""How much evidence a cascade read needs before it is reported.

The cascade decodes many more pixels than the fast path (rotated, enlarged, sharpened
copies), and every extra decode is a chance for noise to pass a weak check. Symbols with
Reed-Solomon error correction (QR, DataMatrix, Aztec, PDF417...) or a strong checksum
(Code 128, Code 93, DataBar) are trusted as decoded. The weak ones (EAN/UPC with one
mod-10 digit, ITF, Codabar and Code 39 with none) must be read twice, from two different
renditions of the same place, and never contradicted there: a misread of a blurred or
damaged symbol is often systematic (several renditions agree on it), but then another
rendition usually reads something else, and two texts for one place means neither is
reliable. Even a strong checksum passes a misread now and then (Code 128's one in 103)
when a sharpened rendition is scanned along many lines: where two texts of one strong
symbology share a place, the one more renditions read wins, and a tie asks for another.
Error correction misreads too, when a word too damaged to repair lies within its reach
of another valid word; the decode then uses up all of the correction
(:func:`decoder.correction_spent`), so a strong read that only ever did needs a second
rendition, as a weak one does. Over the three synthetic corpora and the shared one, 4
of the cascade's 174 reads with error correction did: a PDF417 misread of a skewed
crop, and three QR codes read right, two of which no other rendition reads (the price
of the rule: two codes of 1,709 for the one misread).
A weak read also needs its symbology's length and, in the original image, its quiet
zones (:mod:`imgqrcode.reader.plausibility`): the resampled crop of a tilted ITF reads a
part of it in several renditions alike, which would otherwise confirm the part and
contest the whole.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

from imgqrcode.reader import geometry, symbology
from imgqrcode.reader.plausibility import well_formed
from imgqrcode.reader.result import Code

WEAK: frozenset[str] = frozenset(
    {
        symbology.EAN_13,
        symbology.EAN_8,
        symbology.UPC_A,
        symbology.UPC_E,
        symbology.ITF,
        symbology.CODABAR,
        symbology.CODE_39,
        symbology.CODE_32,
        symbology.PZN,
        symbology.TELEPEN,
        symbology.DX_FILM_EDGE,
    }
)

VOTES_NEEDED = 2


class Ballot:
    """The reads of one candidate place across its renditions of ``gray``, the original
    image (in whose frame the reads' corners are)."""

    def __init__(self, gray: np.ndarray) -> None:
        self._gray = gray
        self._reads: dict[tuple[str, str], list[Code]] = {}
        self._sure: set[tuple[str, str]] = set()
        """The strong texts some decode read with error correction to spare."""

    def add(self, codes: Iterable[Code], spent: Collection[tuple[str, str]] = ()) -> None:
        """The codes read from one rendition, ``spent`` naming those whose decode used up
        all of its error correction: each text counts once per rendition, wherever it
        lies in it, as a candidate's crop holds one symbol (a second copy is one symbol
        scanned twice, or a neighbour another candidate will read)."""
        seen: set[tuple[str, str]] = set()
        for code in codes:
            key = (code.type_name, code.data)
            if key in seen or (code.type_name in WEAK and not well_formed(self._gray, code)):
                continue
            seen.add(key)
            self._reads.setdefault(key, []).append(code)
            if key not in spent:
                self._sure.add(key)

    @property
    def decided(self) -> bool:
        """Whether every read so far is settled: weak ones confirmed, strong ones not tied
        with another text at their place."""
        return bool(self._reads) and all(
            len(reads) >= self._votes_needed(key)
            and (key[0] in WEAK or _best_rival(self._reads, key) != len(reads))
            for key, reads in self._reads.items()
        )

    def accepted(self) -> list[Code]:
        """Each text read by enough renditions and not contested at its place: for a weak
        symbology by any other text, for a strong one by a text read as often."""
        codes = []
        for key, reads in self._reads.items():
            rival = _best_rival(self._reads, key)
            needed = self._votes_needed(key)
            if len(reads) < needed or rival >= (1 if key[0] in WEAK else len(reads)):
                continue
            codes.append(reads[0])
        return codes

    def _votes_needed(self, key: tuple[str, str]) -> int:
        """Renditions that must read ``key``: two for a weak symbology, or for a strong
        one that no decode read with error correction to spare."""
        return 1 if key[0] not in WEAK and key in self._sure else VOTES_NEEDED


def _best_rival(reads: dict[tuple[str, str], list[Code]], key: tuple[str, str]) -> int:
    """The most renditions any other text of ``key``'s symbology was read by at its place
    (0: none)."""
    name, data = key
    quad = geometry.to_quad(reads[key][0].position)
    return max(
        (
            len(others)
            for (other_name, other_data), others in reads.items()
            if other_name == name
            and other_data != data
            and any(geometry.same_place(quad, geometry.to_quad(o.position)) for o in others)
        ),
        default=0,
    )
