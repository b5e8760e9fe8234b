"""Learnable activations: rational (Padé), spline, mixture."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib import learnable
from actlib.train import train_many


def _gradcheck_module(module, x):
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in module.parameters()]

    def f(x, *p):
        return torch.func.functional_call(module, dict(zip(names, p)), (x,))

    return torch.autograd.gradcheck(f, (x.requires_grad_(True), *params))


def test_rational_is_the_safe_pade_formula():
    a = torch.tensor([0.5, 1.0, -2.0], dtype=torch.float64)
    b = torch.tensor([3.0, -1.0], dtype=torch.float64)
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)
    want = (0.5 + x - 2 * x**2) / (1 + (3 * x - x**2).abs())
    torch.testing.assert_close(learnable.rational(x, a, b), want)


@pytest.mark.parametrize("init", ["leaky_relu", "gelu", "silu", "tanh"])
def test_rational_init_approximates_its_target(init):
    m = learnable.Rational(init=init)
    x = torch.linspace(-3, 3, 601)
    target = learnable._target(init)(x)
    with torch.no_grad():
        err = (m(x) - target).abs().max()
    assert err < (0.1 if init == "leaky_relu" else 0.02), (init, float(err))


def test_rational_shapes_parameters_and_gradcheck():
    m = learnable.Rational(m=5, n=4)
    assert learnable.count_parameters(m) == 10
    assert m(torch.randn(7, 3, 2)).shape == (7, 3, 2)
    x = torch.randn(30, dtype=torch.float64) * 3
    assert _gradcheck_module(learnable.Rational().double(), x)


def test_rational_denominator_is_at_least_one():
    # huge coefficients cannot create a pole: |f| <= |P|
    a = torch.randn(6, dtype=torch.float64)
    b = torch.randn(4, dtype=torch.float64) * 100
    x = torch.linspace(-5, 5, 1001, dtype=torch.float64)
    num = sum(a[j] * x**j for j in range(6))
    assert bool((learnable.rational(x, a, b).abs() <= num.abs() + 1e-12).all())


def test_spline_interpolates_and_extrapolates_linearly():
    s = learnable.Spline(grid_size=4, span=2.0, init="relu")
    assert torch.equal(s.knots(), torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
    with torch.no_grad():
        s.values.copy_(torch.tensor([1.0, 0.0, 2.0, 2.0, 3.0]))
        y = s(torch.tensor([-3.0, -1.5, -0.5, 0.5, 1.5, 4.0]))
    # left of -2 the first segment (slope -1) continues; right of 2 the last (slope 1)
    torch.testing.assert_close(y, torch.tensor([2.0, 0.5, 1.0, 2.0, 2.5, 5.0]))


def test_spline_init_matches_target_and_counts_parameters():
    x = torch.linspace(-3, 3, 601)
    with torch.no_grad():
        torch.testing.assert_close(learnable.Spline(init="relu")(x), torch.relu(x))
        err = (learnable.Spline(grid_size=24, init="silu")(x) - F.silu(x)).abs().max()
    assert err < 0.01
    assert learnable.count_parameters(learnable.Spline(grid_size=12)) == 13
    assert (
        learnable.count_parameters(learnable.Spline(grid_size=12, num_channels=64))
        == 64 * 13
    )
    assert learnable.count_parameters(learnable.Spline(learnable=False)) == 0


def test_spline_gradcheck_shared_and_per_channel():
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(20, 3, generator=g, dtype=torch.float64) - 0.5) * 10
    assert _gradcheck_module(learnable.Spline().double(), x.clone())
    assert _gradcheck_module(learnable.Spline(num_channels=3).double(), x.clone())
    with pytest.raises(ValueError, match="num_channels=3"):
        learnable.Spline(num_channels=3)(torch.zeros(2, 4))


def test_spline_accepts_a_tensor_of_values_and_checks_its_length():
    v = torch.linspace(-1, 1, 13)
    s = learnable.Spline(grid_size=12, init=v, learnable=False)
    assert torch.equal(s.values, v) and "values" in dict(s.named_buffers())
    with pytest.raises(ValueError, match="13"):
        learnable.Spline(grid_size=12, init=torch.zeros(5))


def test_mixture_weights_select_and_gradients():
    m = learnable.Mixture(("relu", "tanh", "sigmoid"))
    x = torch.linspace(-3, 3, 61)
    with torch.no_grad():
        torch.testing.assert_close(
            m(x), (torch.relu(x) + torch.tanh(x) + torch.sigmoid(x)) / 3
        )
    m(x).sum().backward()
    assert m.logits.grad is not None and learnable.count_parameters(m) == 3
    fixed = learnable.Mixture(("relu", "tanh"), learnable=False).select("tanh")
    assert torch.equal(fixed(x), torch.tanh(x))
    assert learnable.count_parameters(fixed) == 0
    with pytest.raises(ValueError, match="choose one of: relu, tanh"):
        fixed.select("gelu")


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="unknown init 'swish2'"):
        learnable.Rational(init="swish2")
    with pytest.raises(ValueError, match="grid_size"):
        learnable.Spline(grid_size=1)
    with pytest.raises(ValueError, match="unknown activation"):
        learnable.Mixture(("relu", "relu9"))


def test_train_many_trains_the_activation_parameters():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 5, generator=g)
    y = (x[:, 0] > 0).long()
    from actlib.data import Split

    data = Split(x, y, x[:16], y[:16])
    for make in (learnable.Rational, learnable.Spline, learnable.Mixture):
        _hist, many = train_many(
            lambda make=make: nn.Sequential(nn.Linear(5, 8), make(), nn.Linear(8, 2)),
            [0, 1],
            data,
            epochs=2,
            batch_size=16,
            progress=False,
            return_models=True,
        )
        before = make()
        after = many.model(0)[1]
        moved = [
            float((p - q).detach().abs().max())
            for p, q in zip(after.parameters(), before.parameters())
        ]
        assert max(moved) > 0, f"{make.__name__}'s parameters did not train"
