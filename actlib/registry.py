"""Name -> activation: ``get("gelu")``, ``list_activations()``, and properties.

The properties are computed from each function.
"""

import functools
import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import functions as fn
from .numerics import gaussian_expectation

# Learnable activations live in actlib.modules (they hold parameters); get() points
# there.
_LEARNABLE = {
    "prelu": (
        "actlib.modules.PReLU(num_parameters, init) or actlib.modules.make('prelu')"
    )
}


def _positive(v):
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and math.isfinite(v)
        and v > 0
    )


def _finite_real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class Param:
    """One parameter of an activation.

    Its default, a validity check, and what valid means in words.
    """

    default: object
    check: object
    valid: str


@dataclass(frozen=True)
class Spec:
    """Everything the registry knows about one activation."""

    name: str
    forward: object
    derivative: object
    latex: str
    reference: object  # PyTorch's own implementation, (x, **params) -> tensor
    params: dict = field(default_factory=dict)
    # points where f is not differentiable; callable(params) or tuple
    kinks: object = ()
    title: str = ""


_SPECS = {}


def _register(spec):
    _SPECS[spec.name] = spec
    return spec


def _heaviside(x):
    return torch.heaviside(x, torch.zeros((), dtype=x.dtype))


_register(
    Spec(
        "identity",
        fn.identity,
        fn.d_identity,
        r"f(x) = x",
        lambda x: x.clone(),
        title="Identity",
    )
)
_register(
    Spec(
        "step",
        fn.step,
        fn.d_step,
        r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        _heaviside,
        kinks=(0.0,),
        title="Heaviside step",
    )
)
_register(
    Spec(
        "sigmoid",
        fn.sigmoid,
        fn.d_sigmoid,
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        torch.sigmoid,
        title="Sigmoid",
    )
)
_register(
    Spec(
        "tanh",
        fn.tanh,
        fn.d_tanh,
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        torch.tanh,
        title="Tanh",
    )
)
_register(
    Spec(
        "relu",
        fn.relu,
        fn.d_relu,
        r"f(x) = \max(0, x)",
        F.relu,
        kinks=(0.0,),
        title="ReLU",
    )
)
_register(
    Spec(
        "relu6",
        fn.relu6,
        fn.d_relu6,
        r"f(x) = \min(\max(0, x), 6)",
        F.relu6,
        kinks=(0.0, 6.0),
        title="ReLU6",
    )
)
_register(
    Spec(
        "leaky_relu",
        fn.leaky_relu,
        fn.d_leaky_relu,
        r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
        lambda x, negative_slope: F.leaky_relu(x, negative_slope),
        params={"negative_slope": Param(0.01, _finite_real, "a finite number")},
        kinks=(0.0,),
        title="Leaky ReLU",
    )
)
_register(
    Spec(
        "elu",
        fn.elu,
        fn.d_elu,
        r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
        lambda x, alpha: F.elu(x, alpha),
        params={"alpha": Param(1.0, _finite_real, "a finite number")},
        kinks=lambda p: () if p["alpha"] == 1.0 else (0.0,),
        title="ELU",
    )
)
_register(
    Spec(
        "selu",
        fn.selu,
        fn.d_selu,
        (
            r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 "
            r"\end{cases}"
        ),
        F.selu,
        kinks=(0.0,),
        title="SELU",
    )
)
_register(
    Spec(
        "celu",
        fn.celu,
        fn.d_celu,
        r"f(x) = \max(0, x) + \min\left(0, \alpha (e^{x/\alpha} - 1)\right)",
        lambda x, alpha: F.celu(x, alpha),
        params={"alpha": Param(1.0, _positive, "a positive finite number")},
        title="CELU",
    )
)
_register(
    Spec(
        "softplus",
        fn.softplus,
        fn.d_softplus,
        r"f(x) = \frac{1}{\beta} \log\left(1 + e^{\beta x}\right)",
        lambda x, beta, threshold: F.softplus(x, beta, threshold),
        params={
            "beta": Param(1.0, _positive, "a positive finite number"),
            "threshold": Param(20.0, _positive, "a positive finite number"),
        },
        title="Softplus",
    )
)
_register(
    Spec(
        "gelu",
        fn.gelu,
        fn.d_gelu,
        (
            r"f(x) = x \, \Phi(x) = \frac{x}{2}\left(1 + "
            r"\operatorname{erf}(x/\sqrt{2})\right)"
        ),
        lambda x, approximate: F.gelu(x, approximate=approximate),
        params={
            "approximate": Param(
                "none", lambda v: v in ("none", "tanh"), "'none' or 'tanh'"
            )
        },
        title="GELU",
    )
)
_register(
    Spec(
        "silu",
        fn.silu,
        fn.d_silu,
        r"f(x) = x \, \sigma(x)",
        F.silu,
        title="SiLU (Swish-1)",
    )
)
_register(
    Spec(
        "swish",
        fn.swish,
        fn.d_swish,
        r"f(x) = x \, \sigma(\beta x)",
        lambda x, beta: x * torch.sigmoid(beta * x) if beta != 0 else 0.5 * x,
        params={"beta": Param(1.0, _finite_real, "a finite number")},
        title="Swish-β",
    )
)
_register(
    Spec(
        "mish",
        fn.mish,
        fn.d_mish,
        r"f(x) = x \tanh\left(\log(1 + e^{x})\right)",
        F.mish,
        title="Mish",
    )
)
_register(
    Spec(
        "hardsigmoid",
        fn.hardsigmoid,
        fn.d_hardsigmoid,
        r"f(x) = \min\left(\max\left(0, \frac{x}{6} + \frac{1}{2}\right), 1\right)",
        F.hardsigmoid,
        kinks=(-3.0, 3.0),
        title="Hard sigmoid",
    )
)
_register(
    Spec(
        "hardswish",
        fn.hardswish,
        fn.d_hardswish,
        r"f(x) = x \, \frac{\min(\max(0, x + 3), 6)}{6}",
        F.hardswish,
        kinks=(-3.0, 3.0),
        title="Hard swish",
    )
)
_register(
    Spec(
        "softsign",
        fn.softsign,
        fn.d_softsign,
        r"f(x) = \frac{x}{1 + |x|}",
        F.softsign,
        title="Softsign",
    )
)


