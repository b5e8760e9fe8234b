"""Fitting helpers: the bank of one-hidden-layer nets equals separate nets.

Kinks are found, the best linear classifier is exact.
"""

import math

import pytest
import torch
from torch import nn

from actlib.fitting import (
    OneHiddenBank,
    best_linear_accuracy,
    fit_widths,
    relu_kinks,
    slope_changes,
)


def _relu_net(w, b, v, c=0.0):
    net = nn.Sequential(nn.Linear(1, len(w)), nn.ReLU(), nn.Linear(len(w), 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(w, dtype=torch.float64).unsqueeze(1))
        net[0].bias.copy_(torch.tensor(b, dtype=torch.float64))
        net[2].weight.copy_(torch.tensor(v, dtype=torch.float64).unsqueeze(0))
        net[2].bias.fill_(c)
    return net


# ----------------------------------------------------------------------------- the bank


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_bank_columns_are_the_separate_nets(activation):
    bank = OneHiddenBank([1, 3, 5], activation, seeds=[0, 7], n_targets=2)
    x = torch.linspace(-3, 3, 50)
    out = bank(x)
    assert out.shape == (2, 50, 6)
    for k in range(2):
        for j in range(6):
            net = bank.net(k, j)
            assert net[0].out_features == [1, 3, 5][j % 3]
            torch.testing.assert_close(
                net(x.unsqueeze(1)).squeeze(1), out[k, :, j], rtol=1e-5, atol=1e-6
            )


def test_bank_init_matches_pytorch_default_ranges():
    bank = OneHiddenBank([4, 100], "relu", seeds=range(3))
    assert (
        bank.w.abs().max() <= 1 and bank.b.abs().max() <= 1
    )  # nn.Linear(1, n): U(-1, 1)
    assert bank.v[:, 4:].abs().max() <= 0.1 + 1e-7  # nn.Linear(100, 1): U(-1/10, 1/10)
    assert bank.v[:, 4:].abs().max() > 0.05
    assert not torch.equal(bank.w[0], bank.w[1]), (
        "different seeds must give different nets"
    )
    again = OneHiddenBank([4, 100], "relu", seeds=range(3))
    assert torch.equal(bank.w, again.w), "the same seeds must give the same nets"


def test_training_the_bank_equals_training_each_net_alone():
    x = torch.linspace(-2, 2, 40)
    targets = [torch.sin(2 * x), x.abs()]
    bank = OneHiddenBank([2, 6], "tanh", seeds=[0, 1], n_targets=2)
    alone = {(k, j): bank.net(k, j) for k in range(2) for j in range(4)}
    y = torch.stack([t for t in targets for _ in range(2)], 1)
    opt = torch.optim.Adam(bank.parameters(), lr=0.01)
    for _ in range(25):
        loss = ((bank(x) - y) ** 2).mean(1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    for (k, j), net in alone.items():
        opt1 = torch.optim.Adam(net.parameters(), lr=0.01)
        for _ in range(25):
            loss = ((net(x.unsqueeze(1)).squeeze(1) - y[:, j]) ** 2).mean()
            opt1.zero_grad()
            loss.backward()
            opt1.step()
        trained = bank.net(k, j)
        for p, q in zip(net.parameters(), trained.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


def test_fit_widths_learns_and_reports_per_net_errors():
    x_tr = torch.linspace(-2, 2, 64)
    x_te = torch.linspace(-2, 2, 101)
    mse, bank = fit_widths(
        {"abs": torch.abs, "zero": torch.zeros_like},
        [1, 16],
        "relu",
        range(3),
        x_tr,
        x_te,
        steps=400,
        lr=0.02,
        progress=False,
    )
    assert mse.shape == (3, 2, 2)
    assert float(mse[:, 0, 1].max()) < 0.02, "16 ReLU units should fit |x| closely"
    assert float(mse[:, 0, 0].min()) > 0.1, "one ReLU unit cannot fit |x|"
    assert float(mse[:, 1].max()) < 1e-3, "every net should fit the constant 0"
    # the reported error is the error of the net that bank.net returns
    net = bank.net(1, 1)
    with torch.no_grad():
        err = float(((net(x_te.unsqueeze(1)).squeeze(1) - x_te.abs()) ** 2).mean())
    assert err == pytest.approx(float(mse[1, 0, 1]), rel=1e-4, abs=1e-7)


def test_bank_rejects_bad_arguments():
    with pytest.raises(ValueError, match="widths"):
        OneHiddenBank([0, 2])
    with pytest.raises(ValueError, match="widths"):
        OneHiddenBank([])
    with pytest.raises(ValueError, match="n_targets"):
        OneHiddenBank([2], n_targets=0)
    with pytest.raises(ValueError, match="unknown activation"):
        OneHiddenBank([2], "relu2")
    bank = OneHiddenBank([2, 3], seeds=[0])
    with pytest.raises(ValueError, match="net index"):
        bank.net(0, 2)
    with pytest.raises(ValueError, match="seed index"):
        bank.net(1, 0)
    with pytest.raises(ValueError, match="targets is empty"):
        fit_widths({}, [2], "relu", [0], torch.zeros(3), torch.zeros(3))


# -------------------------------------------------------------------------------- kinks


def test_relu_kinks_from_weights():
    # kinks at 0, 1, 0.5; a unit with w = 0 and a unit with output weight 0 make none;
    # one lies outside
    net = _relu_net(
        w=[1.0, 2.0, 0.0, 1.0, -1.0, 1.0],
        b=[0.0, -2.0, 1.0, 5.0, 0.5, 7.0],
        v=[1.0, 1.0, 1.0, 0.0, 2.0, 1.0],
    )
    k = relu_kinks(net, -2, 2)
    torch.testing.assert_close(k, torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64))
    assert len(relu_kinks(net)) == 4  # without a range, the kink at x = -7 counts too


def test_relu_kinks_rejects_other_networks():
    with pytest.raises(ValueError, match="expected"):
        relu_kinks(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)))


