"""Percentiles of the few hundred samples the locators and box measures look at.

``np.percentile`` costs several times more in its setup than in its work on so few
samples, and these run for every candidate region and every 1D code read. The same
linear interpolation, on samples already sorted or partitioned at the needed ranks
(:func:`ranks`), costs next to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def ranks(count: int, percents: Iterable[float]) -> list[int]:
    """The ranks ``np.partition`` must settle for :func:`of_ranked` to read ``percents``
    of ``count`` samples."""
    needed: set[int] = set()
    for percent in percents:
        low = int(percent / 100.0 * (count - 1))
        needed.update((low, min(low + 1, count - 1)))
    return sorted(needed)


def of_ranked(ranked: np.ndarray, percent: float) -> float:
    """``np.percentile(values, percent)`` (linear interpolation), ``ranked`` holding the
    values sorted, or partitioned at :func:`ranks`."""
    return float(_interpolated(ranked, percent))


def of(values: np.ndarray, percent: float) -> float:
    """``np.percentile(values, percent)`` of unordered samples, through one partition."""
    return several(values, (percent,))[0]


def several(values: np.ndarray, percents: Sequence[float]) -> list[float]:
    """``np.percentile(values, percents)`` of unordered samples, through one partition."""
    ranked = np.partition(values, ranks(len(values), percents))
    return [of_ranked(ranked, percent) for percent in percents]


def of_rows(values: np.ndarray, percents: Sequence[float]) -> list[np.ndarray]:
    """``np.percentile(values, percents, axis=1)``, through one partition of the rows: a
    crop's few hundred rows of a few hundred pixels cost ``np.percentile`` a sort each."""
    ranked = np.partition(values, ranks(values.shape[1], percents), axis=1)
    return [_interpolated(ranked, percent) for percent in percents]


def _interpolated(ranked: np.ndarray, percent: float) -> np.ndarray:
    """``percent`` of each run of samples along ``ranked``'s last axis."""
    count = ranked.shape[-1]
    position = percent / 100.0 * (count - 1)
    low = int(position)
    high = min(low + 1, count - 1)
    return ranked[..., low] + (position - low) * (ranked[..., high] - ranked[..., low])
