"""The evidence rule of the cascade: a weak read counts only when confirmed, uncontested."""

from __future__ import annotations

import numpy as np
from rendering import symbol
from test_plausibility import only_read, part

from imgqrcode.reader.cascade.evidence import Ballot
from imgqrcode.reader.result import Code, Point, Position

BLANK = np.full((200, 600), 255, np.uint8)
"""The original image of most reads here: blank round every box."""


def code(type_name: str, data: str, x: int = 0) -> Code:
    corners = Position(Point(x, 0), Point(x + 100, 0), Point(x + 100, 50), Point(x, 50))
    return Code(type_name=type_name, data=data, position=corners)


def test_strong_symbologies_count_at_once():
    ballot = Ballot(BLANK)
    ballot.add([code("QR_CODE", "hello")])
    assert ballot.decided
    assert [c.data for c in ballot.accepted()] == ["hello"]


def test_a_strong_read_that_spent_all_its_error_correction_needs_a_second_rendition():
    ballot = Ballot(BLANK)
    read = code("PDF_417", "KU fhlumkmebhzgdmmto")
    ballot.add([read], {("PDF_417", read.data)})
    assert not ballot.decided
    assert ballot.accepted() == []
    ballot.add([read], {("PDF_417", read.data)})
    assert [c.data for c in ballot.accepted()] == [read.data]


def test_a_weak_read_needs_a_second_rendition():
    ballot = Ballot(BLANK)
    ballot.add([code("EAN_13", "9780804816632")])
    assert not ballot.decided
    assert ballot.accepted() == []
    ballot.add([code("EAN_13", "9780804816632")])
    assert ballot.decided
    assert [c.data for c in ballot.accepted()] == ["9780804816632"]


def test_one_rendition_is_one_vote():
    ballot = Ballot(BLANK)
    ballot.add([code("EAN_13", "9780804816632"), code("EAN_13", "9780804816632")])
    assert ballot.accepted() == []


def test_contradicted_weak_reads_are_dropped():
    ballot = Ballot(BLANK)
    for data in ("4572134838478", "4572134838478", "8574731738478"):
        ballot.add([code("EAN_13", data)])
    assert ballot.accepted() == []


def test_weak_reads_in_different_places_do_not_contradict():
    ballot = Ballot(BLANK)
    for _ in range(2):
        ballot.add([code("EAN_13", "9780804816632"), code("EAN_13", "4006381333931", x=400)])
    assert sorted(c.data for c in ballot.accepted()) == ["4006381333931", "9780804816632"]


def test_short_weak_reads_are_ignored():
    ballot = Ballot(BLANK)
    for _ in range(3):
        ballot.add([code("ITF", "1234"), code("CODABAR", "A12B")])
    assert ballot.accepted() == []


def test_a_strong_misread_beside_the_true_text_waits_for_a_majority():
    """Code 128's checksum lets one misread in 103 through; one rendition scanned along
    many lines can return it beside the true text."""
    ballot = Ballot(BLANK)
    ballot.add([code("CODE_128", "TICKET 375J4S0V3"), code("CODE_128", "TICKET#375J4S0V3")])
    assert not ballot.decided
    assert ballot.accepted() == []
    ballot.add([code("CODE_128", "TICKET 375J4S0V3")])
    assert ballot.decided
    assert [c.data for c in ballot.accepted()] == ["TICKET 375J4S0V3"]


def test_strong_reads_in_different_places_do_not_contest():
    ballot = Ballot(BLANK)
    ballot.add([code("CODE_128", "LEFT"), code("CODE_128", "RIGHT", x=400)])
    assert ballot.decided
    assert sorted(c.data for c in ballot.accepted()) == ["LEFT", "RIGHT"]


def test_a_part_of_a_weak_symbol_is_not_confirmed_by_renditions_that_all_read_it():
    """The original image shows bars beyond a partial ITF read's end: however many
    renditions read the part, it is no read, and the whole still is."""
    pixels = symbol("ITF", "30712345000010", scale=3)
    whole, _ = only_read(pixels)
    ballot = Ballot(pixels)
    for _ in range(3):
        ballot.add([part(whole, pixels, 0.0, 0.6, data="30712345")])
    assert ballot.accepted() == []
    ballot.add([whole])
    ballot.add([whole])
    assert [c.data for c in ballot.accepted()] == ["30712345000010"]