def test_slope_changes_counts_kinks():
    x = torch.linspace(-2, 2, 4001, dtype=torch.float64)
    assert len(slope_changes(x, x.abs())) == 1
    hat = torch.relu(x + 1) - 2 * torch.relu(x) + torch.relu(x - 1)
    torch.testing.assert_close(
        slope_changes(x, hat),
        torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64),
        atol=2e-3,
        rtol=0,
    )
    assert len(slope_changes(x, 3 * x - 1)) == 0, "a straight line has no kink"
    assert len(slope_changes(x, torch.sin(x), tol=1e-9)) > 100, (
        "a curved function changes slope everywhere"
    )


def test_slope_changes_agree_with_weights_for_random_relu_nets():
    g = torch.Generator().manual_seed(0)
    x = torch.linspace(-3, 3, 30001, dtype=torch.float64)
    for _ in range(20):
        w, b, v = (torch.randn(6, generator=g, dtype=torch.float64) for _ in range(3))
        net = _relu_net(w.tolist(), b.tolist(), v.tolist())
        k = relu_kinks(net, -3, 3)
        with torch.no_grad():
            s = slope_changes(x, net(x.unsqueeze(1)).squeeze(1))
        separated = len(k) < 2 or float((k[1:] - k[:-1]).min()) > 1e-3
        inside = len(k) == 0 or (float(k.min()) > -2.99 and float(k.max()) < 2.99)
        if separated and inside:
            assert len(s) == len(k)
            torch.testing.assert_close(s, k, atol=5e-4, rtol=0)
        assert len(s) <= len(k) <= 6


def test_slope_changes_rejects_uneven_grids():
    with pytest.raises(ValueError, match="evenly spaced"):
        slope_changes(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="same length"):
        slope_changes(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([0.0, 1.0]))


# --------------------------------------------------------------- best linear classifier


def test_best_linear_accuracy_on_the_xor_corners_is_three_quarters():
    X = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    y = torch.tensor([0, 1, 1, 0])
    assert best_linear_accuracy(X, y) == pytest.approx(0.75)


def test_best_linear_accuracy_is_one_on_separable_data():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(60, 2, generator=g)
    y = (X @ torch.tensor([2.0, -1.0]) > 0.3).long()
    assert best_linear_accuracy(X, y) == 1.0


def test_best_linear_accuracy_beats_every_random_line():
    g = torch.Generator().manual_seed(2)
    X = torch.randn(40, 2, generator=g, dtype=torch.float64)
    y = (X[:, 0] * X[:, 1] > 0).long()
    best = best_linear_accuracy(X, y)
    theta = torch.rand(20000, generator=g, dtype=torch.float64) * 2 * math.pi
    normal = torch.stack([torch.cos(theta), torch.sin(theta)], 1)
    proj = X @ normal.T  # (n, lines)
    cut = proj[torch.randint(0, 40, (20000,), generator=g), torch.arange(20000)] + 1e-9
    acc = ((proj > cut).long() == y.unsqueeze(1)).double().mean(0)
    assert float(acc.max()) <= best + 1e-12
    assert float(acc.max()) >= best - 0.05, (
        "random lines come close to the exact optimum"
    )
    assert best < 1.0


def test_best_linear_accuracy_rejects_bad_input():
    with pytest.raises(ValueError, match="labels"):
        best_linear_accuracy(torch.zeros(3, 2), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        best_linear_accuracy(torch.zeros(3, 3), torch.tensor([0, 1, 1]))
