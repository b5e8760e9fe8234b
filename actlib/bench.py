"""Timing helpers: repeated runs with warm-up, median and spread, and ratios measured in the same run."""

import statistics
import time
from dataclasses import dataclass

import torch


@dataclass
class Timing:
    """Wall-clock seconds of repeated calls: median, interquartile range, all samples."""

    median: float
    iqr: float
    samples: list

    def __repr__(self):
        return f"Timing(median={self.median * 1e3:.3f} ms, iqr={self.iqr * 1e3:.3f} ms, n={len(self.samples)})"


def _sync(device):
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def timeit(fn, repeats=7, warmup=2, device=None, min_time=0.0):
    """Return a Timing of fn() over `repeats` runs after `warmup` untimed runs (synchronising CUDA if given)."""
    if repeats < 1:
        raise ValueError(f"invalid repeats={repeats!r}; it must be >= 1")
    for _ in range(warmup):
        fn()
    _sync(device)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        samples.append(time.perf_counter() - t0)
    q = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return Timing(statistics.median(samples), q[2] - q[0], samples)


def training_speedup(n_models=8, epochs=3, hidden=100, batch_size=128, device="cpu", progress=False):
    """Return (seconds_loop, seconds_vectorised): K MNIST-1D MLPs trained one after another vs all at once."""
    from .data import mnist1d
    from .train import mlp, train, train_many

    data = mnist1d(device)

    def make():
        return mlp([40, hidden, hidden, 10], "relu")

    t0 = time.perf_counter()
    for s in range(n_models):
        torch.manual_seed(s)
        train(make().to(device), data, epochs=epochs, batch_size=batch_size, seed=s, progress=progress)
    _sync(device)
    t_loop = time.perf_counter() - t0
    t0 = time.perf_counter()
    train_many(make, range(n_models), data, epochs=epochs, batch_size=batch_size, device=device, progress=progress)
    _sync(device)
    return t_loop, time.perf_counter() - t0


if __name__ == "__main__":  # python -m actlib.bench
    import argparse

    from .env import pick_device

    ap = argparse.ArgumentParser(description="Measure how much faster train_many is than a Python loop over models.")
    ap.add_argument("--models", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--device", default=None)
    args = ap.parse_args()
    dev = pick_device(args.device)
    loop, vec = training_speedup(args.models, args.epochs, device=dev)
    print(f"{args.models} MLPs x {args.epochs} epochs on MNIST-1D ({dev}, {torch.get_num_threads()} threads): "
          f"loop {loop:.2f} s, vectorised {vec:.2f} s, speed-up {loop / vec:.1f}x")
