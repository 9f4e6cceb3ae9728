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
        assert percentile.of(values, percent) == pytest.approx(expected)
    several = percentile.several(values, percents)
    assert several == pytest.approx([float(np.percentile(values, p)) for p in percents])


@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (40, 213), (7, 320)])
def test_rows_match_numpy_along_the_rows(shape):
    values = np.random.default_rng(shape[1]).normal(size=shape).astype(np.float32)
    low, high = percentile.of_rows(values, (5.0, 95.0))
    expected = np.percentile(values, (5.0, 95.0), axis=1)
    np.testing.assert_allclose(low, expected[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(high, expected[1], rtol=1e-5, atol=1e-5)
