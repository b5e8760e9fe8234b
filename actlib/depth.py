"""Deep networks at initialisation: deep MLPs with a chosen init, per-layer gradient norms over seeds, random matrix products."""

import math
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from . import initialisation
from .diagnostics import gradient_norms
from .train import mlp

INITS = ("default", "lecun", "xavier", "he")


def _check_init(init):
    if isinstance(init, str):
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITS)}, or a positive number (a gain)")
        return init
    if isinstance(init, numbers.Real) and not isinstance(init, bool) and math.isfinite(init) and init > 0:
        return float(init)
    raise ValueError(f"invalid init={init!r}; choose one of: {', '.join(INITS)}, or a positive number (a gain)")


def init_weights_(model, init="default"):
    """Re-initialise every nn.Linear of model in place and return the model.

    'default' is PyTorch's own nn.Linear init (weights and biases uniform on +-1/sqrt(n_in), so Var[w] = 1/(3 n_in));
    'lecun' (Var[w] = 1/n_in), 'xavier' (2/(n_in + n_out)) and 'he' (2/n_in) draw Gaussian weights and zero biases;
    a positive number g draws Gaussian weights with Var[w] = g^2/n_in and zero biases (LeCun scaled by g).
    """
    init = _check_init(init)
    if init == "default":
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.reset_parameters()
        return model
    if isinstance(init, float):
        return initialisation.init_weights_(model, "lecun", gain=init)
    return initialisation.init_weights_(model, init)


def deep_mlp(activation, depth, width, n_in, n_out, init="default", seed=None, **params):
    """Return an nn.Sequential of `depth` Linear layers (n_in -> width -> ... -> width -> n_out), the activation between them.

    With a seed, the weights are drawn from a private generator state (the global RNG is left as it was), on the CPU,
    so the same seed gives the same network on every device.
    """
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 2:
        raise ValueError(f"invalid depth={depth!r}; it must be an integer >= 2 (the number of Linear layers)")
    for label, v in (("width", width), ("n_in", n_in), ("n_out", n_out)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"invalid {label}={v!r}; it must be a positive integer")
    _check_init(init)
    sizes = [n_in] + [width] * (depth - 1) + [n_out]
    if seed is None:
        return init_weights_(mlp(sizes, activation, **params), init)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return init_weights_(mlp(sizes, activation, **params), init)


WRT = ("weight", "pre_activation")


def gradient_norms_over_seeds(activation, x, y, seeds, depth=40, width=64, n_out=None, init="default",
                              wrt="weight", loss_fn=F.cross_entropy, **params):
    """Return a (depth, len(seeds)) tensor of per-layer gradient norms (input side first), one column per seed.

    wrt='weight' gives ||dL/dW|| of each Linear layer (from diagnostics.gradient_norms); wrt='pre_activation' gives
    ||dL/dz|| of each Linear layer's output over the batch (from backward_norms). One fresh deep_mlp per seed, built on
    the CPU and moved to x's device and dtype; the loss is loss_fn(model(x), y). n_out defaults to the number of
    classes, int(y.max()) + 1, for integer labels and to y's last size otherwise.
    """
    if wrt not in WRT:
        raise ValueError(f"unknown wrt={wrt!r}; choose one of: {', '.join(WRT)}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty; give at least one seed, e.g. range(5)")
    if n_out is None:
        n_out = int(y.max()) + 1 if not y.is_floating_point() else (1 if y.dim() == 1 else y.shape[-1])
    cols = []
    for s in seeds:
        model = deep_mlp(activation, depth, width, x.shape[-1], n_out, init=init, seed=s, **params)
        model = model.to(device=x.device, dtype=x.dtype)
        if wrt == "weight":
            cols.append(torch.tensor([v for _, v in gradient_norms(model, x, y, loss_fn)], dtype=torch.float64))
        else:
            cols.append(backward_norms(model, x, y, loss_fn)[0])
    return torch.stack(cols, dim=1)


def backward_norms(model, x, y, loss_fn=F.cross_entropy):
    """Return (dz, da): the norms of dL/dz for each Linear layer's output z and of dL/da for each activation's output a.

    The model must be an nn.Sequential of alternating Linear and activation modules (Linear first and last), as built
    by deep_mlp; dz has one entry per Linear layer, da one per activation, both in forward order. Norms are taken over
    the whole batch. The model's parameter gradients are left untouched.
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"expected an nn.Sequential, got {type(model).__name__}")
    kinds = [isinstance(m, nn.Linear) for m in model]
    if len(kinds) < 3 or kinds[::2] != [True] * len(kinds[::2]) or any(kinds[1::2]) or len(kinds) % 2 == 0:
        raise ValueError("expected an nn.Sequential of alternating Linear and activation modules, Linear first and "
                         "last, e.g. deep_mlp('tanh', depth=10, width=32, n_in=40, n_out=10)")
    outs = []
    h = x
    for m in model:
        h = m(h)
        outs.append(h)
    loss = loss_fn(h, y)
    grads = torch.autograd.grad(loss, outs)
    norms = torch.stack([g.detach().double().norm() for g in grads]).cpu()
    return norms[0::2], norms[1::2]


def product_log_norms(scale, depth, n, trials=200, seed=0, dtype=torch.float64, device="cpu"):
    """Return a (depth + 1, trials) tensor of log ||W_l ... W_1 u|| for l = 0..depth.

    Each W_l is a fresh n x n matrix with independent N(0, scale^2 / n) entries and u is a fixed unit vector; each
    trial draws its own matrices. The vector is renormalised after every layer and its log-norm accumulated, so any
    depth and scale work without overflow or underflow.
    """
    if not (isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"invalid scale={scale!r}; it must be a positive finite number")
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
        w = torch.randn(trials, n, n, generator=g, dtype=dtype).to(device) * (scale / math.sqrt(n))
        v = w @ v
        r = v.norm(dim=(1, 2))
        v = v / r[:, None, None]
        log_norm = log_norm + torch.log(r).double().cpu()
        rows.append(log_norm.clone())
    return torch.stack(rows)


def lyapunov_exponent(scale, n):
    """Return the exact per-layer drift of E log ||W_l ... W_1 u|| for N(0, scale^2/n) entries: log scale + (psi(n/2) - log(n/2)) / 2."""
    if not (isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"invalid scale={scale!r}; it must be a positive finite number")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"invalid n={n!r}; it must be a positive integer")
    half = torch.tensor(n / 2.0, dtype=torch.float64)
    return math.log(scale) + 0.5 * float(torch.special.digamma(half) - torch.log(half))


def lyapunov_variance(n):
    """Return the per-layer variance of log ||W_l ... W_1 u|| for Gaussian n x n matrices: psi'(n/2) / 4 (any scale)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"invalid n={n!r}; it must be a positive integer")
    return 0.25 * float(torch.special.polygamma(1, torch.tensor(n / 2.0, dtype=torch.float64)))
