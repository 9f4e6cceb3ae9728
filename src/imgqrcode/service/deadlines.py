"""One time limit per request, whatever step it is in.

Passing it answers ``-1 system error`` (logged with the step), which clients retry with
backoff: a client that sends its body too slowly, a download that drags, or a queue for
memory or a decoding slot that is too long all end the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

from imgqrcode.service.errors import ApiError, ErrorCode

T = TypeVar("T")


def deadline_after(seconds: float) -> float:
    """A deadline on ``anyio.current_time()``'s clock."""
    return anyio.current_time() + seconds


async def before(deadline: float, step: str, work: Callable[[], Awaitable[T]]) -> T:
    """``work()``, or -1 if the deadline passes first."""
    with anyio.move_on_after(deadline - anyio.current_time()):
        return await work()
    raise ApiError(ErrorCode.SYSTEM_ERROR, f"request time limit passed {step}")
