"""Deep networks at initialisation.

Per-layer gradient norms over seeds, backward norms, random matrix products.
"""

import math
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from . import validate
from .diagnostics import gradient_norms
from .nets import mlp


WRT = ("weight", "pre_activation")


def gradient_norms_over_seeds(
    activation,
    x,
    y,
    seeds,
    depth=40,
    width=64,
    n_out=None,
    init="pytorch",
    wrt="weight",
    loss_fn=F.cross_entropy,
    **params,
):
    """Return a (depth, len(seeds)) tensor of per-layer gradient norms.

    The input side comes first, with one column per seed.

    wrt='weight' gives ||dL/dW|| of each Linear layer (from diagnostics.gradient_norms);
    wrt='pre_activation' gives ||dL/dz|| of each Linear layer's output over the batch
    (from backward_norms). One fresh MLP of `depth` Linear layers (nets.mlp with the
    given init: a scheme name or a positive gain) per seed, built on the CPU and moved
    to x's device and dtype; the loss is loss_fn(model(x), y). n_out defaults to the
    number of classes, int(y.max()) + 1, for integer labels and to y's last size
    otherwise.
    """
    if wrt not in WRT:
        raise ValueError(f"unknown wrt={wrt!r}; choose one of: {', '.join(WRT)}")
    seeds = validate.seeds(seeds)
    depth = validate.count("depth", depth, minimum=2)
    if n_out is None:
        n_out = (
            int(y.max()) + 1
            if not y.is_floating_point()
            else (1 if y.dim() == 1 else y.shape[-1])
        )
    cols = []
    for s in seeds:
        sizes = [x.shape[-1]] + [width] * (depth - 1) + [n_out]
        model = mlp(sizes, activation, init=init, seed=s, **params)
        model = model.to(device=x.device, dtype=x.dtype)
        if wrt == "weight":
            cols.append(
                torch.tensor(
                    [v for _, v in gradient_norms(model, x, y, loss_fn)],
                    dtype=torch.float64,
                )
            )
        else:
            cols.append(backward_norms(model, x, y, loss_fn)[0])
    return torch.stack(cols, dim=1)


def backward_norms(model, x, y, loss_fn=F.cross_entropy):
    """Return (dz, da): the norms of dL/dz and dL/da.

    z is each Linear layer's output and a each activation's output.

    The model must be an nn.Sequential of alternating Linear and activation modules
    (Linear first and last), as built by nets.mlp; dz has one entry per Linear layer, da
    one per activation, both in forward order. Norms are taken over the whole batch. The
    model's parameter gradients are left untouched.
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"expected an nn.Sequential, got {type(model).__name__}")
    kinds = [isinstance(m, nn.Linear) for m in model]
    if (
        len(kinds) < 3
        or kinds[::2] != [True] * len(kinds[::2])
        or any(kinds[1::2])
        or len(kinds) % 2 == 0
    ):
        raise ValueError(
            "expected an nn.Sequential of alternating Linear and activation "
            "modules, Linear first and last, e.g. nets.mlp([40] + [32] * 9 + "
            "[10], 'tanh')"
        )
    outs = []
    h = x
    for m in model:
        h = m(h)
        outs.append(h)
    loss = loss_fn(h, y)
    grads = torch.autograd.grad(loss, outs)
    norms = torch.stack([g.detach().double().norm() for g in grads]).cpu()
    return norms[0::2], norms[1::2]


def product_log_norms(
    scale, depth, n, trials=200, seed=0, dtype=torch.float64, device="cpu"
):
    """Return a (depth + 1, trials) tensor of log ||W_l ... W_1 u|| for l = 0..depth.

    Each W_l is a fresh n x n matrix with independent N(0, scale^2 / n) entries and u is
    a fixed unit vector; each trial draws its own matrices. The vector is renormalised
    after every layer and its log-norm accumulated, so any depth and scale work without
    overflow or underflow.
    """
    if not (isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0):
        raise ValueError(
            f"invalid scale={scale!r}; it must be a positive finite number"
        )
    for label, v in (("depth", depth), ("n", n), ("trials", trials)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"invalid {label}={v!r}; it must be a positive integer")
    g = torch.Generator().manual_seed(seed)
    v = torch.zeros(trials, n, 1, dtype=dtype)
    v[:, 0] = 1.0
    v = v.to(device)
    log_norm = torch.zeros(trials, dtype=torch.float64)
    rows = [log_norm.clone()]
    for _ in range(depth):
        w = torch.randn(trials, n, n, generator=g, dtype=dtype).to(device) * (
            scale / math.sqrt(n)
        )
        v = w @ v
        r = v.norm(dim=(1, 2))
        v = v / r[:, None, None]
        log_norm = log_norm + torch.log(r).double().cpu()
        rows.append(log_norm.clone())
    return torch.stack(rows)


def lyapunov_exponent(scale, n):
    """Return the exact per-layer drift of E log ||W_l ... W_1 u||.

    For N(0, scale^2/n) entries it is log scale + (psi(n/2) - log(n/2)) / 2.
    """
    if not (isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0):
        raise ValueError(
            f"invalid scale={scale!r}; it must be a positive finite number"
        )
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"invalid n={n!r}; it must be a positive integer")
    half = torch.tensor(n / 2.0, dtype=torch.float64)
    return math.log(scale) + 0.5 * float(torch.special.digamma(half) - torch.log(half))


def lyapunov_variance(n):
    """Return the per-layer variance of log ||W_l ... W_1 u|| for Gaussian matrices.

    The matrices are n x n; the variance is psi'(n/2) / 4 (any scale).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"invalid n={n!r}; it must be a positive integer")
    return 0.25 * float(
        torch.special.polygamma(1, torch.tensor(n / 2.0, dtype=torch.float64))
    )
