"""actlib.kernels: closed-form kernels against Monte Carlo, the LIF rate against its
simulation."""

import math

import pytest
import torch

from actlib import kernels


def _points(n=6, d=5, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=gen, dtype=torch.float64)


@pytest.mark.parametrize(
    "closed, name", [(kernels.arccos_kernel, "relu"), (kernels.erf_kernel, "erf")]
)
def test_closed_forms_match_a_very_wide_random_layer(closed, name):
    x = _points()
    phi = kernels.random_features(x, 400_000, name, seed=1)
    mc = phi @ phi.T
    exact = closed(x, x)
    scale = exact.diagonal().mean()
    assert float((mc - exact).abs().max() / scale) < 0.01


def test_arccos_kernel_known_values_and_homogeneity():
    e1 = torch.tensor([1.0, 0.0], dtype=torch.float64)
    e2 = torch.tensor([0.0, 2.0], dtype=torch.float64)
    assert float(kernels.arccos_kernel(e1, e1)) == pytest.approx(0.5)  # E[relu(z)^2]
    assert float(kernels.arccos_kernel(e1, e2)) == pytest.approx(2 / (2 * math.pi))
    assert float(kernels.arccos_kernel(e1, -e1)) == pytest.approx(0.0, abs=1e-15)
    x, y = _points(3), _points(4, seed=1)
    assert torch.allclose(
        kernels.arccos_kernel(3 * x, 5 * y), 15 * kernels.arccos_kernel(x, y)
    )
    assert kernels.arccos_kernel(x, y).shape == (3, 4)
    assert float(kernels.arccos_kernel(torch.zeros(2), e1)) == 0.0  # no nan at 0


def test_erf_kernel_saturates_with_scale():
    x, y = _points(2)
    k = [float(kernels.erf_kernel(c * x, c * y)) for c in (1e2, 1e4)]
    cos = float(x @ y / (x.norm() * y.norm()))
    limit = 1 - 2 * math.acos(cos) / math.pi  # (2/π) arcsin(cos θ)
    assert abs(k[1] - limit) < 1e-4 and abs(k[1] - k[0]) < 1e-2
    assert float(kernels.erf_kernel(1e6 * x, 1e6 * x)) < 1.0


def test_random_feature_error_falls_with_width():
    x = _points(8)
    exact = kernels.arccos_kernel(x, x)
    err = []
    for width in (100, 10_000):
        runs = [kernels.random_features(x, width, seed=s) for s in range(5)]
        err.append(sum(float((p @ p.T - exact).norm()) for p in runs) / 5)
    assert err[1] < err[0] / 5  # 1/sqrt(width): a factor of 10 expected


def test_random_features_refuse_bad_arguments():
    with pytest.raises(ValueError, match="choose one of: erf, relu, tanh"):
        kernels.random_features(_points(), 10, "gelu2")
    with pytest.raises(ValueError, match="positive integer"):
        kernels.random_features(_points(), 0)
    out = kernels.random_features(_points(), 7, torch.sin)  # any function works
    assert out.shape == (6, 7)


def test_lif_rate_closed_form():
    tau, v_th, t_ref = 0.02, 0.02, 0.002
    rate = kernels.lif_rate(torch.tensor([0.01, 0.02, 0.04]), tau, v_th, t_ref)
    assert rate[0] == 0 and rate[1] == 0  # at and below threshold
    assert float(rate[2]) == pytest.approx(1 / (t_ref + tau * math.log(2)))
    huge = kernels.lif_rate(torch.tensor([1e6]), tau, v_th, t_ref)
    assert float(huge) == pytest.approx(1 / t_ref, rel=1e-4)
    no_ref = kernels.lif_rate(torch.tensor([100.0]), tau, v_th, t_ref=0.0)
    slope_line = 100.0 / (tau * v_th) - 1 / (2 * tau)
    assert float(no_ref) == pytest.approx(slope_line, rel=1e-6)
    with pytest.raises(ValueError, match="tau must be positive"):
        kernels.lif_rate(torch.ones(1), tau=0)


def test_lif_simulation_converges_to_the_closed_form():
    current = torch.linspace(0.022, 0.2, 12, dtype=torch.float64)
    exact = kernels.lif_rate(current)
    err = []
    for dt in (2e-4, 5e-5):
        sim = kernels.lif_simulate(current, 0.5, dt, estimate="period")
        err.append(float(((sim - exact) / exact).abs().mean()))
    assert err[1] < 0.01 and err[1] < err[0] / 2.5  # first order in dt
    below = kernels.lif_simulate(torch.tensor([0.0, 0.019]), 0.3, 1e-4)
    assert (below == 0).all()
    noisy = kernels.lif_simulate(torch.tensor([0.018]), 2.0, 1e-4, noise=0.004)
    assert float(noisy) > 0  # noise makes a sub-threshold neuron fire


def test_lif_simulation_refuses_bad_arguments():
    with pytest.raises(ValueError, match="choose one of: count, period"):
        kernels.lif_simulate(torch.ones(1), estimate="mean")
    with pytest.raises(ValueError, match="dt must be in"):
        kernels.lif_simulate(torch.ones(1), duration=0.1, dt=1.0)
    with pytest.raises(ValueError, match="t_ref must be 0 or positive"):
        kernels.lif_simulate(torch.ones(1), t_ref=-1)
