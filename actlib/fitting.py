"""Fitting small networks to 1-D targets, and the best linear classifier in 2-D.

It covers one-hidden-layer nets on 1-D targets, their ReLU kinks, and the best linear
classifier in 2-D.
"""

import math

import torch
from torch import nn

from . import validate
from .modules import make


def _check_widths(widths):
    widths = list(widths)
    if not widths or any(not isinstance(n, int) or n < 1 for n in widths):
        raise ValueError(
            f"invalid widths={widths!r}; give a non-empty list of positive "
            "integers, e.g. [1, 2, 4]"
        )
    return widths


class OneHiddenBank(nn.Module):
    """Many independent one-hidden-layer nets held as one set of tensors.

    Each net has 1 input -> n hidden -> 1 output.

    There is one net per (seed, target, width): net (k, j) has width widths[j %
    len(widths)], answers target j // len(widths), and starts from seed k with PyTorch's
    default initialisation of nn.Linear(1, n) and nn.Linear(n, 1). No parameter is
    shared, so training the bank on the sum of the nets' losses with Adam trains every
    net exactly as if it were trained alone.
    """

    def __init__(self, widths, activation="relu", seeds=(0,), n_targets=1, **params):
        super().__init__()
        self.widths = _check_widths(widths)
        if not isinstance(n_targets, int) or n_targets < 1:
            raise ValueError(
                f"invalid n_targets={n_targets!r}; it must be a positive integer"
            )
        self.seeds = validate.seeds(seeds)
        self.activation = activation
        self.params = params
        self.act = make(activation, **params)
        all_widths = (
            self.widths * n_targets
        )  # one net per (target, width), for every seed
        net_of_unit = torch.repeat_interleave(
            torch.arange(len(all_widths)), torch.tensor(all_widths)
        )
        units, nets = len(net_of_unit), len(all_widths)
        bound_v = torch.tensor(
            [1 / math.sqrt(n) for n in all_widths]
        )  # nn.Linear(n, 1)'s default bound
        w, b, v, c = [], [], [], []
        for s in self.seeds:
            g = torch.Generator().manual_seed(int(s))
            w.append(
                torch.rand(units, generator=g) * 2 - 1
            )  # nn.Linear(1, n): fan_in 1, so U(-1, 1)
            b.append(torch.rand(units, generator=g) * 2 - 1)
            v.append((torch.rand(units, generator=g) * 2 - 1) * bound_v[net_of_unit])
            c.append((torch.rand(nets, generator=g) * 2 - 1) * bound_v)
        self.w, self.b, self.v, self.c = (
            nn.Parameter(torch.stack(t)) for t in (w, b, v, c)
        )
        self.register_buffer(
            "assign", nn.functional.one_hot(net_of_unit, nets).float()
        )  # (units, nets)
        self.first_unit = [sum(all_widths[:j]) for j in range(nets)]
        self.all_widths = all_widths

    def forward(self, x):
        """Return every net's output at the points x (N,).

        The result is a tensor (seeds, N, nets).
        """
        z = x.reshape(1, -1, 1) * self.w.unsqueeze(1) + self.b.unsqueeze(
            1
        )  # (seeds, N, units)
        return (self.act(z) * self.v.unsqueeze(1)) @ self.assign + self.c.unsqueeze(1)

    def net(self, k, j):
        """Return net j of seed index k as an nn.Sequential holding its weights.

        The layers are Linear(1, n), activation, Linear(n, 1).
        """
        if not isinstance(k, int) or not 0 <= k < len(self.seeds):
            raise ValueError(
                f"invalid seed index k={k!r}; choose an integer in "
                f"0..{len(self.seeds) - 1}"
            )
        if not isinstance(j, int) or not 0 <= j < len(self.all_widths):
            raise ValueError(
                f"invalid net index j={j!r}; choose an integer in "
                f"0..{len(self.all_widths) - 1}"
            )
        lo, n = self.first_unit[j], self.all_widths[j]
        seq = nn.Sequential(
            nn.Linear(1, n), make(self.activation, **self.params), nn.Linear(n, 1)
        )
        with torch.no_grad():
            seq[0].weight.copy_(self.w[k, lo : lo + n].unsqueeze(1))
            seq[0].bias.copy_(self.b[k, lo : lo + n])
            seq[2].weight.copy_(self.v[k, lo : lo + n].unsqueeze(0))
            seq[2].bias.copy_(self.c[k, j : j + 1])
        return seq.to(self.w.device)


