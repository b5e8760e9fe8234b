"""Data: MNIST-1D generated locally and cached as .npz (no pickle), toy sets.

The 2-D toy sets are tested too.
"""

import numpy as np
import pytest
import torch

from actlib import data


def test_mnist1d_shapes_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTLIB_DATA", str(tmp_path))
    d = data.mnist1d()
    assert d.x_train.shape == (4000, 40) and d.x_test.shape == (1000, 40)
    assert (
        d.x_train.dtype == torch.float32
        and d.y_train.dtype == torch.int64
        and d.n_classes == 10
    )
    assert sorted(d.y_train.unique().tolist()) == list(range(10))
    path = tmp_path / data.MNIST1D_FILE
    with np.load(
        path, allow_pickle=False
    ) as z:  # loads without pickle: plain arrays only
        assert set(z.files) >= {"x", "y", "x_test", "y_test"}
    again = data.mnist1d()  # from the cache this time
    assert torch.equal(again.x_train, d.x_train)
    # The generator is seeded: regenerating gives the same data.
    assert torch.equal(data.mnist1d(regenerate=True).x_test, d.x_test)


def test_mnist1d_never_uses_the_network(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTLIB_DATA", str(tmp_path))
    import mnist1d.data as m

    def boom(*a, **k):
        raise AssertionError("get_dataset tries the network; actlib must not call it")

    monkeypatch.setattr(m, "get_dataset", boom)
    assert data.mnist1d().x_train.shape == (4000, 40)


@pytest.mark.parametrize("maker", [data.moons, data.spirals, data.xor])
def test_toy_sets_are_seeded_and_balanced(maker):
    X, y = maker(n=400, seed=1)
    X2, y2 = maker(n=400, seed=1)
    assert X.shape == (400, 2) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.equal(X, X2) and torch.equal(y, y2)
    assert not torch.equal(maker(n=400, seed=2)[0], X)
    counts = torch.bincount(y)
    assert counts.min() > 0.4 * counts.max()


def test_xor_labels_follow_the_signs():
    X, y = data.xor(n=500, noise=0.05)
    assert torch.equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).long())


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="integer >= 2"):
        data.moons(n=1)
    with pytest.raises(ValueError, match="classes"):
        data.spirals(classes=1)
