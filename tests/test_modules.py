"""Modules: built-in lookup, the hand-written-backward wrapper.

Learnable PReLU and Swish-β.
"""

import pytest
import torch
from torch import nn

import actlib
from actlib import modules


@pytest.mark.parametrize("name", modules.module_names())
def test_make_returns_a_module_matching_the_registry(name):
    m = modules.make(name)
    assert isinstance(m, nn.Module)
    x = torch.linspace(-6, 6, 101)
    ref = torch.where(x > 0, x, 0.25 * x) if name == "prelu" else actlib.get(name)(x)
    torch.testing.assert_close(m(x), ref, rtol=1e-5, atol=1e-6)


def test_make_passes_parameters_and_validates():
    assert modules.make("leaky_relu", negative_slope=0.2).negative_slope == 0.2
    with pytest.raises(ValueError, match="unknown activation 'relu7'"):
        modules.make("relu7")


def test_prelu_matches_torch_and_learns():
    ours, ref = modules.PReLU(3, init=0.1), nn.PReLU(3, init=0.1)
    x = torch.randn(5, 3, 4)
    torch.testing.assert_close(ours(x), ref(x))
    ours(x).sum().backward()
    ref(x).sum().backward()
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad)
    with pytest.raises(ValueError, match="num_parameters"):
        modules.PReLU(0)


def test_swish_beta_learnable_or_fixed():
    s = modules.Swish(beta=2.0, learnable=True)
    x = torch.linspace(-3, 3, 7)
    torch.testing.assert_close(s(x), x * torch.sigmoid(2 * x))
    s(x).sum().backward()
    assert s.beta.grad is not None and [n for n, _ in s.named_parameters()] == ["beta"]
    assert list(modules.Swish(1.5).parameters()) == []


# Non-default parameters for every parametrised activation: make() must pass each one
# through.
NON_DEFAULT = {
    "leaky_relu": {"negative_slope": 0.3},
    "elu": {"alpha": 0.4},
    "celu": {"alpha": 2.5},
    "softplus": {"beta": 3.0, "threshold": 5.0},
    "gelu": {"approximate": "tanh"},
    "swish": {"beta": 2.5},
}


def test_every_parameter_of_the_registry_is_covered_here():
    with_params = {n for n in actlib.list_activations() if actlib.get(n).params}
    assert with_params == set(NON_DEFAULT)


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_make_passes_every_parameter_through(name):
    params = NON_DEFAULT[name]
    x = torch.linspace(-6, 6, 241, dtype=torch.float64)
    got = modules.make(name, **params).double()(x)
    torch.testing.assert_close(got, actlib.get(name, **params)(x), rtol=1e-6, atol=1e-9)
    default = actlib.get(name)(x)
    assert not torch.allclose(got, default), (
        f"make({name!r}, {params}) behaves like the default"
    )
    m = actlib.get(name, **params).module()
    torch.testing.assert_close(m(x), actlib.get(name, **params)(x))


def test_prelu_refuses_inputs_without_its_channels():
    with pytest.raises(
        ValueError, match=r"PReLU\(3\) has one slope per channel.*got shape \(7,\)"
    ):
        modules.PReLU(3)(torch.randn(7))
    with pytest.raises(ValueError, match=r"shape \(2, 4\)"):
        modules.PReLU(3)(torch.randn(2, 4))
    assert modules.PReLU(1)(torch.randn(7)).shape == (7,)
    with pytest.raises(TypeError, match="invalid num_parameters=2.0"):
        modules.PReLU(2.0)
    with pytest.raises(TypeError, match="invalid init='0.1'"):
        modules.PReLU(1, init="0.1")
    with pytest.raises(ValueError, match="unknown parameter 'alpha' for 'prelu'"):
        modules.make("prelu", alpha=0.1)
    assert float(modules.make("prelu", init=0.1).weight.detach()) == pytest.approx(0.1)


def test_get_prelu_says_where_it_lives():
    with pytest.raises(
        ValueError, match=r"'prelu' is a learnable activation.*actlib.modules.PReLU"
    ):
        actlib.get("prelu")


def test_swish_is_written_once():
    # modules.Swish, sweeps.BufferedActivation("swish") and the registry's swish share
    # functions.swish
    x = torch.linspace(-30, 30, 601, dtype=torch.float64)
    want = actlib.get("swish", beta=1.7)(x)
    torch.testing.assert_close(modules.Swish(1.7).double()(x), want)
    torch.testing.assert_close(
        actlib.sweeps.BufferedActivation("swish", 1.7).double()(x), want
    )
    torch.testing.assert_close(
        actlib.functions.swish(x, torch.tensor(1.7, dtype=torch.float64)), want
    )
