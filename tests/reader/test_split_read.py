"""The fast path's read split across two cores: a thread reads the matrix formats while
the caller reads the linear ones, and together they read what one zxing-cpp call reads."""

from __future__ import annotations

import multiprocessing
import threading
import time

import numpy as np
import pytest
import zxingcpp
from rendering import canvas, paste, symbol

from imgqrcode.reader import decoder, image_loader, pipeline, preparation, split_read
from imgqrcode.reader.cascade import cascade_stages
from imgqrcode.reader.options import ScanOptions

Summary = list[tuple[str, bytes, str, int, str]]


def page(width: int = 700, height: int = 420) -> np.ndarray:
    """Codes of both families, a 1D one turned a quarter, on white: a small image
    unless made larger."""
    pixels = canvas(width, height)
    paste(pixels, symbol("QRCode", "split qr", scale=4), 0, 0)
    paste(pixels, symbol("EAN13", "4006381333931", scale=2), 180, 0)
    paste(pixels, symbol("DataMatrix", "split dm", scale=5), 0, 220)
    paste(pixels, symbol("PDF417", "split pdf", scale=2), 160, 250)
    paste(pixels, np.rot90(symbol("Code128", "split 128", scale=2)), width - 150, 0)
    return pixels


def summary(barcodes: list[zxingcpp.Barcode]) -> Summary:
    """What a read says of each barcode, in an order that does not depend on the calls'."""
    return sorted(
        (b.format.name, b.bytes, str(b.position), b.orientation, repr(b.extra)) for b in barcodes
    )


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, str]]:
    """The thread and the formats of each zxing-cpp call made through :mod:`.decoder`."""
    made: list[tuple[str, str]] = []
    read = decoder.read

    def recorded(pixels, type_names=None, **options):
        formats = options.get("formats", type_names)
        made.append((threading.current_thread().name, str(formats)))
        return read(pixels, type_names, **options)

    monkeypatch.setattr(decoder, "read", recorded)
    return made


@pytest.mark.parametrize(
    ("type_names", "try_invert"),
    [
        (None, False),
        (None, True),
        (frozenset({"QR_CODE", "EAN_13", "CODE_128", "PDF_417"}), False),
    ],
)
def test_the_two_families_read_what_one_call_reads(type_names, try_invert):
    pixels = page()
    one_call = decoder.read(pixels, type_names, try_invert=try_invert)
    split = split_read.read(pixels, type_names, try_invert=try_invert)
    assert summary(split) == summary(one_call)
    expected = {"QRCode", "EAN13", "Code128", "PDF417"} | (
        {"DataMatrix"} if not type_names else set()
    )
    assert {b.format.name for b in split} == expected


def test_the_matrix_formats_are_read_by_a_worker(calls):
    split_read.read(page(), None)
    threads = {formats: thread for thread, formats in calls}
    assert threads[str(zxingcpp.BarcodeFormat.AllLinear)] == "MainThread"
    assert threads[str(zxingcpp.BarcodeFormat.AllMatrix)].startswith("imgqrcode-read")
    assert len(calls) == 2


def test_the_worker_goes_on_meanwhile_without_the_caller_waiting(held):
    started, release = threading.Event(), threading.Event()
    threads: list[str] = []

    def meanwhile() -> None:
        threads.append(threading.current_thread().name)
        started.set()
        assert release.wait(10)

    # The caller's half ends once the worker has gone on, and does not wait for it.
    held["linear"] = started
    codes = split_read.read(page(), None, meanwhile=meanwhile)
    release.set()
    assert len(codes) == 5
    assert len(threads) == 1 and threads[0].startswith("imgqrcode-read")


def test_nothing_goes_on_once_the_callers_half_has_ended(held):
    """The caller would then only wait for the worker to hand over what it worked out."""
    ran: list[str] = []
    held["matrix"] = threading.Event()
    threading.Timer(0.5, held["matrix"].set).start()
    codes = split_read.read(page(), None, meanwhile=lambda: ran.append("meanwhile"))
    assert len(codes) == 5
    time.sleep(0.2)  # where the worker, had it gone on, would have
    assert ran == []


def test_a_request_for_one_family_is_one_call(calls):
    codes = split_read.read(page(), frozenset({"EAN_13", "CODE_128"}))
    assert sorted(b.text for b in codes) == ["4006381333931", "split 128"]
    assert [thread for thread, _ in calls] == ["MainThread"]


def worker_calls(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [call for call in calls if call[0].startswith("imgqrcode-read")]


def test_a_small_image_splits_its_fast_path_on_a_free_core(two_cores, calls):
    """Too small for the helper (:mod:`.preparation`), so its core reads the matrix
    formats instead; nothing is split without that core."""
    view = image_loader.load(page(), 10**8)
    assert view.width * view.height < preparation.MIN_PIXELS
    codes, _ = pipeline.run(view, ScanOptions(), [])
    assert len(codes) == 5
    assert worker_calls(calls) != []
    calls.clear()
    assert len(pipeline.run(view, ScanOptions(parallel=False), [])[0]) == 5
    assert worker_calls(calls) == []


def test_no_split_where_the_helper_takes_the_core(two_cores, calls):
    view = image_loader.load(page(800, 600), 10**8)
    assert view.width * view.height >= preparation.MIN_PIXELS
    codes, _ = pipeline.run(view, ScanOptions(), cascade_stages())
    assert len(codes) == 5
    assert worker_calls(calls) == []


def read_in_child() -> Summary:
    return summary(split_read.read(page(), None))


def test_a_forked_process_reads_on_workers_of_its_own():
    """A batch's processes are forked from one that may have split a read already: the
    workers' threads do not survive the fork, and a child waiting for them would hang."""
    expected = read_in_child()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(read_in_child).get(timeout=60) == expected
