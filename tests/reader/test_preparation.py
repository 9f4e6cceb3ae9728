"""The cascade's preparations run on a helper thread beside the fast path, only where a
cascade may follow and a second core is allowed, and outlive the scan by at most the piece
of work they are in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from rendering import symbol
from test_cascade import clutter

from imgqrcode.reader import image_loader, pipeline
from imgqrcode.reader.cascade import cascade_stages
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.preparation import prepared_ahead
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext


def located(view: ImageView) -> str:
    return threading.current_thread().name


@dataclass
class Recording:
    """A stage that prepares ``steps`` pieces of work, recording the thread of each, and
    reads the first piece when called (after the helper has, with ``await_helper``)."""

    name: str = "recording"
    steps: int = 1
    await_helper: bool = False
    step_started: threading.Event = field(default_factory=threading.Event)
    piece_done: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None
    prepared: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def prepare(self, view: ImageView, options: ScanOptions) -> Iterator[object]:
        for _ in range(self.steps):
            self.prepared.append(threading.current_thread().name)
            self.step_started.set()
            if self.hold is not None:
                assert self.hold.wait(5)
            piece = view.derived(located)
            self.piece_done.set()
            yield piece

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        if self.await_helper:
            assert self.piece_done.wait(5)
        self.seen.append(view.derived(located))
        return []


def page(width: int = 640, height: int = 480) -> ImageView:
    """A QR code on a white page of ``width`` x ``height`` pixels."""
    pixels = np.full((height, width), 255, np.uint8)
    qr = symbol("QRCode", "prepared ahead", scale=4)
    pixels[: qr.shape[0], : qr.shape[1]] = qr
    return image_loader.load(pixels, 10**8)


def test_a_stage_finds_what_the_helper_prepared_beside_the_fast_path(two_cores):
    stage = Recording(await_helper=True)
    codes, _ = pipeline.run(page(), ScanOptions(), [stage])
    assert [c.data for c in codes] == ["prepared ahead"]
    assert stage.prepared == ["imgqrcode-prepare"]
    assert stage.seen == ["imgqrcode-prepare"]


def test_nothing_is_prepared_on_one_core_or_without_a_cascade(two_cores):
    alone = Recording()
    pipeline.run(page(), ScanOptions(parallel=False), [alone])
    # On one core the stage works it out itself, when it needs it.
    assert alone.prepared == [] and alone.seen == ["MainThread"]
    fast_only = Recording()
    pipeline.run(page(), ScanOptions(time_budget=0), [fast_only])
    assert fast_only.prepared == [] and fast_only.seen == []


def test_a_small_image_prepares_a_first_piece_on_the_fast_paths_worker(two_cores, held):
    """Below about 0.3 megapixels the fast path is too quick to hide a helper behind: the
    worker that reads its matrix formats (:mod:`.split_read`) then works out each stage's
    first piece, and the stage the rest."""
    small = Recording(steps=3, await_helper=True)
    # It does so while the fast path's own read still runs: here until it has.
    held["linear"] = small.piece_done
    codes, _ = pipeline.run(page(480, 360), ScanOptions(), [small])
    assert [c.data for c in codes] == ["prepared ahead"]
    assert len(small.prepared) == 1 and small.prepared[0].startswith("imgqrcode-read")
    assert small.seen == small.prepared


def helpers_alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "imgqrcode-prepare"]


def test_the_helper_stops_between_pieces_when_the_scan_is_over(two_cores):
    """The scan does not wait for the piece in progress; the helper ends after it."""
    hold = threading.Event()
    stage = Recording(steps=50, hold=hold)
    with prepared_ahead(page(), ScanOptions(), [stage]):
        assert stage.step_started.wait(5)
        assert helpers_alive()
    (helper,) = helpers_alive()
    hold.set()
    helper.join(5)
    assert not helper.is_alive()
    assert stage.prepared == ["imgqrcode-prepare"]


def test_no_helper_while_the_cores_are_taken(two_cores):
    """A process already running a scan on each of its two cores starts no helper."""
    afterwards = Recording()
    with prepared_ahead(page(), ScanOptions(), []):
        inner = Recording()
        pipeline.run(page(), ScanOptions(), [inner])
        assert inner.prepared == [] and inner.seen == ["MainThread"]
    pipeline.run(page(), ScanOptions(), [afterwards])
    assert afterwards.prepared == ["imgqrcode-prepare"]


def test_the_helper_changes_no_read(two_cores):
    """The registry's stages read a cluttered page the same with and without it (with
    a budget no scan reaches)."""
    pixels = clutter(3)
    qr = symbol("QRCode", "among clutter", scale=3, margin=4)
    pixels[40 : 40 + qr.shape[0], 600 : 600 + qr.shape[1]] = qr
    reads = []
    for parallel in (True, False):
        codes, _ = pipeline.run(
            image_loader.load(pixels, 10**8),
            ScanOptions(time_budget=60, parallel=parallel),
            cascade_stages(),
        )
        reads.append([(c.type_name, c.data, c.position) for c in codes])
    assert reads[0] == reads[1] and ("QR_CODE", "among clutter") in [r[:2] for r in reads[0]]
