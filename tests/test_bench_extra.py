"""Timing helpers."""

import math

import pytest

from actlib import bench


def test_timeit_reports_median_and_spread():
    t = bench.timeit(lambda: sum(range(1000)), repeats=5, warmup=1)
    assert len(t.samples) == 5 and t.median > 0 and t.iqr >= 0 and math.isfinite(t.median)
    with pytest.raises(ValueError, match="repeats"):
        bench.timeit(lambda: None, repeats=0)
