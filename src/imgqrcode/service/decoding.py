"""Reading images off the event loop, on a bounded number of threads.

A decode runs in a worker thread so that the event loop keeps accepting and receiving
requests meanwhile. It does not make one process use several cores: zxing-cpp 3.1.1
releases the GIL while it reads, but most of a scan (loading, the cascade's Python and
NumPy work) holds it (measured: two threads, 1.06x one), so throughput comes from
``--workers`` processes; the thread count bounds the images (and their decoded pixels)
in memory at once. Where a worker has two cores or more to itself (``parallel``), a
scan may locate its cascade's candidates on a second core while zxing-cpp reads (or, in
a smaller image, read the matrix formats there), as long as no more scans run than half
the cores (:mod:`imgqrcode.reader.preparation`).
A request takes a decoding slot only once its image is fully in memory: a slow client
holds a connection and its body budget, never a slot. The wait for a slot counts
against the request's time limit; the decode itself gets what is left of it as the
core's time budget (the core's fast path always runs; only its extra stages are cut).
"""

from __future__ import annotations

import time

import anyio
import anyio.to_thread

from imgqrcode.reader.errors import InvalidImageError
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.result import ScanResult
from imgqrcode.reader.scanner import scan
from imgqrcode.service import metrics
from imgqrcode.service.errors import ApiError, ErrorCode


class DecodePool:
    def __init__(self, threads: int, max_pixels: int, parallel: bool = True) -> None:
        self._slots = anyio.CapacityLimiter(max(1, threads))
        self._threads = anyio.CapacityLimiter(max(1, threads))
        self._max_pixels = max_pixels
        self._parallel = parallel

    async def scan(
        self, data: bytes, formats: frozenset[str] | None, budget: float, deadline: float
    ) -> ScanResult:
        """Read ``data``; ``deadline`` is on ``anyio.current_time()``'s clock."""
        with anyio.move_on_after(deadline - anyio.current_time()) as waiting:
            await self._slots.acquire()
        if waiting.cancelled_caught:
            raise ApiError(ErrorCode.SYSTEM_ERROR, "request time limit passed waiting to decode")
        try:
            remaining = max(0.0, deadline - anyio.current_time())
            options = ScanOptions(
                formats=formats,
                time_budget=min(budget, remaining),
                max_pixels=self._max_pixels,
                parallel=self._parallel,
            )
            started = time.perf_counter()
            try:
                result = await anyio.to_thread.run_sync(scan, data, options, limiter=self._threads)
            except InvalidImageError as exc:
                raise ApiError(ErrorCode.INVALID_IMAGE_DATA, str(exc)) from exc
            finally:
                metrics.DECODE_SECONDS.observe(time.perf_counter() - started)
        finally:
            self._slots.release()
        for code in result.codes:
            metrics.CODES.labels(code.type_name).inc()
        return result
