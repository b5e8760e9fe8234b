"""One call at the top of every notebook: seeds, device, threads and figure style."""

import os
import random

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from . import validate
from ._version import __version__


def pick_device(prefer=None):
    """Return the best available torch.device: CUDA, then Apple MPS, then CPU.

    `prefer` picks one instead; a preferred device that this machine lacks
    (prefer="cuda" without a GPU) raises ValueError.
    """
    if prefer is not None:
        return validate.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed=0):
    """Seed Python's, NumPy's and torch's generators (all devices); return the seed."""
    seed = validate.count("seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds CUDA and MPS generators
    return seed


def default_threads():
    """Return the thread count setup() uses.

    ACTLIB_THREADS if set, else the cores available, at most 4.
    """
    n = validate.threads_from_env("ACTLIB_THREADS")
    if n is not None:
        return n
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def setup(seed=0, device=None, threads=None, style=True, quiet=False):
    """Seed everything, pick the device and thread count, set the figure style.

    The thread count caps torch and the BLAS/OpenMP pools of NumPy and scikit-learn.

    Prints one line saying what was chosen and returns the device.
    """
    seed_everything(seed)
    dev = pick_device(device)
    n = default_threads() if threads is None else validate.count("threads", threads)
    torch.set_num_threads(n)
    # NumPy's and scikit-learn's BLAS/OpenMP pools too: uncapped they compete with torch
    # (a 2-core machine saw a 0.3 s scikit-learn fit take 21 s)
    threadpool_limits(limits=n)
    if style:
        use_style()
    if not quiet:
        name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type
        print(
            f"actlib {__version__} · torch {torch.__version__} · device {name} · "
            f"{n} CPU thread{'s' if n > 1 else ''} · seed {seed}"
        )
    return dev


# The book's column is about 750 CSS px wide and a figure is drawn at 100 CSS px
# per inch, so a figure at most FIGURE_MAX_WIDTH_IN wide is shown at (nearly) its
# own size and its 11-12 pt text stays 14-16 px tall on a desktop screen.
# tests/test_book.py checks every figure of the built book against it.
FIGURE_MAX_WIDTH_IN = 8.0


def use_style():
    """Set matplotlib's rcParams to the book's style.

    Readable at 100 %: 12 pt text, 11 pt ticks, light grid, no top/right
    spines. In a Jupyter kernel, figures are also sent as "retina" PNGs (twice
    the pixels, shown at the same size), so they stay sharp on high-density
    screens and when a reader zooms in.
    """
    import matplotlib as mpl

    _retina_inline_figures()
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": "figure",
            "figure.autolayout": False,
            "figure.constrained_layout.use": True,
            "font.size": 12,
            "axes.titlesize": 12,
            "axes.labelsize": 12,
            "xtick.labelsize": 11,
            "ytick.labelsize": 11,
            "legend.fontsize": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "lines.linewidth": 2.0,
            "axes.prop_cycle": mpl.cycler(
                color=[
                    "#0072B2",
                    "#D55E00",
                    "#009E73",
                    "#CC79A7",
                    "#E69F00",
                    "#56B4E9",
                    "#882255",
                    "#999933",
                ]
            ),
        }
    )


def _retina_inline_figures():
    """Ask IPython's inline backend for 2x PNGs; nothing outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
