"""Depth: per-layer gradient norms, backward signal norms, random matrix products."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib import depth, diagnostics
from actlib.nets import mlp


def _linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def test_errors_name_the_bad_value():
    x, y = torch.randn(4, 3), torch.tensor([0, 1, 0, 1])
    with pytest.raises(ValueError, match="unknown init 'kaiming'"):
        depth.gradient_norms_over_seeds("tanh", x, y, [0], depth=3, init="kaiming")
    with pytest.raises(ValueError, match="invalid depth=1"):
        depth.gradient_norms_over_seeds("tanh", x, y, [0], depth=1)
    with pytest.raises(ValueError, match=r"invalid sizes\[1\]=0"):
        depth.gradient_norms_over_seeds("tanh", x, y, [0], depth=3, width=0)
    with pytest.raises(ValueError, match="unknown activation"):
        depth.gradient_norms_over_seeds("tanhh", x, y, [0], depth=3)
    with pytest.raises(ValueError, match="seeds is empty"):
        depth.gradient_norms_over_seeds("tanh", x, y, [])
    with pytest.raises(TypeError, match=r"range\(5\)"):
        depth.gradient_norms_over_seeds("tanh", x, y, 5)
    with pytest.raises(ValueError, match="alternating Linear"):
        depth.backward_norms(
            nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)),
            torch.randn(3, 2),
            torch.tensor([0, 1, 0]),
        )
    with pytest.raises(ValueError, match="invalid scale=0"):
        depth.product_log_norms(0, 3, 4)
    with pytest.raises(ValueError, match="invalid n=0"):
        depth.lyapunov_exponent(1.0, 0)


def test_gradient_norms_over_seeds_match_diagnostics():
    torch.manual_seed(0)
    x, y = torch.randn(64, 6, dtype=torch.float64), torch.randint(0, 4, (64,))
    y[:4] = torch.arange(4)
    got = depth.gradient_norms_over_seeds("gelu", x, y, seeds=[3, 5], depth=6, width=12)
    assert got.shape == (6, 2)
    for j, s in enumerate([3, 5]):
        model = mlp([6] + [12] * 5 + [4], "gelu", init="pytorch", seed=s).double()
        want = [v for _, v in diagnostics.gradient_norms(model, x, y, F.cross_entropy)]
        assert torch.allclose(
            got[:, j], torch.tensor(want, dtype=torch.float64), rtol=1e-12
        )
    assert not torch.allclose(got[:, 0], got[:, 1])
    signal = depth.gradient_norms_over_seeds(
        "gelu", x, y, seeds=[3], depth=6, width=12, wrt="pre_activation"
    )
    model = mlp([6] + [12] * 5 + [4], "gelu", init="pytorch", seed=3).double()
    assert torch.allclose(
        signal[:, 0], depth.backward_norms(model, x, y)[0], rtol=1e-12
    )
    with pytest.raises(
        ValueError, match="unknown wrt='bias'; choose one of: weight, pre_activation"
    ):
        depth.gradient_norms_over_seeds("gelu", x, y, seeds=[3], wrt="bias")


def test_backward_norms_follow_the_chain_rule():
    model = mlp([5] + [20] * 5 + [3], "sigmoid", seed=0).double()
    x, y = torch.randn(50, 5, dtype=torch.float64), torch.randint(0, 3, (50,))
    dz, da = depth.backward_norms(model, x, y)
    assert dz.shape == (6,) and da.shape == (5,)
    assert all(p.grad is None for p in model.parameters())
    # dL/dlogits of the mean cross-entropy is (softmax - onehot) / batch
    logits = model(x).detach()
    want = (torch.softmax(logits, 1) - F.one_hot(y, 3)) / len(y)
    assert float(dz[-1]) == pytest.approx(float(want.norm()), rel=1e-12)
    # each activation multiplies the backward signal by sigma' <= 1/4; each Linear by at
    # most its spectral norm
    assert torch.all(dz[:-1] <= 0.25 * da * (1 + 1e-12))
    lin = _linears(model)
    for l in range(5):
        assert float(da[l]) <= float(
            torch.linalg.matrix_norm(lin[l + 1].weight.detach(), 2)
        ) * float(dz[l + 1]) * (1 + 1e-12)
    # and they agree with hand-computed gradients of the first layer's output
    z1 = model[0](x).detach().requires_grad_(True)
    loss = F.cross_entropy(model[1:](z1), y)
    (g,) = torch.autograd.grad(loss, z1)
    assert float(dz[0]) == pytest.approx(float(g.norm()), rel=1e-10)


def test_product_log_norms_match_the_lyapunov_theory():
    n, depth_, trials = 16, 30, 2000
    logs = depth.product_log_norms(1.3, depth_, n, trials=trials, seed=0)
    assert logs.shape == (depth_ + 1, trials) and torch.all(logs[0] == 0)
    mean, std = float(logs[-1].mean()), float(logs[-1].std())
    want_mean = depth_ * depth.lyapunov_exponent(1.3, n)
    want_std = math.sqrt(depth_ * depth.lyapunov_variance(n))
    assert abs(mean - want_mean) < 4 * want_std / math.sqrt(trials), (
        f"mean log-norm {mean:.3f} vs {want_mean:.3f}"
    )
    assert std == pytest.approx(want_std, rel=0.08)
    # the scale factors out of a product of linear maps exactly
    other = depth.product_log_norms(0.5, depth_, n, trials=trials, seed=0)
    diff = logs - other
    assert torch.allclose(
        diff,
        torch.arange(depth_ + 1, dtype=torch.float64)[:, None] * math.log(1.3 / 0.5),
        atol=1e-9,
    )


def test_lyapunov_exponent_known_values():
    # n = 1: E log|s Z| = log s - (gamma + log 2) / 2 for a standard normal Z
    euler_gamma = 0.5772156649015329
    assert depth.lyapunov_exponent(2.0, 1) == pytest.approx(
        math.log(2.0) - (euler_gamma + math.log(2)) / 2, abs=1e-12
    )
    # wide matrices: log s - 1/(2n) to leading order, variance 1/(2n)
    assert depth.lyapunov_exponent(1.0, 1000) == pytest.approx(-1 / 2000, rel=2e-3)
    assert depth.lyapunov_variance(1000) == pytest.approx(1 / 2000, rel=2e-3)
