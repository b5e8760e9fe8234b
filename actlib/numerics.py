"""Pure numerical helpers at the bottom of actlib.

The local slope by autograd and Gaussian quadrature.

Neither knows about the registry: both take plain tensor -> tensor functions (and, for
the quadrature, the points where the integrand has kinks), so every layer above can use
them.
"""

import functools
import math

import torch

_STEP = 1e-3  # quadrature step, in units of the standard deviation
_RANGE = 12.0  # integrate over mean +- 12 standard deviations


def local_slope(f, pre):
    """Return f'(pre) elementwise for an elementwise function or module f.

    The slope is computed by autograd (no graph is kept).
    """
    with torch.enable_grad():
        x = pre.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(x).sum(), x)
    return g.detach()


@functools.lru_cache(maxsize=256)
def _nodes(breaks):
    """Return (t, w): nodes and weights of composite Simpson rules for E[g(T)].

    T ~ N(0, 1), split at breaks.

    Each piece between breakpoints is integrated on its own, with its end nodes nudged
    inside by 1e-12, so a kink or a jump of the integrand at a breakpoint (ReLU's f' at
    0) costs no accuracy.
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


def gaussian_expectation(g, mean=0.0, var=1.0, kinks=()):
    """Return E[g(Z)] for Z ~ N(mean, var).

    g a float64 tensor -> tensor function with kinks at `kinks`.

    Composite Simpson over mean +- 12 sd, split at the kinks (mapped to standard units),
    step 1e-3 sd; var = 0 gives g(mean).
    """
    if var == 0:
        return float(g(torch.tensor([float(mean)], dtype=torch.float64))[0])
    sd = math.sqrt(var)
    t, w = _nodes(tuple(sorted({0.0} | {(float(k) - mean) / sd for k in kinks})))
    return float((g(mean + sd * t) * w).sum())
