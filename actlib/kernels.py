"""Infinitely wide layers as kernels, and a spiking neuron's firing rate (chapter 5.3).

The kernels are expectations over Gaussian weights w ~ N(0, I) of one hidden unit's
outputs on two inputs, k(x, y) = E[f(w·x) f(w·y)]: in closed form for ReLU
(the arc-cosine kernel of degree 1) and erf, and estimated by a finite layer of
random features for any activation. The neuron is a leaky integrate-and-fire (LIF)
model, simulated with Euler steps for many input currents at once, beside its
closed-form firing rate.
"""

import math

import numpy as np
import torch

_FEATURES = {"relu": torch.relu, "erf": torch.erf, "tanh": torch.tanh}


def _as_rows(x, name):
    x = torch.as_tensor(x, dtype=torch.float64)
    if x.dim() == 1:
        x = x[None]
    if x.dim() != 2:
        raise ValueError(
            f"{name} must be one input or a matrix of rows, got shape {tuple(x.shape)}"
        )
    return x


def arccos_kernel(x, y):
    """Return E[relu(w·x) relu(w·y)] for w ~ N(0, I): a (len(x), len(y)) matrix."""
    x, y = _as_rows(x, "x"), _as_rows(y, "y")
    nx, ny = x.norm(dim=1)[:, None], y.norm(dim=1)[None, :]
    norms = nx * ny
    cos = torch.where(norms > 0, x @ y.T / norms.clamp_min(1e-300), 1.0)
    theta = torch.arccos(cos.clamp(-1.0, 1.0))
    return (
        norms
        * (torch.sin(theta) + (math.pi - theta) * torch.cos(theta))
        / (2 * math.pi)
    )


def erf_kernel(x, y):
    """Return E[erf(w·x) erf(w·y)] for w ~ N(0, I) (Williams 1997, Σ = I)."""
    x, y = _as_rows(x, "x"), _as_rows(y, "y")
    sx = 1 + 2 * (x * x).sum(1)[:, None]
    sy = 1 + 2 * (y * y).sum(1)[None, :]
    return (2 / math.pi) * torch.arcsin(
        (2 * x @ y.T / torch.sqrt(sx * sy)).clamp(-1, 1)
    )


def random_features(x, width, activation="relu", seed=0):
    """Return f(x Wᵀ)/√width, W ~ N(0, I) of shape (width, d), drawn from seed."""
    f = _FEATURES.get(activation, activation)
    if not callable(f):
        names = ", ".join(sorted(_FEATURES))
        raise ValueError(
            f"unknown activation {activation!r}; choose one of: {names}, or a function"
        )
    if isinstance(width, bool) or int(width) != width or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}")
    x = _as_rows(x, "x")
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(int(width), x.shape[1], generator=gen, dtype=torch.float64)
    return f(x @ w.T) / math.sqrt(width)


def _check_lif(tau, v_th, t_ref, r):
    for name, v in (("tau", tau), ("v_th", v_th), ("r", r)):
        if not v > 0:
            raise ValueError(f"{name} must be positive, got {v!r}")
    if not t_ref >= 0:
        raise ValueError(f"t_ref must be 0 or positive, got {t_ref!r}")


def lif_rate(current, tau=0.02, v_th=0.02, t_ref=0.002, r=1.0):
    """Return the LIF rate 1/(t_ref + τ ln(RI/(RI − V_th))); 0 where RI ≤ V_th."""
    _check_lif(tau, v_th, t_ref, r)
    drive = r * torch.as_tensor(current, dtype=torch.float64)
    above = drive > v_th
    safe = torch.where(
        above, drive, 2.0 * v_th
    )  # no log of a negative in either branch
    rate = 1.0 / (t_ref + tau * torch.log(safe / (safe - v_th)))
    return torch.where(above, rate, torch.zeros_like(rate))


def lif_simulate(
    current,
    duration=1.0,
    dt=1e-4,
    tau=0.02,
    v_th=0.02,
    t_ref=0.002,
    r=1.0,
    noise=0.0,
    estimate="count",
    seed=0,
):
    """Return each current's simulated LIF firing rate in Hz (Euler steps of dt).

    τ dV/dt = −V + RI (+ noise of stationary std `noise`); at V ≥ v_th a spike,
    V reset to 0 and held there for t_ref. estimate="count": spikes / duration;
    "period": (spikes − 1) / (last − first spike time), 0 with fewer than 2 spikes.
    """
    _check_lif(tau, v_th, t_ref, r)
    if estimate not in ("count", "period"):
        raise ValueError(f"unknown estimate {estimate!r}; choose one of: count, period")
    if not 0 < dt <= duration:
        raise ValueError(f"dt must be in (0, duration = {duration}], got {dt!r}")
    drive = r * np.asarray(torch.as_tensor(current, dtype=torch.float64))
    v = np.zeros_like(drive)
    hold = np.zeros_like(drive)  # refractory steps left
    count = np.zeros_like(drive)
    first = np.full_like(drive, np.nan)
    last = np.full_like(drive, np.nan)
    hold_steps = round(t_ref / dt)
    a, kick = dt / tau, noise * math.sqrt(2 * dt / tau)
    rng = np.random.default_rng(seed)
    for step in range(1, int(round(duration / dt)) + 1):
        free = hold <= 0
        dv = a * (drive - v)
        if noise:
            dv = dv + kick * rng.standard_normal(v.shape)
        v = np.where(free, v + dv, v)
        hold -= 1
        spike = v >= v_th
        if spike.any():
            t = step * dt
            count += spike
            first = np.where(spike & np.isnan(first), t, first)
            last = np.where(spike, t, last)
            v[spike] = 0.0
            hold[spike] = hold_steps
    if estimate == "count":
        rate = count / duration
    else:
        span = np.where(count >= 2, last - first, 1.0)
        rate = np.where(count >= 2, (count - 1) / span, 0.0)
    return torch.as_tensor(rate, dtype=torch.float64)
