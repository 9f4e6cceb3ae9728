"""The decoded image as every stage of the pipeline sees it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ImageView:
    """An 8-bit greyscale image in the displayed frame (EXIF orientation already applied).

    Transparent pixels have been composited onto white, so every stage can treat dark
    as ink. ``gray`` is C-contiguous with shape ``(height, width)``.
    """

    gray: np.ndarray
    _derived: dict[Callable[..., Any], Future[Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @property
    def width(self) -> int:
        return int(self.gray.shape[1])

    @property
    def height(self) -> int:
        return int(self.gray.shape[0])

    def derived(self, compute: Callable[[ImageView], T]) -> T:
        """``compute(self)``, computed once for this view, by whichever caller asks first.

        The stages of one scan share what they derive from the pixels (the image's local
        structure, its candidate regions), and what the pipeline has a second core work
        out while the fast path reads is waited for, not worked out again. Kept with the
        view rather than in a module, so scans running at once never evict each other's.
        A failure is raised to every caller.
        """
        future, first = self._claim(compute)
        if first:
            self._settle(future, compute)
        return future.result()

    def derive_ahead(self, compute: Callable[[ImageView], object]) -> None:
        """Work out :meth:`derived`'s ``compute`` now, unless another caller already is (or
        has): for a helper working ahead of the stages, which must never wait on the
        stage it works for, but move on to what the stage will ask for next."""
        future, first = self._claim(compute)
        if first:
            self._settle(future, compute)
            future.result()

    def underway(self, compute: Callable[[ImageView], object]) -> bool:
        """Whether another caller is working out ``compute`` right now: asking for it
        would wait."""
        with self._lock:
            future = self._derived.get(compute)
        return future is not None and not future.done()

    def _claim(self, compute: Callable[[ImageView], T]) -> tuple[Future[T], bool]:
        """The future of ``compute``'s result, and whether this caller is the first."""
        with self._lock:
            future = self._derived.get(compute)
            if future is not None:
                return future, False
            future = self._derived[compute] = Future()
            return future, True

    def _settle(self, future: Future[T], compute: Callable[[ImageView], T]) -> None:
        try:
            future.set_result(compute(self))
        finally:
            if not future.done():
                # Whoever waits on it fails as this caller does (an interrupt included).
                future.set_exception(sys.exc_info()[1] or RuntimeError("derivation abandoned"))
