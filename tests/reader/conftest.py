"""Fixtures of the reader's tests: a second core, and the two halves of a split read."""

from __future__ import annotations

import threading

import pytest
import zxingcpp

from imgqrcode.reader import decoder, preparation

_FAMILIES = {
    str(zxingcpp.BarcodeFormat.AllLinear): "linear",
    str(zxingcpp.BarcodeFormat.AllMatrix): "matrix",
}


@pytest.fixture
def two_cores(monkeypatch):
    """This process may use two cores, whatever the machine has."""
    monkeypatch.setattr(preparation, "usable_cores", lambda: 2)


@pytest.fixture
def held(monkeypatch) -> dict[str, threading.Event]:
    """Events that hold the return of a split read's ``"linear"`` or ``"matrix"`` half
    (:mod:`imgqrcode.reader.split_read`) until they are set. The reads are zxing-cpp's;
    only their return waits, so that a test decides which half ends first, and what the
    worker does in between, whatever the machine's load."""
    events: dict[str, threading.Event] = {}
    read = decoder.read

    def holding(pixels, type_names=None, **options):
        barcodes = read(pixels, type_names, **options)
        event = events.get(_FAMILIES.get(str(options.get("formats")), ""))
        if event is not None:
            assert event.wait(10), "a read held for 10 s"
        return barcodes

    monkeypatch.setattr(decoder, "read", holding)
    return events
