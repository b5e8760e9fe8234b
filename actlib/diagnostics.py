"""Forward/backward hooks that record per-layer statistics of a model.

The statistics are those of the activations and of the gradients.
"""

from dataclasses import dataclass

import torch
from torch import nn

from . import validate
from .learnable import Rational, Spline
from .modules import PReLU, Swish
from .numerics import local_slope
from .registry import ActivationModule

# nn modules that apply an elementwise activation (hooks go on these).
ACTIVATION_TYPES = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Softsign,
    nn.Hardsigmoid,
    nn.Hardswish,
    nn.Hardtanh,
    nn.Tanhshrink,
    ActivationModule,
    PReLU,
    Swish,
    Rational,
    Spline,
)  # not learnable.Mixture: the activations inside it are hooked already


@dataclass
class LayerStats:
    """Statistics of one activation layer for one batch (percentages are 0-100)."""

    name: str
    mean: float
    std: float
    saturated_pct: (
        float  # entries where |f'(pre-activation)| < sat_threshold * max slope
    )
    dead_pct: float  # units whose f'(pre-activation) is 0 for every sample in the batch
    sample: torch.Tensor  # up to max_sample output values, for histograms
    grad_mean: float = None
    grad_std: float = None
    grad_sample: torch.Tensor = None


def _max_slope(module, device, dtype):
    grid = torch.linspace(-10, 10, 4001, device=device, dtype=dtype)
    return float(local_slope(module, grid).abs().max())


def activation_layers(model):
    """Return [(name, module)] of the elementwise activation modules in the model.

    They are in forward order of definition.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")
    return [(n, m) for n, m in model.named_modules() if isinstance(m, ACTIVATION_TYPES)]


def _require_layers(model):
    layers = activation_layers(model)
    if not layers:
        raise ValueError(
            f"no activation modules found in the model ({type(model).__name__}); "
            "diagnostics hook modules such as nn.ReLU, nn.Tanh or "
            "actlib.modules.ActivationModule, not functional calls"
        )
    return layers


def record(model, x, y=None, loss_fn=None, sat_threshold=0.05, max_sample=20_000):
    """Run one batch through the model and return a list of LayerStats.

    One per activation layer.

    If y and loss_fn are given, a backward pass also records the gradient of the loss
    with respect to each layer's output (grad_mean, grad_std, grad_sample). The model's
    parameter gradients are left untouched. A module instance used at several places in
    the forward pass is recorded at its last use.
    """
    layers = _require_layers(model)
    if (y is None) != (loss_fn is None):
        raise ValueError("give both y and loss_fn to record gradients, or neither")
    captured = {}
    handles = []

    def fwd_hook(name):
        def hook(module, inputs, output):
            captured[name] = {
                "module": module,
                "pre": inputs[0].detach(),
                "out": output,
            }

        return hook

    for name, m in layers:
        handles.append(m.register_forward_hook(fwd_hook(name)))
    try:
        if loss_fn is None:
            with torch.no_grad():
                model(x)
        else:
            loss = loss_fn(model(x), y)
            names = [n for n, c in captured.items() if c["out"].requires_grad]
            grads = torch.autograd.grad(
                loss, [captured[n]["out"] for n in names], allow_unused=True
            )
            for n, g in zip(names, grads):
                captured[n]["grad"] = None if g is None else g.detach()
    finally:
        for h in handles:
            h.remove()

    stats = []
    for name, _ in layers:
        if name not in captured:
            continue
        c = captured[name]
        out = c["out"].detach().float()
        slope = local_slope(c["module"], c["pre"]).abs().float()
        top = _max_slope(c["module"], c["pre"].device, c["pre"].dtype)
        flat_slope = (
            slope.reshape(slope.shape[0], -1)
            if slope.dim() > 1
            else slope.reshape(-1, 1)
        )
        dead = (flat_slope == 0).all(dim=0).float().mean()
        g = c.get("grad")
        stats.append(
            LayerStats(
                name=name,
                mean=float(out.mean()),
                std=float(out.std()),
                saturated_pct=100 * float((slope < sat_threshold * top).float().mean()),
                dead_pct=100 * float(dead),
                sample=out.flatten()[:max_sample].cpu(),
                grad_mean=None if g is None else float(g.float().mean()),
                grad_std=None if g is None else float(g.float().std()),
                grad_sample=None
                if g is None
                else g.float().flatten()[:max_sample].cpu(),
            )
        )
    return stats


def inactive_fraction(model, x, active, batch_size=4096):
    """Return, per activation layer, the fraction of units never active on x.

    That is the fraction of units for which active(module, z) is False on every row of
    x.

    z is the layer's input (the pre-activation) for one batch; active returns a boolean
    tensor of z's shape.
    """
    ever = {}
    handles = []
    busy = set()  # active() may call the module again; its own hook must not recurse

    def hook(name):
        def fn(module, inputs, output):
            if name in busy:
                return
            busy.add(name)
            try:
                a = active(module, inputs[0].detach())
            finally:
                busy.discard(name)
            a = a.reshape(a.shape[0], -1).any(dim=0)
            ever[name] = a if name not in ever else ever[name] | a

        return fn

    batch_size = validate.count("batch_size", batch_size)
    for name, m in _require_layers(model):
        handles.append(m.register_forward_hook(hook(name)))
    try:
        with torch.no_grad():
            for s in range(0, len(x), batch_size):
                model(x[s : s + batch_size])
    finally:
        for h in handles:
            h.remove()
    return {name: 1.0 - float(a.float().mean()) for name, a in ever.items()}


def dead_fraction(model, x, batch_size=4096):
    """Return, per activation layer, the fraction of inactive units.

    A unit counts when it is inactive (f' = 0) on every row of x.
    """
    return inactive_fraction(
        model, x, lambda module, z: local_slope(module, z) != 0, batch_size
    )


def gradient_norms(model, x, y, loss_fn):
    """Return the gradient norm of the loss for each Linear/Conv layer's weight.

    The result is a list of (name, norm), in order.
    """
    model.zero_grad(set_to_none=True)
    loss_fn(model(x), y).backward()
    # float64 norm: squaring tiny float32 gradients (deep sigmoid nets) would underflow
    # to an exact 0.
    out = [
        (n, float(p.grad.double().norm()))
        for n, p in model.named_parameters()
        if n.endswith("weight") and p.grad is not None and p.dim() > 1
    ]
    model.zero_grad(set_to_none=True)
    return out
