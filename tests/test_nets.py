"""nets: the one MLP builder and the one weight-init API.

It covers schemes, gains, distributions and seeding.
"""

import math

import pytest
import torch
from torch import nn

from actlib import diagnostics, nets


def _linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


@pytest.mark.parametrize(
    "init, expected",
    [
        ("pytorch", lambda n_in, n_out: 1 / (3 * n_in)),
        ("standard", lambda n_in, n_out: 1 / (3 * n_in)),
        ("lecun", lambda n_in, n_out: 1 / n_in),
        ("xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
        ("he", lambda n_in, n_out: 2 / n_in),
        (3.0, lambda n_in, n_out: 9 / n_in),
    ],
)
def test_init_weight_variance_and_biases(init, expected):
    torch.manual_seed(0)
    model = nets.init_weights_(
        nn.Sequential(nn.Linear(400, 1000), nn.Tanh(), nn.Linear(1000, 300)), init
    )
    for m in _linears(model):
        var = float(m.weight.detach().var())
        want = expected(m.in_features, m.out_features)
        assert var == pytest.approx(want, rel=0.03), (
            f"{init}: Var[w] = {var:.3g}, expected {want:.3g}"
        )
        assert nets.weight_std(init, m.in_features, m.out_features) == pytest.approx(
            math.sqrt(want)
        )
        if init == "pytorch":  # PyTorch's own init: biases uniform on +-1/sqrt(n_in)
            bound = 1 / math.sqrt(m.in_features)
            top = float(m.bias.detach().abs().max())
            assert 0.9 * bound < top <= bound
        else:
            assert torch.all(m.bias == 0)


def test_weight_std_matches_torch_init():
    torch.manual_seed(0)
    w = torch.empty(300, 500)  # (out, in)
    checks = [
        ("xavier", 1.0, lambda t: nn.init.xavier_normal_(t)),
        ("xavier", 5 / 3, lambda t: nn.init.xavier_normal_(t, gain=5 / 3)),
        ("he", 1.0, lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu")),
        ("lecun", 1.0, lambda t: nn.init.kaiming_normal_(t, nonlinearity="linear")),
        (
            "standard",
            1.0,
            lambda t: nn.init.uniform_(t, -1 / math.sqrt(500), 1 / math.sqrt(500)),
        ),
        ("pytorch", 1.0, lambda t: nn.Linear(500, 300).weight.data),
    ]
    for scheme, g, init in checks:
        sample = init(w)
        assert nets.weight_std(scheme, 500, 300, g) == pytest.approx(
            float(sample.std()), rel=0.01
        ), scheme


@pytest.mark.parametrize("distribution", nets.DISTRIBUTIONS)
def test_gain_and_distribution(distribution):
    torch.manual_seed(0)
    model = nets.mlp([400, 600, 200], "tanh")
    nets.init_weights_(model, "xavier", gain=2.0, distribution=distribution)
    assert float(model[0].weight.detach().std()) == pytest.approx(
        2.0 * math.sqrt(2 / 1000), rel=0.01
    )
    assert float(model[2].weight.detach().std()) == pytest.approx(
        2.0 * math.sqrt(2 / 800), rel=0.01
    )
    top = float(model[0].weight.detach().abs().max()) / (2.0 * math.sqrt(2 / 1000))
    if distribution == "uniform":
        assert top <= math.sqrt(3) + 1e-6  # U[-b, b] with b = sqrt(3) sd
    else:
        assert top > math.sqrt(3) + 0.5  # a Gaussian's extremes go beyond
    nets.init_weights_(
        model, "standard"
    )  # always uniform on [-1/sqrt(n_in), 1/sqrt(n_in)]
    assert (
        0.99 / math.sqrt(400)
        < float(model[0].weight.detach().abs().max())
        <= 1 / math.sqrt(400)
    )


def test_mlp_layers_activation_params_norms():
    m = nets.mlp([4, 5, 3], "gelu", approximate="tanh")
    assert isinstance(m[1], nn.GELU) and m[1].approximate == "tanh" and len(m) == 3
    m = nets.mlp([4, 8, 8, 2], "leaky_relu", negative_slope=0.3)
    assert [type(x).__name__ for x in m] == [
        "Linear",
        "LeakyReLU",
        "Linear",
        "LeakyReLU",
        "Linear",
    ]
    assert m[1].negative_slope == 0.3 and m[3].negative_slope == 0.3
    for norm, cls in (("batch", nn.BatchNorm1d), ("layer", nn.LayerNorm)):
        m = nets.mlp([4, 8, 8, 2], "relu", norm=norm)
        assert [type(x) for x in m] == [
            nn.Linear,
            cls,
            nn.ReLU,
            nn.Linear,
            cls,
            nn.ReLU,
            nn.Linear,
        ]
    assert (
        len(diagnostics.activation_layers(nets.mlp([7] + [16] * 4 + [3], "relu"))) == 4
    )


def test_mlp_seed_is_private_and_reproducible():
    model = nets.mlp([7, 16, 16, 3], "relu", init="he", seed=1)
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    again = nets.mlp([7, 16, 16, 3], "relu", init="he", seed=1)
    assert torch.equal(torch.random.get_rng_state(), before), (
        "mlp(seed=...) must not move the global RNG"
    )
    for a, b in zip(model.parameters(), again.parameters()):
        assert torch.equal(a, b)
    other = nets.mlp([7, 16, 16, 3], "relu", init="he", seed=2)
    assert not torch.equal(model[0].weight, other[0].weight)


def test_mlp_without_init_keeps_what_nn_linear_drew():
    torch.manual_seed(5)
    a = nets.mlp([3, 4, 2], "tanh")
    torch.manual_seed(5)
    b = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: nets.mlp([4], "relu"), ValueError, "at least two positive integers"),
        (lambda: nets.mlp([4, 0, 2], "relu"), ValueError, r"invalid sizes\[1\]=0"),
        (lambda: nets.mlp([4, True, 2], "relu"), TypeError, r"invalid sizes\[1\]=True"),
        (lambda: nets.mlp([4, 2], "tanhh"), ValueError, "unknown activation 'tanhh'"),
        (
            lambda: nets.mlp([4, 2], "elu", beta=2.0),
            ValueError,
            "unknown parameter 'beta'",
        ),
        (
            lambda: nets.mlp([4, 3, 2], "relu", init="kaiming"),
            ValueError,
            (
                "unknown init 'kaiming'; choose one of: pytorch, standard, lecun, "
                "xavier, he"
            ),
        ),
        (
            lambda: nets.mlp([4, 3, 2], "relu", norm="group"),
            ValueError,
            "unknown norm 'group'",
        ),
        (
            lambda: nets.mlp([4, 3, 2], "relu", gain=2.0),
            ValueError,
            "needs an init scheme",
        ),
        (lambda: nets.mlp([4, 3, 2], "relu", seed=-1), ValueError, "invalid seed=-1"),
        (
            lambda: nets.init_weights_(nn.Linear(2, 2), -1),
            ValueError,
            "invalid init=-1",
        ),
        (
            lambda: nets.init_weights_(nn.Linear(2, 2), "he", distribution="cauchy"),
            ValueError,
            "unknown distribution 'cauchy'; choose one of: normal, uniform",
        ),
        (
            lambda: nets.init_weights_(nn.Linear(2, 2), "pytorch", gain=2.0),
            ValueError,
            "takes no gain",
        ),
        (lambda: nets.init_weights_(nn.Tanh(), "he"), ValueError, "no nn.Linear"),
        (lambda: nets.weight_std("glorot", 2, 2), ValueError, "unknown init 'glorot'"),
        (lambda: nets.weight_std("he", 0, 2), ValueError, "invalid n_in=0"),
        (lambda: nets.weight_std("he", 2, 2, gain=0), ValueError, "invalid gain=0"),
    ],
)
def test_errors_name_the_argument_and_value(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