_BUILT_IN = frozenset(_SPECS)  # the book's own; register() adds to _SPECS, never these


def register(
    name,
    forward,
    derivative,
    reference=None,
    latex="",
    params=None,
    kinks=(),
    title="",
    replace=False,
):
    """Add an activation to the registry, so that get(), list_activations(), mlp(),
    modules.make() and the plots accept its name; return its Activation.

    forward(x, **params) and derivative(x, **params) are elementwise torch functions;
    params maps each parameter name to its default (numbers). reference defaults to
    forward. Before anything is registered the hand-written derivative is compared
    with autograd of forward (float64, x in [-6, 6], away from the kinks), so a wrong
    derivative is refused with the largest error.
    """
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        raise ValueError(
            f"name must be a lower-case Python identifier like 'my_act', got {name!r}"
        )
    if name in _BUILT_IN or name in _LEARNABLE:
        raise ValueError(
            f"{name!r} is one of the book's activations; choose a new name"
        )
    if name in _SPECS and not replace:
        raise ValueError(
            f"{name!r} is registered already; pass replace=True to replace it, or "
            f"unregister({name!r}) first"
        )
    for what, f in (("forward", forward), ("derivative", derivative)):
        if not callable(f):
            raise TypeError(f"{what} must be a function of a tensor, got {f!r}")
    params = dict(params or {})
    for pname, default in params.items():
        if not _finite_real(default):
            raise ValueError(
                f"parameter {pname!r} of {name!r} needs a finite number as its "
                f"default, got {default!r}"
            )
    spec = Spec(
        name,
        forward,
        derivative,
        latex or rf"f(x) = \mathrm{{{name}}}(x)".replace("_", r"\_"),
        reference if reference is not None else forward,
        {k: Param(v, _finite_real, "a finite number") for k, v in params.items()},
        kinks,
        title or name,
    )
    x = torch.linspace(-6.0, 6.0, 1201, dtype=torch.float64)
    points = kinks(params) if callable(kinks) else kinks
    for k in points:
        x = x[(x - float(k)).abs() > 1e-3]
    x.requires_grad_(True)
    y = forward(x, **params)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        raise ValueError(f"forward of {name!r} must return a tensor shaped like x")
    (auto,) = torch.autograd.grad(y.sum(), x)
    x = x.detach()
    gap = (derivative(x, **params) - auto).abs()
    err = float(gap.max())
    if not err <= 1e-6:
        where = float(x[gap.argmax()])
        raise ValueError(
            f"the derivative of {name!r} disagrees with autograd of its forward by "
            f"{err:.3g} (at x = {where:.3g}); check the formula"
        )
    _SPECS[name] = spec
    _properties.cache_clear()
    return Activation(name)


