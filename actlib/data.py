"""Data sets: MNIST-1D, generated locally and cached as .npz, and 2-D toy sets.

The small 2-D toy sets are moons, spirals and XOR.
"""

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

MNIST1D_FILE = "mnist1d.npz"


def data_dir():
    """Return the cache folder.

    It is $ACTLIB_DATA if set, else the repository's data/ folder.
    """
    env = os.environ.get("ACTLIB_DATA")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Split:
    """A train/test split as tensors: x_train (N, D), y_train (N,), x_test, y_test."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def to(self, device):
        """Return a copy with every tensor on device."""
        return Split(
            *(
                t.to(device)
                for t in (self.x_train, self.y_train, self.x_test, self.y_test)
            )
        )

    @property
    def n_classes(self):
        """Return the number of classes (max label + 1)."""
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def __repr__(self):
        return (
            f"Split(train={tuple(self.x_train.shape)}, "
            f"test={tuple(self.x_test.shape)}, classes={self.n_classes})"
        )


def _generate_mnist1d():
    from mnist1d.data import (
        get_dataset_args,
        make_dataset,
    )  # the generator only; never get_dataset (network)

    d = make_dataset(get_dataset_args())
    return {
        "x": d["x"].astype(np.float32),
        "y": d["y"].astype(np.int64),
        "x_test": d["x_test"].astype(np.float32),
        "y_test": d["y_test"].astype(np.int64),
        "t": np.asarray(d["t"], dtype=np.float32),
    }


def mnist1d(device="cpu", regenerate=False):
    """Return MNIST-1D (Greydanus & Kobak 2020) as a Split.

    4000 train / 1000 test signals of length 40, 10 classes.
    """
    path = data_dir() / MNIST1D_FILE
    if regenerate or not path.exists():
        arrays = _generate_mnist1d()
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        os.replace(tmp, path)
    with np.load(path, allow_pickle=False) as z:
        split = Split(
            torch.from_numpy(z["x"]),
            torch.from_numpy(z["y"]),
            torch.from_numpy(z["x_test"]),
            torch.from_numpy(z["y_test"]),
        )
    return split.to(device)


def _check_n(n):
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"invalid n={n!r}; it must be an integer >= 2")


def moons(n=1000, noise=0.1, seed=0):
    """Return (X, y): two interleaving half circles, X of shape (n, 2) float32.

    y in {0, 1}.
    """
    _check_n(n)
    g = torch.Generator().manual_seed(seed)
    n0 = n // 2
    t0 = torch.rand(n0, generator=g) * math.pi
    t1 = torch.rand(n - n0, generator=g) * math.pi
    upper = torch.stack([torch.cos(t0), torch.sin(t0)], 1)
    lower = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], 1)
    X = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g)
    y = torch.cat(
        [torch.zeros(n0, dtype=torch.long), torch.ones(n - n0, dtype=torch.long)]
    )
    perm = torch.randperm(n, generator=g)
    X = X - X.mean(0)
    return X[perm].float(), y[perm]


def spirals(n=1000, classes=2, turns=1.5, noise=0.05, seed=0):
    """Return (X, y): `classes` interleaved spiral arms, X of shape (n, 2) float32.

    y in {0..classes-1}.
    """
    _check_n(n)
    if not isinstance(classes, int) or classes < 2:
        raise ValueError(f"invalid classes={classes!r}; it must be an integer >= 2")
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    r = torch.rand(n, generator=g) * 0.9 + 0.1
    theta = r * turns * 2 * math.pi + y * (2 * math.pi / classes)
    X = torch.stack(
        [r * torch.cos(theta), r * torch.sin(theta)], 1
    ) + noise * torch.randn(n, 2, generator=g)
    perm = torch.randperm(n, generator=g)
    return X[perm].float(), y[perm].long()


def xor(n=400, noise=0.1, seed=0):
    """Return (X, y): points around the four corners (±1, ±1).

    Labelled 1 where the signs differ (XOR).
    """
    _check_n(n)
    g = torch.Generator().manual_seed(seed)
    corners = torch.randint(0, 2, (n, 2), generator=g)
    X = (2.0 * corners - 1.0) + noise * torch.randn(n, 2, generator=g)
    y = (corners[:, 0] != corners[:, 1]).long()
    return X.float(), y
