"""Diagnostics: per-layer statistics from hooks, dead units, gradient norms."""

import pytest
import torch
from torch import nn

import actlib
from actlib import diagnostics
from actlib.nets import mlp


def test_record_statistics_match_a_manual_forward():
    torch.manual_seed(0)
    model = mlp([10, 20, 20, 3], "tanh")
    x = torch.randn(64, 10)
    stats = diagnostics.record(model, x)
    assert [s.name for s in stats] == ["1", "3"]
    h1 = torch.tanh(model[0](x)).detach()
    assert stats[0].mean == pytest.approx(float(h1.mean()), abs=1e-6)
    assert stats[0].std == pytest.approx(float(h1.std()), abs=1e-6)
    sat = (1 - h1**2 < 0.05).float().mean() * 100  # tanh' = 1 - tanh^2, max slope 1
    assert stats[0].saturated_pct == pytest.approx(float(sat))


def test_saturation_and_dead_units_are_detected():
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 6), nn.Sigmoid())
    with torch.no_grad():
        model[0].bias[:3] = -100.0  # three dead ReLU units
        model[2].weight.mul_(100)  # sigmoid pushed into saturation
    x = torch.randn(256, 4)
    stats = diagnostics.record(model, x)
    assert stats[0].dead_pct == pytest.approx(50.0)
    with torch.no_grad():
        s = torch.sigmoid(model[:3](x))
    expected = 100 * float((s * (1 - s) < 0.05 * 0.25).float().mean())
    assert stats[1].saturated_pct == pytest.approx(expected) and expected > 50
    dead = diagnostics.dead_fraction(model, torch.randn(1000, 4), batch_size=100)
    assert dead["1"] == pytest.approx(0.5)


def test_gradients_recorded_without_touching_parameter_grads():
    torch.manual_seed(0)
    model = mlp([5, 8, 8, 2], "gelu")
    x, y = torch.randn(32, 5), torch.randint(0, 2, (32,))
    stats = diagnostics.record(model, x, y, nn.functional.cross_entropy)
    assert all(p.grad is None for p in model.parameters())
    out = model[:2](x).requires_grad_(True)
    loss = nn.functional.cross_entropy(model[2:](out), y)
    (g,) = torch.autograd.grad(loss, out)
    assert stats[0].grad_std == pytest.approx(float(g.std()), rel=1e-5)
    norms = diagnostics.gradient_norms(model, x, y, nn.functional.cross_entropy)
    assert [n for n, _ in norms] == ["0.weight", "2.weight", "4.weight"] and all(
        v > 0 for _, v in norms
    )


def test_works_with_actlib_modules_and_errors():
    model = nn.Sequential(
        nn.Linear(3, 4),
        actlib.get("mish").module(),
        nn.Linear(4, 4),
        actlib.modules.PReLU(),
    )
    assert len(diagnostics.record(model, torch.randn(8, 3))) == 2
    with pytest.raises(ValueError, match="no activation modules"):
        diagnostics.record(nn.Linear(3, 3), torch.randn(2, 3))
    with pytest.raises(ValueError, match="both y and loss_fn"):
        diagnostics.record(model, torch.randn(2, 3), y=torch.zeros(2))


def test_gradient_norms_do_not_underflow_in_float32():
    model = nn.Sequential(
        nn.Linear(2, 2, bias=False), nn.Sigmoid(), nn.Linear(2, 1, bias=False)
    )
    with torch.no_grad():
        model[2].weight.fill_(
            1e-25
        )  # first-layer gradient entries ~4e-26: fine in float32, their squares are not
    x, y = torch.ones(4, 2), torch.ones(4, 1)
    norms = dict(diagnostics.gradient_norms(model, x, y, nn.functional.mse_loss))
    assert norms["0.weight"] > 0


def test_leaky_relu_units_are_never_dead():
    # A Leaky ReLU's slope on the negative side is 0.01, not 0: a unit pushed far
    # negative still passes gradient.
    model = nn.Sequential(nn.Linear(4, 6), nn.LeakyReLU(0.01), nn.Linear(6, 2))
    with torch.no_grad():
        model[0].bias.fill_(-100.0)
    x = torch.randn(200, 4)
    assert diagnostics.dead_fraction(model, x)["1"] == 0.0
    assert diagnostics.record(model, x)[0].dead_pct == 0.0
    relu = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
    relu[0].load_state_dict(model[0].state_dict())
    assert diagnostics.dead_fraction(relu, x)["1"] == 1.0


def test_no_activation_layers_is_an_error_everywhere():
    for call in (diagnostics.record, diagnostics.dead_fraction):
        with pytest.raises(
            ValueError, match="no activation modules found in the model"
        ):
            call(nn.Linear(3, 3), torch.randn(2, 3))
    with pytest.raises(TypeError, match="expected an nn.Module"):
        diagnostics.activation_layers(lambda x: x)
    with pytest.raises(ValueError, match="invalid batch_size=0"):
        diagnostics.dead_fraction(
            nn.Sequential(nn.Linear(3, 3), nn.ReLU()), torch.randn(2, 3), batch_size=0
        )


def test_learnable_activations_are_found_once():
    from actlib.learnable import Mixture, Rational, Spline

    model = nn.Sequential(
        nn.Linear(3, 4), Rational(), nn.Linear(4, 4), Spline(), nn.Linear(4, 4),
        Mixture(), nn.Linear(4, 2),
    )  # fmt: skip
    kinds = [type(m).__name__ for _, m in diagnostics.activation_layers(model)]
    # the mixture counts through the activations it mixes, not as a layer of its own
    assert kinds[:2] == ["Rational", "Spline"] and "Mixture" not in kinds, kinds
