"""A cap on the request bytes held in memory at once by one process.

Every body may be up to ~2 MiB; a thousand uploads in flight would be 2 GB. A request
reserves its body's size (its ``Content-Length``, or the largest allowed body when the
length is not announced) before reading it, and returns the reservation when it is done,
so memory stays under the cap whatever the number of connections. Waiting for room
counts against the request's time limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from imgqrcode.service import metrics
from imgqrcode.service.errors import ApiError, ErrorCode


class MemoryBudget:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._used = 0
        self._changed = anyio.Condition()

    @asynccontextmanager
    async def reserve(self, size: int, deadline: float) -> AsyncIterator[None]:
        """Hold ``size`` bytes of the budget (at most all of it) until the block ends."""
        size = min(size, self._capacity)
        with anyio.move_on_after(deadline - anyio.current_time()) as waiting:
            async with self._changed:
                while self._used + size > self._capacity:
                    await self._changed.wait()
                self._used += size
                metrics.RESERVED_BYTES.inc(size)
        if waiting.cancelled_caught:
            raise ApiError(ErrorCode.SYSTEM_ERROR, "request time limit passed waiting for memory")
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                async with self._changed:
                    self._used -= size
                    metrics.RESERVED_BYTES.dec(size)
                    self._changed.notify_all()
