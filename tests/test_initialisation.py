"""Initialisation theory: moments, gains, variance map, SELU, weight init.

Gaussian moments, gains, the variance map, SELU's fixed point, weight-init schemes.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import actlib
from actlib import functions as fn
from actlib import initialisation as ini


@pytest.mark.parametrize(
    "f,power,mean,var,expected",
    [
        ("identity", 1, 0.7, 2.0, 0.7),
        ("identity", 2, 0.7, 2.0, 2.0 + 0.49),
        ("relu", 1, 0.0, 1.0, 1 / math.sqrt(2 * math.pi)),
        ("relu", 2, 0.0, 4.0, 2.0),  # half of the second moment
        (
            "step",
            1,
            0.3,
            2.0,
            0.5 * math.erfc(-0.3 / math.sqrt(4.0)),
        ),  # P(Z > 0), a jump inside the range
        # E[exp(Z)] for Z ~ N(0, 1) is exp(1/2): a smooth integrand given as a plain
        # callable
        (torch.exp, 1, 0.0, 1.0, math.exp(0.5)),
    ],
)
def test_gaussian_moment_matches_closed_forms(f, power, mean, var, expected):
    assert ini.gaussian_moment(f, power, mean, var) == pytest.approx(
        expected, rel=1e-10, abs=1e-12
    )


def test_gaussian_moment_of_a_derivative_with_a_jump():
    # relu' is the step: E[relu'(Z)^2] = 1/2 exactly, although relu' jumps at 0
    assert ini.gaussian_moment("relu", 2, derivative=True) == pytest.approx(
        0.5, abs=1e-12
    )
    # a plain callable's derivative comes from autograd: d/dx x^2 = 2x, E[(2Z)^2] = 4
    assert ini.gaussian_moment(lambda x: x * x, 2, derivative=True) == pytest.approx(
        4.0, rel=1e-10
    )
    # zero variance: the moment is f(mean)^power
    assert ini.gaussian_moment("tanh", 2, mean=0.5, var=0.0) == pytest.approx(
        math.tanh(0.5) ** 2
    )


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0, -0.5])
def test_leaky_relu_gains_equal_pytorch(slope):
    act = (
        actlib.get("leaky_relu", negative_slope=slope) if slope else actlib.get("relu")
    )
    torch_gain = nn.init.calculate_gain("leaky_relu", slope)
    for kind in ini.GAIN_KINDS:
        assert ini.gain(act, kind) == pytest.approx(torch_gain, rel=1e-9)


def test_gains_of_linear_selu_and_tanh():
    assert ini.gain("identity") == pytest.approx(1.0, rel=1e-12)
    assert ini.gain("selu") == pytest.approx(
        1.0, rel=1e-9
    )  # SELU keeps E[f(Z)^2] = 1 by construction
    # tanh: E[tanh(Z)^2] is about 0.394; PyTorch's 5/3 is a different, conventional
    # choice
    g = ini.gain("tanh")
    assert 1.58 < g < 1.60 and g != pytest.approx(5 / 3, rel=0.03)
    assert (
        ini.gain("tanh", "backward") < g - 0.1
    )  # forward and backward gains differ for tanh
    with pytest.raises(
        ValueError, match="unknown kind 'sideways'; choose one of: forward, backward"
    ):
        ini.gain("tanh", "sideways")
    with pytest.raises(ValueError, match="no finite gain"):
        ini.gain("step", "backward")  # f' = 0 everywhere


def test_selu_constants_are_the_published_ones():
    alpha, lam = ini.selu_constants()
    assert alpha == pytest.approx(1.6732632423543772, abs=1e-9)
    assert lam == pytest.approx(1.0507009873554805, abs=1e-9)
    x = torch.linspace(-6, 6, 1001, dtype=torch.float64)
    assert torch.allclose(lam * F.elu(x, alpha), F.selu(x), atol=1e-9)
    # another target variance gives other constants, which again satisfy the fixed-point
    # equations
    a2, l2 = ini.selu_constants(var=2.0)
    elu = actlib.get("elu", alpha=a2)
    assert abs(a2 - alpha) > 1e-3
    assert ini.gaussian_moment(elu, 1, var=2.0) == pytest.approx(0.0, abs=1e-9)
    assert l2**2 * ini.gaussian_moment(elu, 2, var=2.0) == pytest.approx(2.0, rel=1e-9)
    with pytest.raises(ValueError, match="var"):
        ini.selu_constants(var=-1.0)


def test_variance_map_and_fixed_points():
    # ReLU with gain sqrt(2) maps every variance to itself; with gain 1 it halves it
    # each layer
    for q in (0.1, 1.0, 7.0):
        assert ini.variance_map("relu", q, math.sqrt(2)) == pytest.approx(q, rel=1e-9)
    traj = ini.variance_trajectory("relu", 6, gain=1.0, q0=3.0)
    assert torch.allclose(
        traj, 3.0 * 0.5 ** torch.arange(6, dtype=torch.float64), rtol=1e-9
    )
    # tanh with gain 5/3 has an attracting fixed point: reached from above and from
    # below
    q_star = ini.fixed_point("tanh", 5 / 3)
    assert q_star == pytest.approx(ini.variance_map("tanh", q_star, 5 / 3), rel=1e-10)
    assert ini.fixed_point("tanh", 5 / 3, q0=0.01) == pytest.approx(q_star, rel=1e-8)
    assert 1.0 < q_star < 1.4
    # SELU with the LeCun gain 1 keeps variance 1
    assert ini.fixed_point("selu", 1.0, q0=3.0) == pytest.approx(1.0, rel=1e-8)
    # ReLU with too large a gain explodes: no fixed point to settle on
    with pytest.raises(RuntimeError, match="did not settle"):
        ini.fixed_point("relu", 2.0)
    assert math.isinf(float(ini.variance_trajectory("relu", 2000, gain=2.0)[-1]))
    with pytest.raises(ValueError, match="depth"):
        ini.variance_trajectory("relu", 0)


def test_predicted_variance_matches_a_wide_random_network():
    # the variance map is the infinite-width limit: a wide tanh net with gain 5/3
    # follows it layer by layer
    torch.manual_seed(1)
    width, depth = 1000, 8
    model = actlib.nets.mlp([width] * (depth + 1), "tanh", init="lecun", gain=5 / 3)
    x = torch.randn(2000, width) * 0.5  # z_1 has variance (5/3)^2 * 0.25
    pred = ini.variance_trajectory("tanh", depth, gain=5 / 3, q0=(5 / 3) ** 2 * 0.25)
    z = x
    with torch.no_grad():
        for layer in range(depth):
            z = model[2 * layer](z if layer == 0 else fn.tanh(z))
            assert float(z.var()) == pytest.approx(float(pred[layer]), rel=0.05), layer


def test_layer_moments_match_a_manual_forward():
    torch.manual_seed(0)
    model = actlib.nets.mlp([5, 7, 7, 3], "relu")
    x = torch.randn(50, 5)
    with torch.no_grad():
        z1 = model[0](x)
        z2 = model[2](torch.relu(z1))
        z3 = model[4](torch.relu(z2))

    def table(*ts):
        return torch.tensor(
            [[float(t.double().mean()), float(t.double().var())] for t in ts],
            dtype=torch.float64,
        )

    pre = ini.layer_moments(model, x)
    assert pre.shape == (3, 2) and torch.allclose(
        pre, table(z1, z2, z3), rtol=1e-6, atol=1e-7
    )
    post = ini.layer_moments(model, x, kind="activation")
    assert post.shape == (2, 2) and torch.allclose(
        post, table(torch.relu(z1), torch.relu(z2)), rtol=1e-6, atol=1e-7
    )
    assert not any(m._forward_hooks for m in model.modules())  # hooks are removed again
    with pytest.raises(ValueError, match="no nn.Linear"):
        ini.layer_moments(nn.ReLU(), x)
    with pytest.raises(
        ValueError,
        match="unknown kind 'gradient'; choose one of: preactivation, activation",
    ):
        ini.layer_moments(model, x, kind="gradient")
