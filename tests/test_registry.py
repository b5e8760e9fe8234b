"""The registry: names, parameters and their validation, and properties computed from the functions."""

import math

import pytest
import torch

import actlib
from actlib import functions as fn

CURRICULUM_1_2 = {"identity", "step", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "elu", "selu", "celu",
                  "softplus", "gelu", "silu", "swish", "mish", "hardsigmoid", "hardswish", "softsign"}


def test_every_function_of_chapter_1_2_is_registered_and_sorted():
    names = actlib.list_activations()
    assert names == sorted(names)
    assert CURRICULUM_1_2 <= set(names), CURRICULUM_1_2 - set(names)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError) as e:
        actlib.get("gelu2")
    assert "'gelu2'" in str(e.value) and "choose one of: celu, elu, gelu" in str(e.value)


@pytest.mark.parametrize("name,params,match", [
    ("relu", {"alpha": 1.0}, "unknown parameter 'alpha' for activation 'relu'; valid parameters: none"),
    ("elu", {"beta": 1.0}, "valid parameters: alpha"),
    ("gelu", {"approximate": "fast"}, r"invalid approximate='fast' for activation 'gelu'; it must be 'none' or 'tanh'"),
    ("celu", {"alpha": 0.0}, "it must be a positive finite number"),
    ("softplus", {"beta": -1.0}, "invalid beta=-1.0"),
    ("leaky_relu", {"negative_slope": math.nan}, "a finite number"),
    ("leaky_relu", {"negative_slope": "0.1"}, "invalid negative_slope='0.1'"),
])
def test_invalid_parameters_raise_with_the_valid_choices(name, params, match):
    with pytest.raises(ValueError, match=match):
        actlib.get(name, **params)


def test_activation_object_api():
    f = actlib.get("leaky_relu", negative_slope=0.1)
    assert f.name == "leaky_relu" and f.params == {"negative_slope": 0.1}
    assert "a x" in f.latex and repr(f) == "leaky_relu(negative_slope=0.1)" and f.label == "leaky_relu(0.1)"
    assert actlib.get("gelu").label == "gelu" and f.kinks == (0.0,)
    assert actlib.get("elu").kinks == () and actlib.get("elu", alpha=2.0).kinks == (0.0,)


def test_module_uses_hand_written_backward():
    m = actlib.get("silu").module()
    x = torch.linspace(-4, 4, 9, dtype=torch.float64, requires_grad=True)
    m(x).sum().backward()
    torch.testing.assert_close(x.grad, fn.d_silu(x.detach()))


def props(name, **p):
    return actlib.get(name, **p).properties()


def test_ranges_are_measured():
    assert props("sigmoid")["range"] == pytest.approx((0.0, 1.0))
    assert props("tanh")["range"] == pytest.approx((-1.0, 1.0))
    assert props("softsign")["range"] == pytest.approx((-1.0, 1.0))
    assert props("relu")["range"] == (0.0, math.inf)
    assert props("leaky_relu")["range"] == (-math.inf, math.inf)
    assert props("relu6")["range"] == pytest.approx((0.0, 6.0))
    assert props("elu", alpha=2.0)["range"][0] == pytest.approx(-2.0)
    assert props("selu")["range"][0] == pytest.approx(-fn.SELU_SCALE * fn.SELU_ALPHA)


def test_monotone_and_minima():
    for n in ("sigmoid", "tanh", "relu", "elu", "softplus", "softsign", "leaky_relu"):
        assert props(n)["monotone"], n
    for n in ("gelu", "silu", "mish", "hardswish"):
        assert not props(n)["monotone"], n
    # Published minima: Swish-1 ~ -0.2785 at -1.278; GELU ~ -0.1700 at -0.752; Mish ~ -0.30884 at -1.1924.
    for n, (xm, ym) in {"silu": (-1.2785, -0.2785), "gelu": (-0.7518, -0.1700), "mish": (-1.1924, -0.30884)}.items():
        x, y = props(n)["minimum"]
        assert x == pytest.approx(xm, abs=2e-4) and y == pytest.approx(ym, abs=1e-4), n


def test_zero_centred_at_standard_normal_input():
    assert props("tanh")["zero_centred"] and props("softsign")["zero_centred"]
    assert props("selu")["zero_centred"]  # SELU's constants make E[selu(Z)] = 0 for Z ~ N(0, 1)
    assert props("relu")["mean_at_N01"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-6)
    assert not props("sigmoid")["zero_centred"] and not props("relu")["zero_centred"]


def test_smoothness_and_saturation():
    assert props("gelu")["smooth"] and props("elu")["smooth"] and not props("elu", alpha=2.0)["smooth"]
    assert not props("relu")["smooth"] and props("relu")["continuous"]
    assert not props("step")["continuous"] and props("step")["max_slope"] == math.inf
    assert props("sigmoid")["saturating"] == "both sides" and props("relu")["saturating"] == "negative side"
    assert props("leaky_relu")["saturating"] == "no" and props("softsign")["saturating"] == "both sides"


def test_max_slopes():
    assert props("sigmoid")["max_slope"] == pytest.approx(0.25)
    assert props("tanh")["max_slope"] == pytest.approx(1.0)
    assert props("hardsigmoid")["max_slope"] == pytest.approx(1 / 6)
    assert props("selu")["max_slope"] == pytest.approx(fn.SELU_SCALE * fn.SELU_ALPHA, rel=1e-3)
