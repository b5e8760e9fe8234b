"""nn.Module wrappers: any registry activation as a module, a fast built-in lookup, and learnable PReLU / Swish-β."""

import torch
from torch import nn

from . import functions as fn
from .registry import get, list_activations

# PyTorch's own module for each registry name (fast fused kernels, used when training networks).
_BUILTIN = {
    "identity": lambda p: nn.Identity(),
    "sigmoid": lambda p: nn.Sigmoid(),
    "tanh": lambda p: nn.Tanh(),
    "relu": lambda p: nn.ReLU(),
    "relu6": lambda p: nn.ReLU6(),
    "leaky_relu": lambda p: nn.LeakyReLU(p["negative_slope"]),
    "elu": lambda p: nn.ELU(p["alpha"]),
    "selu": lambda p: nn.SELU(),
    "celu": lambda p: nn.CELU(p["alpha"]),
    "softplus": lambda p: nn.Softplus(p["beta"], p["threshold"]),
    "gelu": lambda p: nn.GELU(approximate=p["approximate"]),
    "silu": lambda p: nn.SiLU(),
    "mish": lambda p: nn.Mish(),
    "hardsigmoid": lambda p: nn.Hardsigmoid(),
    "hardswish": lambda p: nn.Hardswish(),
    "softsign": lambda p: nn.Softsign(),
}


class ActivationModule(nn.Module):
    """Apply a registry activation (from-scratch forward, hand-written backward) as an nn.Module."""

    def __init__(self, name, **params):
        super().__init__()
        self.act = get(name, **params)

    def forward(self, x):
        return self.act(x)

    def extra_repr(self):
        return repr(self.act)


class PReLU(nn.Module):
    """Parametric ReLU (He et al. 2015): max(0, x) + a * min(0, x) with a learned, per-channel a."""

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        if not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"invalid num_parameters={num_parameters!r}; it must be a positive integer")
        self.num_parameters = num_parameters
        self.weight = nn.Parameter(torch.full((num_parameters,), float(init)))

    def forward(self, x):
        a = self.weight
        if self.num_parameters > 1:  # one slope per channel, channels on dim 1 as in nn.PReLU
            shape = [1] * x.dim()
            shape[1] = self.num_parameters
            a = a.view(shape)
        return torch.where(x > 0, x, a * x)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Swish(nn.Module):
    """Swish-β (Ramachandran et al. 2017): x * sigmoid(β x); β is learned when learnable=True."""

    def __init__(self, beta=1.0, learnable=False):
        super().__init__()
        beta = torch.tensor(float(beta))
        if learnable:
            self.beta = nn.Parameter(beta)
        else:
            self.register_buffer("beta", beta)

    def forward(self, x):
        return x * fn.sigmoid(self.beta * x)

    def extra_repr(self):
        return f"beta={float(self.beta):g}, learnable={isinstance(self.beta, nn.Parameter)}"


def make(name, **params):
    """Return a fresh nn.Module for the activation name: PyTorch's built-in where one exists, else ours."""
    if name == "prelu":
        return PReLU(**params)
    act = get(name, **params)  # validates name and parameters
    if name == "swish":
        return Swish(**act.params)
    if name in _BUILTIN:
        return _BUILTIN[name](act.params)
    return ActivationModule(name, **act.params)


def module_names():
    """Return every name make() accepts: the registry's plus 'prelu'."""
    return sorted(list_activations() + ["prelu"])
