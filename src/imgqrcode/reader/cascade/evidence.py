"""How much evidence a cascade read needs before it is reported.

The cascade decodes many more pixels than the fast path (rotated, enlarged, sharpened
copies), and every extra decode is a chance for noise to pass a weak check. Symbols with
Reed-Solomon error correction (QR, DataMatrix, Aztec, PDF417...) or a strong checksum
(Code 128, Code 93, DataBar) are trusted as decoded. The weak ones (EAN/UPC with one
mod-10 digit, ITF, Codabar and Code 39 with none) must be read twice, from two different
renditions of the same place, and never contradicted there: a misread of a blurred or
damaged symbol is often systematic (several renditions agree on it), but then another
rendition usually reads something else, and two texts for one place means neither is
reliable.
"""

from __future__ import annotations

from collections.abc import Iterable

from imgqrcode.reader import geometry, symbology
from imgqrcode.reader.plausibility import long_enough
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
    """The reads of one candidate place across its renditions."""

    def __init__(self) -> None:
        self._strong: list[Code] = []
        self._weak: dict[tuple[str, str], list[Code]] = {}

    def add(self, codes: Iterable[Code]) -> None:
        """The codes read from one rendition (each text counts once per rendition)."""
        seen: set[tuple[str, str]] = set()
        for code in codes:
            if code.type_name not in WEAK:
                self._strong.append(code)
                continue
            key = (code.type_name, code.data)
            if not long_enough(code) or key in seen:
                continue
            seen.add(key)
            self._weak.setdefault(key, []).append(code)

    @property
    def decided(self) -> bool:
        """Whether every read so far is settled: strong, or weak and confirmed."""
        return bool(self._strong or self._weak) and all(
            len(reads) >= VOTES_NEEDED for reads in self._weak.values()
        )

    @property
    def pending(self) -> bool:
        """Some weak text was seen too few times: another rendition may confirm it."""
        return any(len(reads) < VOTES_NEEDED for reads in self._weak.values())

    def accepted(self) -> list[Code]:
        """Strong reads, plus each weak text confirmed by enough renditions and not
        contradicted by another text of its symbology at the same place."""
        codes = list(self._strong)
        for (name, data), reads in self._weak.items():
            if len(reads) < VOTES_NEEDED:
                continue
            quad = geometry.to_quad(reads[0].position)
            rivals = (
                other
                for (other_name, other_data), others in self._weak.items()
                if other_name == name and other_data != data
                for other in others
            )
            if not any(geometry.same_place(quad, geometry.to_quad(o.position)) for o in rivals):
                codes.append(reads[0])
        return codes
