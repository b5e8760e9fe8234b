"""Initialisation theory: Gaussian moments of activations, gains, the variance map, SELU's fixed point, weight init.

Conventions (chapter 2.3): a layer computes z = W a + b with zero-mean i.i.d. weights of variance
Var(w) = gain**2 * c / n, where c / n is the scheme's rule (LeCun 1 / n_in, Xavier 2 / (n_in + n_out),
He 2 / n_in). For z ~ N(0, q) the next layer's pre-activation variance is then n_in Var(w) E[f(z)^2].
"""

import functools
import math

import torch
from torch import nn

SCHEMES = ("standard", "lecun", "xavier", "he")
DISTRIBUTIONS = ("normal", "uniform")
GAIN_KINDS = ("forward", "backward")

_STEP = 1e-3  # quadrature step, in units of the standard deviation
_RANGE = 12.0  # integrate over mean +- 12 standard deviations


@functools.lru_cache(maxsize=256)
def _nodes(breaks):
    """Return (t, w): nodes and weights of composite Simpson rules for E[g(T)], T ~ N(0, 1), split at breaks.

    Each piece between breakpoints is integrated on its own, with its end nodes nudged inside by 1e-12, so a
    kink or a jump of the integrand at a breakpoint (ReLU's f' at 0) costs no accuracy.
    """
    edges = [-_RANGE] + [b for b in breaks if -_RANGE < b < _RANGE] + [_RANGE]
    ts, ws = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        n = max(2, 2 * math.ceil((b - a) / (2 * _STEP)))  # an even number of intervals
        t = torch.linspace(a, b, n + 1, dtype=torch.float64)
        t[0], t[-1] = a + 1e-12, b - 1e-12
        w = torch.ones_like(t)
        w[1:-1:2], w[2:-1:2] = 4.0, 2.0
        ts.append(t)
        ws.append(w * (b - a) / (3 * n))
    t = torch.cat(ts)
    return t, torch.cat(ws) * torch.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)


def _as_function(f, derivative=False):
    """Return (callable, kinks): f (or f') as a float64 tensor -> tensor function, and where f has kinks."""
    from .registry import Activation, get

    if isinstance(f, str):
        f = get(f)
    if isinstance(f, Activation):
        return (f.derivative if derivative else f.forward_only), tuple(float(k) for k in f.kinks)
    if not callable(f):
        raise TypeError(f"expected an activation name, an actlib Activation or a callable, got {type(f).__name__}")
    if not derivative:
        return f, ()
    from .diagnostics import local_slope

    return functools.partial(local_slope, f), ()


def _check_var(var):
    if not isinstance(var, (int, float)) or isinstance(var, bool) or not math.isfinite(var) or var < 0:
        raise ValueError(f"invalid var={var!r}; it must be a finite number >= 0")


def gaussian_moment(f, power=2, mean=0.0, var=1.0, derivative=False):
    """Return E[f(Z)**power] (or E[f'(Z)**power] if derivative=True) for Z ~ N(mean, var), by quadrature."""
    _check_var(var)
    fn, kinks = _as_function(f, derivative)
    if var == 0:
        return float(fn(torch.tensor([float(mean)], dtype=torch.float64))[0] ** power)
    sd = math.sqrt(var)
    t, w = _nodes(tuple(sorted({0.0} | {(k - mean) / sd for k in kinks})))
    return float((fn(mean + sd * t) ** power * w).sum())


def gain(f, kind="forward"):
    """Return the gain g with g**2 E[f(Z)^2] = 1 ('forward') or g**2 E[f'(Z)^2] = 1 ('backward'), Z ~ N(0, 1)."""
    if kind not in GAIN_KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of: {', '.join(GAIN_KINDS)}")
    m2 = gaussian_moment(f, 2, derivative=(kind == "backward"))
    if not m2 > 0:
        raise ValueError(f"E[{'f′' if kind == 'backward' else 'f'}(Z)^2] = {m2} for {f!r}; no finite gain exists")
    return 1.0 / math.sqrt(m2)


def variance_map(f, q, gain=1.0, bias_var=0.0):
    """Return the next layer's pre-activation variance gain**2 E[f(Z)^2] + bias_var for Z ~ N(0, q)."""
    _check_var(q)
    return gain ** 2 * gaussian_moment(f, 2, var=float(q)) + bias_var


