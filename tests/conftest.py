"""Fixtures shared by the unit tests."""

import pytest
import torch

from actlib.data import Split
from actlib.validate import threads_from_env

# `make test` runs two pytest workers on a 2-core machine with ACTLIB_THREADS=1:
# each worker then uses one torch thread, as the notebooks do. With torch's
# default (one thread per core) the two workers' threads fight over the cores
# and the slowest training tests take many times longer.
_THREADS = threads_from_env("ACTLIB_THREADS")
if _THREADS is not None:
    torch.set_num_threads(_THREADS)


@pytest.fixture(autouse=True)
def _restore_torch_threads():
    """Every test leaves torch's thread count as it found it.

    setup() and benchmarks change it.
    """
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


@pytest.fixture
def one_thread():
    """Run the test on one torch thread.

    Timings and reference accuracies are measured that way.
    """
    torch.set_num_threads(1)
    yield 1


@pytest.fixture(scope="module")
def small():
    """A tiny 3-class problem (200 train / 100 test rows of 6 features).

    Fast enough for training tests.
    """
    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 6, generator=g)
    y = (x[:, 0] * x[:, 1] > 0).long() + (x[:, 2] > 1).long()
    return Split(x[:200], y[:200], x[200:], y[200:])