def unregister(name):
    """Remove an activation that register() added (the book's own stay)."""
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is one of the book's activations; it stays")
    if name not in _SPECS:
        raise ValueError(f"{name!r} is not registered")
    del _SPECS[name]
    _properties.cache_clear()


def list_activations():
    """Return the sorted names of all registered elementwise activations."""
    return sorted(_SPECS)


def _spec(name):
    if isinstance(name, str) and name in _LEARNABLE:
        raise ValueError(
            f"{name!r} is a learnable activation (its parameter is trained), so "
            f"it is a module, not a fixed function: use {_LEARNABLE[name]}"
        )
    if not isinstance(name, str) or name not in _SPECS:
        raise ValueError(
            f"unknown activation {name!r}; choose one of: "
            f"{', '.join(list_activations())}"
        )
    return _SPECS[name]


def _resolve_params(spec, params):
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        valid = ", ".join(sorted(spec.params)) or "none (it takes no parameters)"
        raise ValueError(
            f"unknown parameter {unknown[0]!r} for activation {spec.name!r}; "
            f"valid parameters: {valid}"
        )
    resolved = {}
    for pname, p in spec.params.items():
        value = params.get(pname, p.default)
        if not p.check(value):
            raise ValueError(
                f"invalid {pname}={value!r} for activation {spec.name!r}; it must "
                f"be {p.valid}"
            )
        resolved[pname] = value
    return resolved


