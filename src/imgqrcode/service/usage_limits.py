"""Per-app daily quota (45009) and per-minute rate limit (45011), both off by default.

Counters live in the store, so every replica counts against the same limits. Windows
are fixed and aligned to UTC (the minute, the calendar day): a client told "retry next
minute" can. A call refused by the minute limit does not count against the day.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.store import Store

MINUTE_TTL = 120
DAY_TTL = 2 * 86_400


class UsageLimits:
    def __init__(
        self,
        store: Store,
        daily_quota: int,
        per_minute: int,
        clock: Callable[[], float] = time.time,
        counted: str = "",
    ) -> None:
        """``counted`` names what is counted, when other limits count other calls of the
        same apps (their counters apart in the store)."""
        self._store = store
        self._daily_quota = daily_quota
        self._per_minute = per_minute
        self._clock = clock
        self._prefix = f"{counted}:" if counted else ""

    async def charge(self, appid: str) -> None:
        """Count one call of ``appid``; raise the contract's error past a limit."""
        now = self._clock()
        if self._per_minute > 0:
            minute = int(now // 60)
            used = await self._store.increment(f"{self._prefix}minute:{appid}:{minute}", MINUTE_TTL)
            if used > self._per_minute:
                raise ApiError(ErrorCode.MINUTE_QUOTA, f"{used} calls this minute")
        if self._daily_quota > 0:
            day = time.strftime("%Y%m%d", time.gmtime(now))
            used = await self._store.increment(f"{self._prefix}day:{appid}:{day}", DAY_TTL)
            if used > self._daily_quota:
                raise ApiError(ErrorCode.DAILY_QUOTA, f"{used} calls today")
