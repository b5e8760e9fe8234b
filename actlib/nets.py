"""Building networks: the one MLP builder and the one weight-init API of actlib.

Init schemes (a layer maps n_in inputs to n_out outputs; Var[w] is the weight variance):

- ``"pytorch"``: PyTorch's own nn.Linear init, weights *and biases* uniform on ±1/√n_in,
  so Var[w] = 1/(3 n_in). This is what a freshly built nn.Linear has.
- ``"standard"``: Glorot & Bengio's (2010) "standard" heuristic: the same uniform
  weights, biases 0.
- ``"lecun"`` (Var[w] = 1/n_in), ``"xavier"`` (2/(n_in + n_out)), ``"he"`` (2/n_in):
  Gaussian weights (or uniform with distribution="uniform"), biases 0.
- a positive number g: Gaussian weights with Var[w] = g²/n_in (LeCun scaled by g),
  biases 0.

``gain`` multiplies the weight standard deviation of every scheme but "pytorch".
"""

import math
import numbers

import torch
from torch import nn

from . import validate
from .modules import make

SCHEMES = ("pytorch", "standard", "lecun", "xavier", "he")
DISTRIBUTIONS = ("normal", "uniform")
NORMS = {None: None, "batch": nn.BatchNorm1d, "layer": nn.LayerNorm}


def _check_scheme(scheme):
    if isinstance(scheme, numbers.Real) and not isinstance(scheme, bool):
        return validate.real("init", scheme, 0.0, low_open=True)
    if isinstance(scheme, str) and scheme in SCHEMES:
        return scheme
    raise ValueError(
        f"unknown init {scheme!r}; choose one of: {', '.join(SCHEMES)}, or a "
        "positive number (a gain on LeCun's variance)"
    )


def weight_std(scheme, n_in, n_out, gain=1.0):
    """Return the weight standard deviation of an init scheme (times gain).

    The layer maps n_in -> n_out.
    """
    scheme = _check_scheme(scheme)
    n_in, n_out = validate.count("n_in", n_in), validate.count("n_out", n_out)
    gain = validate.real("gain", gain, 0.0, low_open=True)
    if isinstance(scheme, float):
        return scheme * gain / math.sqrt(n_in)
    var = {
        "pytorch": 1.0 / (3 * n_in),
        "standard": 1.0 / (3 * n_in),  # U[-1/sqrt(n_in), 1/sqrt(n_in)]
        "lecun": 1.0 / n_in,
        "xavier": 2.0 / (n_in + n_out),
        "he": 2.0 / n_in,
    }[scheme]
    return gain * math.sqrt(var)


@torch.no_grad()
def init_weights_(model, scheme="pytorch", gain=1.0, distribution="normal"):
    """Re-initialise every nn.Linear of model in place by `scheme`; return the model.

    The schemes are described in the module docstring.
    """
    scheme = _check_scheme(scheme)
    validate.choice("distribution", distribution, DISTRIBUTIONS)
    gain = validate.real("gain", gain, 0.0, low_open=True)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("the model has no nn.Linear layers to initialise")
    if scheme == "pytorch":
        if gain != 1.0 or distribution != "normal":
            raise ValueError(
                "init 'pytorch' is PyTorch's own nn.Linear init and takes no gain "
                "or distribution; use 'standard' (the same weights, biases 0) "
                "with a gain instead"
            )
        for m in linears:
            m.reset_parameters()
        return model
    if scheme == "standard":
        distribution = (
            "uniform"  # the standard heuristic is defined as a uniform distribution
        )
    for m in linears:
        std = weight_std(scheme, m.in_features, m.out_features, gain)
        if distribution == "normal":
            m.weight.normal_(0.0, std)
        else:
            bound = math.sqrt(3.0) * std  # U[-b, b] has variance b^2 / 3
            m.weight.uniform_(-bound, bound)
        if m.bias is not None:
            m.bias.zero_()
    return model


def mlp(sizes, activation="relu", init=None, gain=1.0, norm=None, seed=None, **params):
    """Return an nn.Sequential MLP: Linear layers of the given sizes.

    The named activation sits between them.

    init/gain: the weight init (see the module docstring); None keeps the weights each
    nn.Linear drew when it was built (PyTorch's init), "pytorch" re-draws them from the
    same distribution. norm: None, "batch" or "layer" puts BatchNorm1d or LayerNorm
    between each hidden Linear layer and its activation. With a seed, weights are drawn
    from a private generator state (the global RNG is left as it was), on the CPU, so
    the same seed gives the same network on every device. Extra keyword arguments are
    the activation's parameters, e.g. mlp([40, 64, 10], "leaky_relu",
    negative_slope=0.1).
    """
    if (
        isinstance(sizes, (str, bytes))
        or not hasattr(sizes, "__len__")
        or len(sizes) < 2
    ):
        raise ValueError(
            f"invalid sizes={sizes!r}; give at least two positive integers, e.g. "
            "[40, 100, 10]"
        )
    sizes = [validate.count(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
    if init is not None:
        _check_scheme(init)
    elif gain != 1.0:
        raise ValueError(f"gain={gain!r} needs an init scheme, e.g. init='lecun'")
    if norm not in NORMS:
        raise ValueError(
            f"unknown norm {norm!r}; choose one of: None, 'batch', 'layer'"
        )
    make(
        activation, **params
    )  # validates the name and parameters before any weight is drawn
    if seed is None:
        return _build(sizes, activation, init, gain, norm, params)
    validate.seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _build(sizes, activation, init, gain, norm, params)


def _build(sizes, activation, init, gain, norm, params):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            if norm is not None:
                layers.append(NORMS[norm](n_out))
            layers.append(make(activation, **params))
    model = nn.Sequential(*layers)
    return model if init is None else init_weights_(model, init, gain)