class _HandWritten(torch.autograd.Function):
    """Autograd function whose backward is the registry's hand-written derivative."""

    @staticmethod
    def forward(ctx, x, act):
        ctx.save_for_backward(x)
        ctx.act = act
        return act.forward_only(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * ctx.act.derivative(x), None


class Activation:
    """An elementwise activation with fixed parameters.

    Call it, take its derivative, read its properties.
    """

    def __init__(self, name, **params):
        spec = _spec(name)
        self._spec = spec
        self.name = spec.name
        self.params = _resolve_params(spec, params)
        self.latex = spec.latex
        self.title = spec.title or spec.name

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"

    @property
    def label(self):
        """Return a short label for legends, e.g. 'leaky_relu(0.1)' or 'gelu'."""
        shown = [
            repr(v) if isinstance(v, str) else f"{v:g}"
            for k, v in self.params.items()
            if v != self._spec.params[k].default
        ]
        return f"{self.name}({', '.join(shown)})" if shown else self.name

    def forward_only(self, x):
        """Return f(x) without building an autograd graph through the formula."""
        return self._spec.forward(x, **self.params)

    def __call__(self, x):
        """Return f(x); gradients flow through the hand-written derivative."""
        if torch.is_grad_enabled() and isinstance(x, torch.Tensor) and x.requires_grad:
            return _HandWritten.apply(x, self)
        return self.forward_only(x)

    def derivative(self, x):
        """Return f'(x) elementwise, from the hand-written formula."""
        return self._spec.derivative(x, **self.params)

    def reference(self, x):
        """Return PyTorch's own implementation of the same function applied to x."""
        return self._spec.reference(x, **self.params)

    @property
    def kinks(self):
        """Return the points where f is not differentiable.

        The derivative there is a convention.
        """
        k = self._spec.kinks
        return tuple(k(self.params) if callable(k) else k)

    def module(self):
        """Return an nn.Module applying this activation.

        The module uses the hand-written backward.
        """
        return ActivationModule(self.name, **self.params)

    def properties(self):
        """Return a dict of properties measured from the function.

        Range, monotone, zero-centred, smooth, saturating, max slope.
        """
        return _properties(self.name, tuple(sorted(self.params.items())))


def get(name, **params):
    """Return the Activation called name, with the given parameters.

    Unknown names raise ValueError.
    """
    return Activation(name, **params)


class ActivationModule(nn.Module):
    """Apply a registry activation as an nn.Module.

    It uses the from-scratch forward and the hand-written backward.
    """

    def __init__(self, name, **params):
        super().__init__()
        self.act = get(name, **params)

    def forward(self, x):
        return self.act(x)

    def extra_repr(self):
        return repr(self.act)


# ------------------------------------------------------------------ measured properties

_GRID = torch.linspace(-30.0, 30.0, 600_001, dtype=torch.float64)  # step 1e-4
_FAR = 1e4


@functools.lru_cache(maxsize=None)
def _properties(name, params_items):
    act = Activation(name, **dict(params_items))
    x = _GRID
    y = act.forward_only(x)
    d = act.derivative(x)

    far = torch.tensor([-_FAR, _FAR], dtype=torch.float64)
    y_far = act.forward_only(far)
    d_far = act.derivative(far)

    def end_value(v_far, v_edge):
        # Unbounded on that side when f keeps growing between |x| = 30 and |x| = 1e4.
        v_far, v_edge = float(v_far), float(v_edge)
        if abs(v_far) > 1.0 and abs(v_far) > 10 * abs(v_edge):
            return math.copysign(math.inf, v_far)
        return v_far

    # Bounded ends are read much farther out, where slowly saturating functions
    # (softsign) have arrived.
    y_limit = act.forward_only(torch.tensor([-1e15, 1e15], dtype=torch.float64))
    ends = [end_value(y_far[0], y[0]), end_value(y_far[1], y[-1])]
    ends = [e if math.isinf(e) else float(v) for e, v in zip(ends, y_limit)]
    low = min([float(y.min())] + ends)
    high = max([float(y.max())] + ends)

    jumps = (y[1:] - y[:-1]).abs()
    continuous = bool(jumps.max() < 1e-2)
    d_jumps = (d[1:] - d[:-1]).abs()
    smooth = continuous and bool(d_jumps.max() < 1e-2)
    max_slope = float(d.abs().max()) if continuous else math.inf

    monotone = bool((y[1:] - y[:-1] >= -1e-12).all())
    mean = gaussian_expectation(
        act.forward_only, kinks=act.kinks
    )  # E[f(Z)], Z ~ N(0, 1), split at the kinks
    sat_left = bool(abs(float(d_far[0])) < 1e-6)
    sat_right = bool(abs(float(d_far[1])) < 1e-6)
    saturating = {
        (True, True): "both sides",
        (True, False): "negative side",
        (False, True): "positive side",
        (False, False): "no",
    }[(sat_left, sat_right)]
    argmin = int(torch.argmin(y))
    return {
        "range": (low, high),
        "monotone": monotone,
        "mean_at_N01": mean,
        "zero_centred": abs(mean) < 0.05,
        "continuous": continuous,
        "smooth": smooth,
        "saturating": saturating,
        "max_slope": max_slope,
        "minimum": (float(x[argmin]), float(y[argmin]))
        if 0 < argmin < len(x) - 1
        else None,
    }
