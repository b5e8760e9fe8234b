"""One call at the top of every notebook: seeds, device, threads and figure style."""

import os
import random

import numpy as np
import torch


def pick_device(prefer=None):
    """Return the best available torch.device: CUDA, then Apple MPS, then CPU (or `prefer` if given)."""
    if prefer is not None:
        return torch.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed=0):
    """Seed Python's, NumPy's and torch's generators (all devices); return the seed."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds CUDA and MPS generators
    return seed


def default_threads():
    """Return the thread count used by setup(): ACTLIB_THREADS if set, else the cores available, at most 4."""
    if "ACTLIB_THREADS" in os.environ:
        return max(1, int(os.environ["ACTLIB_THREADS"]))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def setup(seed=0, device=None, threads=None, style=True, quiet=False):
    """Seed everything, pick the device and thread count, set the figure style; print one line and return the device."""
    seed_everything(seed)
    dev = pick_device(device)
    n = default_threads() if threads is None else int(threads)
    torch.set_num_threads(n)
    if style:
        from .plotting import use_style

        use_style()
    if not quiet:
        name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type
        print(f"actlib {__import__('actlib').__version__} · torch {torch.__version__} · device {name} · "
              f"{n} CPU thread{'s' if n > 1 else ''} · seed {seed}")
    return dev
