"""The cascade's preparations, worked out on a second core while the fast path reads.

zxing-cpp releases the GIL, so while it reads the whole image a helper thread can locate
the cascade's candidates (:class:`imgqrcode.reader.stage.Preparing`), which otherwise
follow the fast path and cost an easy image most of a second fast path. The helper
stops between two pieces of work once the scan is over, and the scan waits for it: no
thread outlives the scan that started it, whatever the interpreter does next.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.stage import Preparing, Stage

MIN_PIXELS = 300_000
"""Smallest image the helper is started for, about a 640 x 480 photo. Below it the fast
path takes a few milliseconds, too few to hide the helper's work behind: starting a
thread and sharing the interpreter with it cost a small image a fifth more time, while
from this size up it saves a quarter (easy images of the synthetic and shared corpora).
"""


@contextmanager
def prepared_ahead(
    view: ImageView, options: ScanOptions, stages: Sequence[Stage]
) -> Iterator[None]:
    """Run the ``stages``' preparations in a helper thread for the duration of the block,
    if ``options`` allow a second core and a cascade at all, and ``view`` is large enough
    to gain from it."""
    preparing = [stage for stage in stages if isinstance(stage, Preparing)]
    large = view.width * view.height >= MIN_PIXELS
    if not (options.parallel and options.time_budget > 0 and preparing and large):
        yield
        return
    over = threading.Event()

    def work() -> None:
        for stage in preparing:
            for _ in stage.prepare(view, options):
                if over.is_set():
                    return

    helper = threading.Thread(target=work, name="imgqrcode-prepare")
    helper.start()
    try:
        yield
    finally:
        over.set()
        helper.join()
