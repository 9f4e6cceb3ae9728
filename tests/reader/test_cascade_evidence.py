"""The evidence rule of the cascade: a weak read counts only when confirmed, uncontested."""

from __future__ import annotations

from imgqrcode.reader.cascade.evidence import Ballot
from imgqrcode.reader.result import Code, Point, Position


def code(type_name: str, data: str, x: int = 0) -> Code:
    corners = Position(Point(x, 0), Point(x + 100, 0), Point(x + 100, 50), Point(x, 50))
    return Code(type_name=type_name, data=data, position=corners)


def test_strong_symbologies_count_at_once():
    ballot = Ballot()
    ballot.add([code("QR_CODE", "hello")])
    assert ballot.decided
    assert [c.data for c in ballot.accepted()] == ["hello"]


def test_a_weak_read_needs_a_second_rendition():
    ballot = Ballot()
    ballot.add([code("EAN_13", "9780804816632")])
    assert ballot.pending and not ballot.decided
    assert ballot.accepted() == []
    ballot.add([code("EAN_13", "9780804816632")])
    assert ballot.decided
    assert [c.data for c in ballot.accepted()] == ["9780804816632"]


def test_one_rendition_is_one_vote():
    ballot = Ballot()
    ballot.add([code("EAN_13", "9780804816632"), code("EAN_13", "9780804816632")])
    assert ballot.accepted() == []


def test_contradicted_weak_reads_are_dropped():
    ballot = Ballot()
    for data in ("4572134838478", "4572134838478", "8574731738478"):
        ballot.add([code("EAN_13", data)])
    assert ballot.accepted() == []


def test_weak_reads_in_different_places_do_not_contradict():
    ballot = Ballot()
    for _ in range(2):
        ballot.add([code("EAN_13", "9780804816632"), code("EAN_13", "4006381333931", x=400)])
    assert sorted(c.data for c in ballot.accepted()) == ["4006381333931", "9780804816632"]


def test_short_weak_reads_are_ignored():
    ballot = Ballot()
    for _ in range(3):
        ballot.add([code("ITF", "1234"), code("CODABAR", "A12B")])
    assert ballot.accepted() == []
