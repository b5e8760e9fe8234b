"""Learnable activations with more than one parameter.

A rational (Padé) activation, a KAN-style piecewise-linear spline on a fixed grid, and
a softmax-weighted mixture of fixed activations. PReLU and Swish-β are in modules.py.
"""

import functools

import torch
from torch import nn

from . import validate
from .modules import make
from .registry import get

TARGETS = ("leaky_relu", "relu", "gelu", "silu", "tanh", "identity")


def _target(name):
    """Return the registry activation a learnable one is initialised to."""
    validate.choice("init", name, TARGETS)
    if name == "leaky_relu":
        return get("leaky_relu", negative_slope=0.01)
    return get(name)


def rational(x, a, b):
    """Return the safe Padé activation P(x) / (1 + |Q(x) - 1|).

    P(x) = a0 + a1 x + ... + am x^m and Q(x) - 1 = b1 x + ... + bn x^n.
    """
    num = a[-1] * torch.ones_like(x)
    for c in reversed(a[:-1].unbind(0)):  # Horner's rule
        num = torch.addcmul(c, num, x)
    den = b[-1] * x
    for c in reversed(b[:-1].unbind(0)):
        den = (den + c) * x
    return num / (1 + den.abs())


@functools.cache
def _fit_rational(init, m, n, span):
    """Return least-squares coefficients (a, b) of a safe rational fit to init.

    The fit is on [-span, span]: the polynomial fit (b = 0) refined by L-BFGS, in
    float64, deterministic.
    """
    x = torch.linspace(-span, span, 2001, dtype=torch.float64)
    y = _target(init)(x)
    vander = torch.stack([x**j for j in range(m + 1)], 1)
    a0 = torch.linalg.lstsq(vander, y[:, None]).solution[:, 0]
    a = a0.clone().requires_grad_(True)
    # b starts small, not 0: at b = 0 the gradient of |.| is 0 and b would not move
    b = torch.full((n,), 1e-3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [a, b], lr=1, max_iter=500, tolerance_grad=1e-12, line_search_fn="strong_wolfe"
    )

    def closure():
        opt.zero_grad()
        loss = (rational(x, a, b) - y).pow(2).mean()
        loss.backward()
        return loss

    opt.step(closure)
    return tuple(a.detach().tolist()), tuple(b.detach().tolist())


class Rational(nn.Module):
    """Padé activation unit (Molina et al. 2020), safe form, one set per layer.

    f(x) = (a0 + ... + am x^m) / (1 + |b1 x + ... + bn x^n|), initialised to the
    least-squares fit of `init` on [-span, span].
    """

    def __init__(self, m=5, n=4, init="leaky_relu", span=3.0):
        super().__init__()
        self.m = validate.count("m", m)
        self.n = validate.count("n", n)
        self.init = validate.choice("init", init, TARGETS)
        span = validate.real("span", span, low=0, low_open=True)
        a, b = _fit_rational(init, self.m, self.n, float(span))
        self.a = nn.Parameter(torch.tensor(a, dtype=torch.get_default_dtype()))
        self.b = nn.Parameter(torch.tensor(b, dtype=torch.get_default_dtype()))

    def forward(self, x):
        return rational(x, self.a, self.b)

    def extra_repr(self):
        return f"m={self.m}, n={self.n}, init={self.init!r}"


def piecewise_linear(x, values, span):
    """Return the piecewise-linear curve through `values` at evenly spaced knots.

    The knots are len(values[-1]) points on [-span, span]; outside, the end segments
    continue as straight lines. values is (knots,), or (channels, knots) for one curve
    per channel on x's last dim.
    """
    g = values.shape[-1] - 1
    u = (x + span) * (g / (2 * span))
    i = u.detach().floor().clamp(0, g - 1)
    frac = u - i  # not clamped: outside the grid the end segment continues
    i = i.long()
    if values.dim() == 1:
        lo, hi = values[i], values[i + 1]
    else:
        ch = torch.arange(values.shape[0], device=x.device).expand_as(i)
        lo, hi = values[ch, i], values[ch, i + 1]
    return lo + frac * (hi - lo)


