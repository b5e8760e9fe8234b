"""Modules: built-in lookup, the hand-written-backward wrapper, learnable PReLU and Swish-β."""

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
