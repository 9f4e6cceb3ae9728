"""The cheap percentile gives numpy's linear-interpolation figure, sorted or partitioned."""

from __future__ import annotations

import numpy as np
import pytest

from imgqrcode.reader import percentile


@pytest.mark.parametrize("count", [1, 2, 3, 17, 101, 640])
def test_matches_numpy_on_sorted_and_partitioned_samples(count):
    values = np.random.default_rng(count).normal(size=count)
    percents = (1.0, 10.0, 50.0, 90.0, 99.0)
    partitioned = np.partition(values, percentile.ranks(count, percents))
    for percent in percents:
        expected = float(np.percentile(values, percent))
        assert percentile.of_ranked(np.sort(values), percent) == pytest.approx(expected)
        assert percentile.of_ranked(partitioned, percent) == pytest.approx(expected)
