"""zxing-cpp's linear and matrix readers on two cores at once.

One zxing-cpp call runs its readers one after the other: the linear ones scan the
image's rows and columns (0.55-0.7 of the call on our corpora), the matrix ones (QR,
DataMatrix, Aztec, PDF417...) look for their finder patterns. Each reader reads only its
own formats, and zxing-cpp merges the reads of its downscaled layers format by format,
so a call per family reads what the one call reads: the same barcodes with the same
positions and error correction on 1,351 of the 1,353 images of the shared and synthetic
corpora, with zxing-cpp's inverted pass and without; on the other two the linear call
alone also read a partial ITF text (for a reason inside zxing-cpp we have not traced),
which the fast path drops as implausible. With a core each the two calls take the longer
one's time: 0.63-0.73 of the one call. zxing-cpp releases the GIL while it reads, so a
thread is enough: a worker that lives as long as the process, as starting a thread costs
a small image a tenth of its read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import zxingcpp

from imgqrcode.reader import decoder, preparation, symbology

_lock = threading.Lock()
_workers: tuple[int, ThreadPoolExecutor] | None = None
"""The worker threads, with the id of the process that started them: a process forked
from this one (a batch's) inherits none of the threads, and starts its own."""


def read(
    pixels: np.ndarray,
    type_names: frozenset[str] | None,
    *,
    meanwhile: Callable[[], object] | None = None,
    **zxing_options: object,
) -> list[zxingcpp.Barcode]:
    """:func:`decoder.read`, with a worker thread reading the matrix formats meanwhile:
    for a caller that has a second core to itself. If the caller's read of the linear
    formats still runs then (on a small image of a 1D code the matrix read takes less
    than half its time), the worker goes on to ``meanwhile``, which the caller does not
    wait for; after it, the caller would only wait for the worker to hand it over. A
    request for one family only (all linear, or none) is read in one call, and nothing
    goes on."""
    linear_names = matrix_names = None
    if type_names is None:
        linear: dict[str, object] = {"formats": zxingcpp.BarcodeFormat.AllLinear}
        matrix: dict[str, object] = {"formats": zxingcpp.BarcodeFormat.AllMatrix}
    else:
        linear_names = type_names & symbology.LINEAR_TYPE_NAMES
        matrix_names = type_names - linear_names
        if not linear_names or not matrix_names:
            return decoder.read(pixels, type_names, **zxing_options)
        linear = matrix = {}
    matrix_read: Future[list[zxingcpp.Barcode]] = Future()

    def work() -> None:
        try:
            matrix_read.set_result(decoder.read(pixels, matrix_names, **zxing_options, **matrix))
        except Exception as error:
            # Raised to the caller, from the result; and on into the pool's own future.
            matrix_read.set_exception(error)
            raise
        if meanwhile is not None and not linear_read.is_set():
            meanwhile()

    linear_read = threading.Event()
    _pool().submit(work)
    barcodes = decoder.read(pixels, linear_names, **zxing_options, **linear)
    linear_read.set()
    return barcodes + matrix_read.result()


def _pool() -> ThreadPoolExecutor:
    """This process's workers: one for each pair of cores, as a scan splits its read only
    while no more scans run than half the cores (:mod:`.preparation`)."""
    global _workers
    with _lock:
        if _workers is None or _workers[0] != os.getpid():
            threads = max(1, preparation.usable_cores() // 2)
            _workers = (os.getpid(), ThreadPoolExecutor(threads, "imgqrcode-read"))
        return _workers[1]
