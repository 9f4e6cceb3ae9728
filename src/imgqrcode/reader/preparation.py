"""The cascade's preparations, worked out on a second core while the fast path reads.

zxing-cpp releases the GIL while it reads, so meanwhile a helper thread can locate the
cascade's candidates (:class:`imgqrcode.reader.stage.Preparing`) and read the likeliest
ahead, which otherwise follow the fast path and cost an easy photo most of a second fast
path. The helper stops between two pieces of work once the scan is over; it outlives
the scan by at most the piece it is in.

A helper only pays where a core would otherwise idle: it is started for a photo, not a
thumbnail, and only while this process runs no more scans than half the cores it may use
(a service reading two images at once on two cores gives each its own core instead).
Where a core is free but no helper pays (a smaller image, no cascade), the scan gets
it (:class:`SpareCore`): the fast path reads on both cores (:mod:`.split_read`), and the
second then works out the first piece of each stage's preparations.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.stage import Preparing, Stage

MIN_PIXELS = 300_000
"""Smallest image the helper is started for, about a 640 x 480 photo. Below it the fast
path takes a few milliseconds, too few to hide the helper's work behind: starting a
thread and sharing the interpreter with it cost a small image a fifth more time, while
from this size up it saves a quarter (easy images of the synthetic and shared corpora).
"""

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_scans = 0
"""Scans of this process inside :func:`prepared_ahead` right now."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class SpareCore:
    """A second core free for a scan, which no helper takes (an image too small to hide
    one behind, or no cascade to prepare): the fast path reads on it
    (:mod:`.split_read`), and once its share of the read is done it works out the first
    piece of each of the ``stages``' preparations (the cascade's gate), while the fast
    path's own share still reads. Only the first: the next (locating candidates) takes
    longer than that share, and then holds the interpreter while the fast path measures
    its codes. Measured image by image on the shared corpus's easy images, in units of
    plain zxing-cpp's time: its 1D images 1.93-1.96x with the first piece, 2.06-2.09x
    without (2.20x with every piece, against 2.02x, in another run), its 2D images
    0.99-1.00x and 1.06x.
    """

    view: ImageView
    options: ScanOptions
    stages: Sequence[Stage]

    def prepare(self) -> None:
        # The protocol check runs here, on the spare core: it costs as much as the
        # thumbnail of a small image.
        _work_out(self.view, self.options, _preparing(self.stages), pieces=1)


@contextmanager
def prepared_ahead(
    view: ImageView, options: ScanOptions, stages: Sequence[Stage]
) -> Iterator[SpareCore | None]:
    """Run the ``stages``' preparations in a helper thread for the duration of the block,
    if ``options`` allow a second core and a cascade at all, ``view`` is large enough to
    gain from it, and a core is free for it. Where a core is free and no helper starts,
    give it to the scan; else ``None``."""
    global _scans
    cascade = stages if options.time_budget > 0 else ()
    large = view.width * view.height >= MIN_PIXELS
    with _lock:
        _scans += 1
        free = options.parallel and 2 * _scans <= usable_cores()
    # Checked only where a helper may start: a runtime protocol check costs as much as
    # a small image's thumbnail.
    preparing = _preparing(cascade) if free and large else []
    try:
        if preparing:
            over = threading.Event()
            _start(view, options, preparing, over)
            try:
                yield None
            finally:
                over.set()
        else:
            yield SpareCore(view, options, cascade) if free else None
    finally:
        with _lock:
            _scans -= 1


def _start(
    view: ImageView, options: ScanOptions, stages: Sequence[Preparing], over: threading.Event
) -> None:
    """Start a helper thread on the ``stages``' preparations, to stop between two pieces
    once ``over`` is set.

    The scan does not wait for it: past the end of the scan, it is at most finishing a
    piece nobody needs any more (a candidate read ahead: a zxing-cpp call in progress
    cannot be interrupted), and the scan's result does not depend on it. That piece may
    overlap the next scan by a few milliseconds; counting the helper's core as taken
    until it ends instead left every sixth scan of a series without a helper. A
    non-daemon thread, so the interpreter waits for that piece at exit rather than
    tearing it down mid-call (which aborts the process)."""
    helper = threading.Thread(
        target=_work_out,
        args=(view, options, stages),
        kwargs={"over": over},
        name="imgqrcode-prepare",
    )
    try:
        helper.start()
    except RuntimeError:
        # No thread to be had (a process or thread limit): the stages work it out.
        logger.debug("no helper thread", exc_info=True)


def _preparing(stages: Sequence[Stage]) -> list[Preparing]:
    return [stage for stage in stages if isinstance(stage, Preparing)]


def _work_out(
    view: ImageView,
    options: ScanOptions,
    stages: Sequence[Preparing],
    *,
    pieces: int | None = None,
    over: threading.Event | None = None,
) -> None:
    """Work out the ``stages``' preparations, at most ``pieces`` of each (``None``: all),
    stopping between two pieces once ``over`` is set."""
    try:
        for stage in stages:
            for _ in itertools.islice(stage.prepare(view, options), pieces):
                if over is not None and over.is_set():
                    return
    except Exception:
        # The failure is kept with the view (ImageView.derived): a stage that needs
        # what failed gets it raised there, as it would have without the preparation.
        logger.debug("preparing ahead failed", exc_info=True)
