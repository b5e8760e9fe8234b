"""Fixtures shared by the unit tests."""

import pytest
import torch

from actlib.data import Split


@pytest.fixture(scope="module")
def small():
    """A tiny 3-class problem (200 train / 100 test rows of 6 features), fast enough for training tests."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 6, generator=g)
    y = (x[:, 0] * x[:, 1] > 0).long() + (x[:, 2] > 1).long()
    return Split(x[:200], y[:200], x[200:], y[200:])