class Spline(nn.Module):
    """KAN-style learnable piecewise-linear activation on a fixed grid.

    Values at grid_size + 1 evenly spaced knots on [-span, span] are the parameters
    (one curve per layer, or one per channel on the last dim); between knots it
    interpolates linearly, outside it extends the end segments as straight lines.
    learnable=False keeps the values in a buffer (a fixed, e.g. meta-learned, curve).
    """

    def __init__(
        self, grid_size=12, span=3.0, init="relu", num_channels=1, learnable=True
    ):
        super().__init__()
        self.grid_size = validate.count("grid_size", grid_size, minimum=2)
        self.span = float(validate.real("span", span, low=0, low_open=True))
        self.num_channels = validate.count("num_channels", num_channels)
        if not isinstance(learnable, bool):
            raise TypeError(
                f"invalid learnable={learnable!r}; it must be True or False"
            )
        if isinstance(init, torch.Tensor):
            values = init.detach().clone().to(torch.get_default_dtype())
            if values.shape[-1] != self.grid_size + 1:
                raise ValueError(
                    f"init holds {values.shape[-1]} knot values; grid_size="
                    f"{self.grid_size} needs {self.grid_size + 1}"
                )
        else:
            values = _target(init)(self.knots().to(torch.float64)).to(
                torch.get_default_dtype()
            )
        values = values.expand(self.num_channels, -1).clone()
        if self.num_channels == 1:
            values = values[0]
        if learnable:
            self.values = nn.Parameter(values)
        else:
            self.register_buffer("values", values)

    def knots(self):
        """Return the grid_size + 1 knot positions."""
        return torch.linspace(-self.span, self.span, self.grid_size + 1)

    def forward(self, x):
        if self.num_channels > 1 and x.shape[-1] != self.num_channels:
            raise ValueError(
                f"Spline(num_channels={self.num_channels}) reads channels on the "
                f"last dim; got an input of shape {tuple(x.shape)}"
            )
        return piecewise_linear(x, self.values, self.span)

    def extra_repr(self):
        return (
            f"grid_size={self.grid_size}, span={self.span:g}, "
            f"num_channels={self.num_channels}, "
            f"learnable={isinstance(self.values, nn.Parameter)}"
        )


class Mixture(nn.Module):
    """Softmax-weighted sum of fixed registry activations, one weight set per layer.

    f(x) = sum_k softmax(logits)_k f_k(x). learnable=False keeps the logits in a buffer
    (a fixed choice, e.g. one-hot with select()).
    """

    def __init__(self, names=("relu", "tanh", "sigmoid"), logits=None, learnable=True):
        super().__init__()
        if isinstance(names, str) or len(names) < 1:
            raise ValueError(f"names must be a list of activation names, got {names!r}")
        self.names = tuple(names)
        # PyTorch's built-in modules (they work under torch.func.vmap); validates names
        self.fns = nn.ModuleList(make(n) for n in self.names)
        if not isinstance(learnable, bool):
            raise TypeError(
                f"invalid learnable={learnable!r}; it must be True or False"
            )
        logits = (
            torch.zeros(len(names))
            if logits is None
            else torch.as_tensor(logits, dtype=torch.get_default_dtype()).clone()
        )
        if logits.shape != (len(names),):
            raise ValueError(
                f"logits must hold one number per name ({len(names)}), got shape "
                f"{tuple(logits.shape)}"
            )
        if learnable:
            self.logits = nn.Parameter(logits)
        else:
            self.register_buffer("logits", logits)

    def weights(self):
        """Return the mixture weights, softmax(logits)."""
        return torch.softmax(self.logits, 0)

    @torch.no_grad()
    def select(self, name):
        """Make the mixture exactly one of its activations (logits 0 and -inf)."""
        validate.choice("name", name, self.names)
        self.logits.copy_(one_hot_logits(self.names, name))
        return self

    def forward(self, x):
        w = self.weights()
        return sum(w[k] * f(x) for k, f in enumerate(self.fns))

    def extra_repr(self):
        return f"names={self.names}"


def one_hot_logits(names, name):
    """Return logits whose softmax is 1 at `name` and exactly 0 elsewhere."""
    validate.choice("name", name, tuple(names))
    out = torch.full((len(names),), -torch.inf)
    out[list(names).index(name)] = 0.0
    return out


def count_parameters(model):
    """Return the number of trainable parameters of a model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
