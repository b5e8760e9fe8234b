"""Initialisation theory: Gaussian moments of activations, gains, and more.

Gaussian moments of activations, gains, the variance map, SELU's fixed point.

The weight-init schemes themselves (init_weights_, weight_std) are in actlib.nets.

Conventions (chapter 2.3): a layer computes z = W a + b with zero-mean i.i.d. weights of
variance Var(w) = gain**2 * c / n, where c / n is the scheme's rule (LeCun 1 / n_in,
Xavier 2 / (n_in + n_out), He 2 / n_in). For z ~ N(0, q) the next layer's pre-activation
variance is then n_in Var(w) E[f(z)^2].
"""

import functools
import math

import torch
from scipy.optimize import root
from torch import nn

from .diagnostics import activation_layers
from .numerics import gaussian_expectation, local_slope
from .registry import Activation, get

GAIN_KINDS = ("forward", "backward")


def _as_function(f, derivative=False):
    """Return (callable, kinks) for an activation.

    The callable is f (or f') as a float64 tensor -> tensor function; kinks are where f
    has kinks.
    """
    if isinstance(f, str):
        f = get(f)
    if isinstance(f, Activation):
        return (f.derivative if derivative else f.forward_only), tuple(
            float(k) for k in f.kinks
        )
    if not callable(f):
        raise TypeError(
            "expected an activation name, an actlib Activation or a callable, "
            f"got {type(f).__name__}"
        )
    if not derivative:
        return f, ()
    return functools.partial(local_slope, f), ()


def _check_var(var):
    if (
        not isinstance(var, (int, float))
        or isinstance(var, bool)
        or not math.isfinite(var)
        or var < 0
    ):
        raise ValueError(f"invalid var={var!r}; it must be a finite number >= 0")


def gaussian_moment(f, power=2, mean=0.0, var=1.0, derivative=False):
    """Return E[f(Z)**power] for Z ~ N(mean, var), by quadrature.

    With derivative=True, return E[f'(Z)**power].
    """
    _check_var(var)
    fn, kinks = _as_function(f, derivative)
    return gaussian_expectation(
        lambda z: fn(z) ** power, mean=float(mean), var=float(var), kinks=kinks
    )


def gain(f, kind="forward"):
    """Return the gain g that keeps the forward or backward signal's scale.

    g**2 E[f(Z)^2] = 1 ('forward') or g**2 E[f'(Z)^2] = 1 ('backward'), Z ~ N(0, 1).
    """
    if kind not in GAIN_KINDS:
        raise ValueError(
            f"unknown kind {kind!r}; choose one of: {', '.join(GAIN_KINDS)}"
        )
    m2 = gaussian_moment(f, 2, derivative=(kind == "backward"))
    if not m2 > 0:
        raise ValueError(
            f"E[{'f′' if kind == 'backward' else 'f'}(Z)^2] = {m2} for {f!r}; no "
            "finite gain exists"
        )
    return 1.0 / math.sqrt(m2)


def variance_map(f, q, gain=1.0, bias_var=0.0):
    """Return the next layer's pre-activation variance.

    It is gain**2 E[f(Z)^2] + bias_var for Z ~ N(0, q).
    """
    _check_var(q)
    return gain**2 * gaussian_moment(f, 2, var=float(q)) + bias_var


def variance_trajectory(f, depth, gain=1.0, q0=1.0, bias_var=0.0):
    """Return the predicted pre-activation variance at layers 1..depth.

    The result is a float64 tensor, starting from q0.
    """
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"invalid depth={depth!r}; it must be a positive integer")
    qs = [float(q0)]
    while len(qs) < depth:
        q = (
            variance_map(f, qs[-1], gain, bias_var)
            if math.isfinite(qs[-1])
            else math.inf
        )
        qs.append(q if math.isfinite(q) else math.inf)
    return torch.tensor(qs, dtype=torch.float64)


def fixed_point(f, gain=1.0, q0=1.0, bias_var=0.0, tol=1e-12, max_iter=10_000):
    """Return the variance q* = variance_map(q*) reached by iterating from q0.

    Raises RuntimeError if it does not settle.
    """
    q = float(q0)
    for _ in range(max_iter):
        nxt = variance_map(f, q, gain, bias_var)
        if not math.isfinite(nxt):
            break
        if abs(nxt - q) <= tol * max(1.0, q):
            return nxt
        q = nxt
    raise RuntimeError(
        f"the variance map of {f!r} with gain={gain} did not settle from q0={q0} "
        f"in {max_iter} steps (last q = {q:.3g}); it has no attracting non-zero "
        "fixed point there"
    )


def selu_constants(var=1.0):
    """Return (alpha, lambda) with E[selu(Z)] = 0 and Var[selu(Z)] = var.

    Z ~ N(0, var); the pair is solved numerically.
    """
    _check_var(var)
    if var == 0:
        raise ValueError("invalid var=0; the fixed point needs a positive variance")

    def equations(p):
        alpha, lam = p
        elu = get("elu", alpha=float(alpha))
        m1 = gaussian_moment(elu, 1, var=var)
        m2 = gaussian_moment(elu, 2, var=var)
        return [
            lam * m1,
            lam**2 * m2 - var,
        ]  # mean 0; second moment (= variance when the mean is 0) = var

    sol = root(equations, x0=[1.0, 1.0], method="hybr", options={"xtol": 1e-12})
    if max(abs(r) for r in equations(sol.x)) > 1e-10:
        raise RuntimeError(
            f"the SELU fixed-point equations did not converge for var={var}: "
            f"{sol.message}"
        )
    alpha, lam = (float(v) for v in sol.x)
    return alpha, abs(lam)


MOMENT_KINDS = ("preactivation", "activation")


@torch.no_grad()
def layer_moments(model, x, kind="preactivation"):
    """Return a (layers, 2) float64 tensor.

    Mean and variance of every nn.Linear output (or activation output) for x.
    """
    if kind not in MOMENT_KINDS:
        raise ValueError(
            f"unknown kind {kind!r}; choose one of: {', '.join(MOMENT_KINDS)}"
        )
    if kind == "preactivation":
        modules = [m for m in model.modules() if isinstance(m, nn.Linear)]
    else:
        modules = [m for _, m in activation_layers(model)]
    if not modules:
        raise ValueError(
            "the model has no "
            f"{'nn.Linear' if kind == 'preactivation' else 'activation'} layers "
            "to measure"
        )
    rows = {}

    def hook(module, inputs, output):
        z = output.detach().double()
        rows[module] = (
            float(z.mean()),
            float(z.var()),
        )  # a module used twice is recorded at its last use

    handles = [m.register_forward_hook(hook) for m in modules]
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    return torch.tensor([rows[m] for m in modules if m in rows], dtype=torch.float64)
