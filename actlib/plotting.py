"""The book's figure style, one fixed colour per activation, and the common plots.

Figures are laid out for the book's column: at most ``FIGURE_MAX_WIDTH_IN`` inches
wide and grids of at most ``MAX_COLUMNS`` columns, so that a page still reads on a
phone, where the column is narrower than the figure and the figure is scaled down.
"""

import zlib

import torch

from .env import FIGURE_MAX_WIDTH_IN, use_style  # noqa: F401  (use_style: re-exported)
from .registry import get

# Colour-blind-safe palettes: Okabe & Ito (2008), Paul Tol's "muted" and "bright" sets.
_FIXED = {
    "relu": "#0072B2",
    "leaky_relu": "#56B4E9",
    "prelu": "#332288",
    "elu": "#009E73",
    "selu": "#117733",
    "celu": "#44AA99",
    "gelu": "#D55E00",
    "silu": "#CC79A7",
    "swish": "#CC79A7",
    "mish": "#E69F00",  # SiLU is Swish with beta = 1: one colour
    "tanh": "#882255",
    "sigmoid": "#999933",
    "softplus": "#88CCEE",
    "softsign": "#DDCC77",
    "hardsigmoid": "#BBBBBB",
    "hardswish": "#EE6677",
    "relu6": "#4477AA",
    "identity": "#000000",
    "step": "#666666",
}
_SPARE = ["#228833", "#CCBB44", "#66CCEE", "#AA3377", "#4477AA", "#EE6677"]

# A grid wider than this is unreadable once the book's column is scaled to a phone.
MAX_COLUMNS = 3


def color(name):
    """Return the activation's fixed colour (a stable spare one for other names)."""
    base = name.split("(")[0]
    if base in _FIXED:
        return _FIXED[base]
    return _SPARE[zlib.crc32(base.encode()) % len(_SPARE)]


def plot_function(ax, act, x=None, derivative=True, label=None):
    """Draw f (solid) and, if asked, f' (dashed) of an Activation on ax; return ax."""
    x = torch.linspace(-5, 5, 1001, dtype=torch.float64) if x is None else x
    c = color(act.name)
    ax.plot(x, act(x), color=c, label=label or act.label)
    if derivative:
        ax.plot(
            x,
            act.derivative(x),
            color=c,
            linestyle="--",
            linewidth=1.4,
            label=f"{label or act.label}′",
        )
    ax.axhline(0, color="k", linewidth=0.6)
    ax.axvline(0, color="k", linewidth=0.6)
    return ax