def variance_trajectory(f, depth, gain=1.0, q0=1.0, bias_var=0.0):
    """Return a float64 tensor of the predicted pre-activation variance at layers 1..depth, starting from q0."""
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"invalid depth={depth!r}; it must be a positive integer")
    qs = [float(q0)]
    while len(qs) < depth:
        q = variance_map(f, qs[-1], gain, bias_var) if math.isfinite(qs[-1]) else math.inf
        qs.append(q if math.isfinite(q) else math.inf)
    return torch.tensor(qs, dtype=torch.float64)


def fixed_point(f, gain=1.0, q0=1.0, bias_var=0.0, tol=1e-12, max_iter=10_000):
    """Return the variance q* = variance_map(q*) reached by iterating from q0 (RuntimeError if it does not settle)."""
    q = float(q0)
    for _ in range(max_iter):
        nxt = variance_map(f, q, gain, bias_var)
        if not math.isfinite(nxt):
            break
        if abs(nxt - q) <= tol * max(1.0, q):
            return nxt
        q = nxt
    raise RuntimeError(f"the variance map of {f!r} with gain={gain} did not settle from q0={q0} in {max_iter} steps "
                       f"(last q = {q:.3g}); it has no attracting non-zero fixed point there")


def selu_constants(var=1.0):
    """Return (alpha, lambda) with E[selu(Z)] = 0 and Var[selu(Z)] = var for Z ~ N(0, var), solved numerically."""
    _check_var(var)
    if var == 0:
        raise ValueError("invalid var=0; the fixed point needs a positive variance")
    from scipy.optimize import root

    from .registry import get

    def equations(p):
        alpha, lam = p
        elu = get("elu", alpha=float(alpha))
        m1 = gaussian_moment(elu, 1, var=var)
        m2 = gaussian_moment(elu, 2, var=var)
        return [lam * m1, lam ** 2 * m2 - var]  # mean 0; second moment (= variance when the mean is 0) = var

    sol = root(equations, x0=[1.0, 1.0], method="hybr", options={"xtol": 1e-12})
    if max(abs(r) for r in equations(sol.x)) > 1e-10:
        raise RuntimeError(f"the SELU fixed-point equations did not converge for var={var}: {sol.message}")
    alpha, lam = (float(v) for v in sol.x)
    return alpha, abs(lam)


def weight_std(scheme, n_in, n_out, gain=1.0):
    """Return the weight standard deviation of an init scheme: standard, lecun, xavier or he (times gain)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of: {', '.join(SCHEMES)}")
    for name, n in (("n_in", n_in), ("n_out", n_out)):
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"invalid {name}={n!r}; it must be a positive integer")
    var = {"standard": 1.0 / (3 * n_in),  # U[-1/sqrt(n_in), 1/sqrt(n_in)], Glorot & Bengio's "standard" init
           "lecun": 1.0 / n_in, "xavier": 2.0 / (n_in + n_out), "he": 2.0 / n_in}[scheme]
    return gain * math.sqrt(var)


@torch.no_grad()
def init_weights_(model, scheme, gain=1.0, distribution="normal"):
    """Re-initialise every nn.Linear of model in place (weights by scheme, biases 0); return the model."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}; choose one of: {', '.join(DISTRIBUTIONS)}")
    if scheme == "standard" and distribution == "normal":
        distribution = "uniform"  # the standard heuristic is defined as a uniform distribution
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("the model has no nn.Linear layers to initialise")
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


MOMENT_KINDS = ("preactivation", "activation")


@torch.no_grad()
def layer_moments(model, x, kind="preactivation"):
    """Return a (layers, 2) float64 tensor: mean and variance of every nn.Linear output (or activation output) for x."""
    if kind not in MOMENT_KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of: {', '.join(MOMENT_KINDS)}")
    if kind == "preactivation":
        modules = [m for m in model.modules() if isinstance(m, nn.Linear)]
    else:
        from .diagnostics import activation_layers

        modules = [m for _, m in activation_layers(model)]
    if not modules:
        raise ValueError(f"the model has no {'nn.Linear' if kind == 'preactivation' else 'activation'} layers to measure")
    rows = {}

    def hook(module, inputs, output):
        z = output.detach().double()
        rows[module] = (float(z.mean()), float(z.var()))  # a module used twice is recorded at its last use

    handles = [m.register_forward_hook(hook) for m in modules]
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    return torch.tensor([rows[m] for m in modules if m in rows], dtype=torch.float64)
