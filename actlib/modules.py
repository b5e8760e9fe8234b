"""nn.Module wrappers for the registry's activations.

Any registry activation as a module, a fast built-in lookup, and learnable PReLU /
Swish-β.
"""

import torch
from torch import nn

from . import functions as fn
from . import validate
from .registry import ActivationModule, get, list_activations

# PyTorch's own module for each registry name (fast fused kernels, used when training
# networks).
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


class PReLU(nn.Module):
    """Parametric ReLU (He et al. 2015).

    max(0, x) + a * min(0, x) with a learned, per-channel a.
    """

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.num_parameters = validate.count("num_parameters", num_parameters)
        init = validate.real("init", init)
        self.weight = nn.Parameter(torch.full((num_parameters,), init))

    def forward(self, x):
        a = self.weight
        if (
            self.num_parameters > 1
        ):  # one slope per channel, channels on dim 1 as in nn.PReLU
            if x.dim() < 2 or x.shape[1] != self.num_parameters:
                raise ValueError(
                    f"PReLU({self.num_parameters}) has one slope per channel and "
                    "reads channels on dim 1, so it needs an input of shape "
                    f"(batch, {self.num_parameters}, ...); got shape "
                    f"{tuple(x.shape)}. Use PReLU(1) for one shared slope."
                )
            shape = [1] * x.dim()
            shape[1] = self.num_parameters
            a = a.view(shape)
        return torch.where(x > 0, x, a * x)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Swish(nn.Module):
    """Swish-β (Ramachandran et al. 2017): x * sigmoid(β x).

    β is learned when learnable=True, else a buffer.
    """

    def __init__(self, beta=1.0, learnable=False):
        super().__init__()
        beta = torch.tensor(validate.real("beta", beta))
        if not isinstance(learnable, bool):
            raise TypeError(
                f"invalid learnable={learnable!r}; it must be True or False"
            )
        if learnable:
            self.beta = nn.Parameter(beta)
        else:
            self.register_buffer("beta", beta)

    def forward(self, x):
        return fn.swish(x, self.beta)

    def extra_repr(self):
        return (
            f"beta={float(self.beta):g}, "
            f"learnable={isinstance(self.beta, nn.Parameter)}"
        )


def make(name, **params):
    """Return a fresh nn.Module for the activation name.

    PyTorch's built-in where one exists, else ours.
    """
    if name == "prelu":
        unknown = sorted(set(params) - {"num_parameters", "init"})
        if unknown:
            raise ValueError(
                f"unknown parameter {unknown[0]!r} for 'prelu'; valid parameters: "
                "init, num_parameters"
            )
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