def function_grid(acts, ncols=MAX_COLUMNS, x=None, panel_height=2.4):
    """Return a figure with one panel per Activation: f solid, f' dashed, name on top.

    The figure is ``FIGURE_MAX_WIDTH_IN`` wide with ``ncols`` (at most
    ``MAX_COLUMNS``) panels per row and ``panel_height`` inches per row; titles and
    tick labels are drawn larger than the book's default, so that the panels stay
    legible when a phone scales the figure down to its screen.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if not 1 <= ncols <= MAX_COLUMNS:
        raise ValueError(
            f"ncols={ncols!r} is out of range; choose 1 to {MAX_COLUMNS} columns "
            "(wider grids are unreadable on a phone)"
        )
    nrows = -(-len(acts) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(FIGURE_MAX_WIDTH_IN, panel_height * nrows),
        sharex=True,
        squeeze=False,
    )
    for ax, act in zip(axes.flat, acts):
        plot_function(ax, act, x=x)
        ax.set_title(act.label, fontsize=14)
        ax.set_ylim(-2.2, 3.2)
        ax.tick_params(labelsize=12)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_locator(MaxNLocator(5))
    for ax in list(axes.flat)[len(acts) :]:
        ax.set_visible(False)
    for col in range(ncols):  # the lowest visible panel of each column gets the label
        shown = [ax for ax in axes[:, col] if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel("x", fontsize=13)
            shown[-1].xaxis.set_tick_params(labelbottom=True)
    handles = [
        plt.Line2D([], [], color="0.3", label="f(x)"),
        plt.Line2D([], [], color="0.3", linestyle="--", linewidth=1.4, label="f′(x)"),
    ]
    fig.legend(
        handles=handles, loc="outside upper right", ncols=2, frameon=False, fontsize=13
    )
    return fig


def layer_histograms(stats, kind="activation", bins=60, title=None, range_=None):
    """Return a figure with one histogram per layer, the saturation % in its label.

    ``stats`` is the list of LayerStats that ``diagnostics.record`` returns.
    """
    import matplotlib.pyplot as plt

    if kind not in ("activation", "gradient"):
        raise ValueError(f"unknown kind {kind!r}; choose one of: activation, gradient")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    cmap = plt.get_cmap("viridis")
    for i, s in enumerate(stats):
        sample = s.sample if kind == "activation" else s.grad_sample
        if sample is None:
            raise ValueError(
                "these stats have no gradients; "
                "call diagnostics.record with y and loss_fn"
            )
        hist = (
            torch.histogram(sample.double(), bins=bins, range=range_)
            if range_
            else torch.histogram(sample.double(), bins=bins)
        )
        centres = 0.5 * (hist.bin_edges[1:] + hist.bin_edges[:-1])
        dens = hist.hist / hist.hist.sum()
        label = (
            f"layer {i + 1}: std {s.std if kind == 'activation' else s.grad_std:.2g}"
        )
        if kind == "activation":
            label += f", sat. {s.saturated_pct:.0f}%"
        ax.plot(
            centres,
            dens,
            color=cmap(i / max(1, len(stats) - 1)),
            linewidth=1.5,
            label=label,
        )
    ax.set_xlabel(
        "activation value"
        if kind == "activation"
        else "gradient of loss w.r.t. activation"
    )
    ax.set_ylabel("fraction of entries")
    ax.legend(loc="upper right", fontsize=9)
    if title:
        ax.set_title(title)
    return fig


def mean_band(ax, x, runs, name=None, label=None, color_=None):
    """Plot the mean over runs with a band of ±1 standard error; return ax.

    ``runs`` is a (steps, runs) tensor: one column per run.
    """
    runs = torch.as_tensor(runs, dtype=torch.float64)
    m = runs.mean(1)
    se = (
        runs.std(1) / runs.shape[1] ** 0.5 if runs.shape[1] > 1 else torch.zeros_like(m)
    )
    c = color_ if color_ is not None else (color(name) if name else None)
    ax.plot(x, m, color=c, label=label or name)
    ax.fill_between(x, m - se, m + se, color=c, alpha=0.2, linewidth=0)
    return ax


def explorer_panels(axes, act, input_std=1.0, n_samples=20_000, seed=0, x_range=5.0):
    """Draw the explorer's three panels on axes: f, f' and a histogram of f(z).

    z is drawn from N(0, input_std²); the histogram's title gives the mean and
    standard deviation of f(z) on a second line, so that it fits a narrow panel.
    """
    x = torch.linspace(-x_range, x_range, 801, dtype=torch.float64)
    c = color(act.name)
    ax_f, ax_d, ax_h = axes
    for ax in axes:
        ax.clear()
    ax_f.plot(x, act(x), color=c)
    ax_f.set_title(f"{act.label}: f(x)")
    ax_d.plot(x, act.derivative(x), color=c, linestyle="--")
    ax_d.set_title("f′(x)")
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="k", linewidth=0.6)
        ax.axvline(0, color="k", linewidth=0.6)
        ax.set_xlabel("x")
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n_samples, generator=g, dtype=torch.float64) * input_std
    y = act(z)
    ax_h.hist(y.numpy(), bins=80, color=c, alpha=0.8, density=True)
    ax_h.axvline(float(y.mean()), color="k", linewidth=1.2, linestyle=":")
    ax_h.set_title(
        f"f(z), z ~ N(0, {input_std:.3g}²)\n"
        f"mean {float(y.mean()):.2f}, std {float(y.std()):.2f}"
    )
    ax_h.set_xlabel("output value")
    ax_h.set_ylabel("density")
    return axes


def explorer_figure(settings, input_std=1.0):
    """Return a static figure: one explorer row (f, f', histogram of f(z)) per setting.

    ``settings`` is a list of (name, params) pairs; the figure is
    ``FIGURE_MAX_WIDTH_IN`` wide, three panels per row.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(settings),
        MAX_COLUMNS,
        figsize=(FIGURE_MAX_WIDTH_IN, 2.9 * len(settings)),
        squeeze=False,
    )
    for row, (name, params) in zip(axes, settings):
        explorer_panels(row, get(name, **params), input_std=input_std)
    return fig