def fit_widths(
    targets,
    widths,
    activation,
    seeds,
    x_train,
    x_test,
    steps=2000,
    lr=1e-2,
    device="cpu",
    progress=True,
):
    """Fit a one-hidden-layer net to every (target, width, seed) at once.

    Return (test MSE (seeds, targets, widths), bank).

    targets: dict name -> function of a 1-D tensor. Full-batch Adam on the mean squared
    error, the same steps and learning rate for every net. bank.net(k, t * len(widths) +
    i) is the trained net for seed index k, target t and width i.
    """
    from tqdm.auto import tqdm

    widths = _check_widths(widths)
    if not targets:
        raise ValueError("targets is empty; give a dict like {'sin': torch.sin}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"invalid steps={steps!r}; it must be a positive integer")
    fns = list(targets.values())
    x_train = torch.as_tensor(x_train, dtype=torch.float32).flatten().to(device)
    x_test = torch.as_tensor(x_test, dtype=torch.float32).flatten().to(device)
    y_train = torch.stack([f(x_train) for f in fns for _ in widths], 1)  # (N, nets)
    y_test = torch.stack([f(x_test) for f in fns for _ in widths], 1)
    bank = OneHiddenBank(widths, activation, seeds, n_targets=len(fns)).to(device)
    opt = torch.optim.Adam(bank.parameters(), lr=lr)
    for _ in tqdm(
        range(steps), desc=f"{activation} nets", disable=not progress, leave=False
    ):
        loss = (
            ((bank(x_train) - y_train) ** 2).mean(1).sum()
        )  # each net's MSE; the sum keeps them independent
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        mse = ((bank(x_test) - y_test) ** 2).mean(1)  # (seeds, nets)
    return mse.view(len(bank.seeds), len(fns), len(widths)).cpu(), bank


def relu_kinks(net, lo=-math.inf, hi=math.inf):
    """Return the sorted kink positions x = -b/w of a 1-input ReLU net inside (lo, hi).

    The net has one hidden layer.

    net is nn.Sequential(Linear(1, n), ReLU, Linear(n, 1)); a unit makes no kink when
    its input weight w or its output weight is exactly 0.
    """
    if not (
        isinstance(net, nn.Sequential)
        and len(net) == 3
        and isinstance(net[0], nn.Linear)
        and isinstance(net[2], nn.Linear)
        and net[0].in_features == 1
        and net[2].out_features == 1
    ):
        raise ValueError(
            f"expected nn.Sequential(Linear(1, n), ReLU, Linear(n, 1)), got {net!r}"
        )
    w = net[0].weight.detach().flatten().double()
    b = net[0].bias.detach().flatten().double()
    v = net[2].weight.detach().flatten().double()
    keep = (w != 0) & (v != 0)
    x = -b[keep] / w[keep]
    x = x[(x > lo) & (x < hi)]
    return torch.sort(x).values.cpu()


def slope_changes(x, y, tol=1e-6):
    """Return the positions where the sampled function y(x) changes slope.

    Only changes of slope by more than tol count.

    x must be evenly spaced and increasing. A kink between two grid points shows up as
    slope changes at one or two neighbouring grid points, which count once, at their
    mean position. A longer run of neighbours is curvature, not a kink: each of its
    points is returned, so a smooth curved function changes slope almost everywhere.
    """
    x = torch.as_tensor(x, dtype=torch.float64).flatten()
    y = torch.as_tensor(y, dtype=torch.float64).flatten()
    if x.shape != y.shape or x.numel() < 3:
        raise ValueError(
            f"x and y must be 1-D of the same length >= 3, got {tuple(x.shape)} "
            f"and {tuple(y.shape)}"
        )
    dx = x[1:] - x[:-1]
    if not bool((dx > 0).all()) or float((dx - dx.mean()).abs().max()) > 1e-6 * float(
        dx.mean()
    ):
        raise ValueError("x must be evenly spaced and increasing")
    slope = (y[1:] - y[:-1]) / dx
    idx = torch.nonzero(
        (slope[1:] - slope[:-1]).abs() > tol
    ).flatten()  # at interior grid points x[1:-1]
    if idx.numel() == 0:
        return torch.zeros(0, dtype=torch.float64)
    pos = x[1:-1][idx]
    run = torch.cumsum(
        torch.cat([torch.zeros(1, dtype=torch.long), (idx[1:] - idx[:-1] > 1).long()]),
        0,
    )
    length = torch.bincount(run)
    short = length[run] <= 2  # one kink: report the run's mean position once
    means = torch.bincount(run, weights=pos) / length
    first = torch.cat([torch.ones(1, dtype=torch.bool), run[1:] != run[:-1]])
    return torch.sort(torch.cat([means[run[short & first]], pos[~short]])).values


def best_linear_accuracy(X, y):
    """Return the highest training accuracy any linear classifier reaches.

    A linear classifier is a half-plane; X are 2-D points with labels y in {0, 1}.

    Exact: an optimal line can be moved until it passes through two data points, so it
    checks every line through two points, both orientations, with the two points on it
    put on whichever side is right.
    """
    X = torch.as_tensor(X, dtype=torch.float64)
    y = torch.as_tensor(y).flatten()
    if X.dim() != 2 or X.shape[1] != 2 or len(X) != len(y) or len(X) < 2:
        raise ValueError(
            "X must be (n, 2) with n >= 2 and y of length n, got "
            f"{tuple(X.shape)} and {tuple(y.shape)}"
        )
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"labels must be 0 or 1, got values {sorted(set(y.tolist()))}")
    n = len(X)
    pos = y == 1
    best = max(
        int(pos.sum()), n - int(pos.sum())
    )  # a line with every point on one side
    i, j = torch.triu_indices(n, n, offset=1)
    for s in range(0, len(i), 4096):
        a, b = X[i[s : s + 4096]], X[j[s : s + 4096]]
        d = b - a
        normal = torch.stack([-d[:, 1], d[:, 0]], 1)
        side = (X.unsqueeze(0) - a.unsqueeze(1)) @ normal.unsqueeze(2)  # (L, n, 1)
        side = side.squeeze(2)
        on = side.abs() <= 1e-12 * (
            1 + normal.norm(dim=1, keepdim=True) * X.abs().max()
        )
        plus = (side > 0) & ~on
        minus = (side < 0) & ~on
        right_a = (plus & pos).sum(1) + (minus & ~pos).sum(1)  # positives on the + side
        right_b = (minus & pos).sum(1) + (plus & ~pos).sum(1)  # positives on the - side
        # up to two points exactly on the line can each be put on its right side by a
        # tiny rotation and shift; three or more collinear points are not counted (a
        # safe lower bound; never happens with noise).
        n_on = on.sum(1)
        extra = torch.where(n_on <= 2, n_on, torch.zeros_like(n_on))
        best = max(best, int((torch.maximum(right_a, right_b) + extra).max()))
    return best / n
