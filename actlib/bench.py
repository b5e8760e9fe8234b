"""Timing and memory measurement: repeated runs with warm-up, median and spread.

Ratios measured in the same run, memory saved for backward, copy bandwidth, and the five
ways to run an activation that Part 3.4 compares.
"""

import math
import statistics
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .data import mnist1d
from .env import default_threads, pick_device
from .nets import mlp
from .registry import get
from .train import train, train_many

# ------------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """Wall-clock seconds of repeated calls.

    Median, interquartile range, all samples.
    """

    median: float
    iqr: float
    samples: list

    def __repr__(self):
        return (
            f"Timing(median={self.median * 1e3:.3f} ms, iqr={self.iqr * 1e3:.3f} ms, "
            f"n={len(self.samples)})"
        )


def _sync(device):
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize()
    elif device is not None and torch.device(device).type == "mps":
        torch.mps.synchronize()


def _summary(samples):
    """Return a Timing (median, interquartile range) of a list of numbers."""
    q = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return Timing(statistics.median(samples), q[2] - q[0], list(samples))


def timeit(fn, repeats=7, warmup=2, device=None, min_time=0.0):
    """Return a Timing of fn() over `repeats` runs after `warmup` untimed runs.

    CUDA is synchronised if a CUDA device is given.

    With min_time > 0, a call shorter than min_time is repeated enough times per sample
    to last about min_time, and each sample is the time per call.
    """
    if repeats < 1:
        raise ValueError(f"invalid repeats={repeats!r}; it must be >= 1")
    if warmup < 0:
        raise ValueError(f"invalid warmup={warmup!r}; it must be >= 0")
    for _ in range(warmup):
        fn()
    _sync(device)
    number = 1
    if min_time > 0:
        t0 = time.perf_counter()
        fn()
        _sync(device)
        once = max(time.perf_counter() - t0, 1e-9)
        number = max(1, math.ceil(min_time / once))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        _sync(device)
        samples.append((time.perf_counter() - t0) / number)
    return _summary(samples)


@dataclass
class Row:
    """One function of a same-run comparison.

    Its Timing, and its time divided by the baseline's.
    """

    name: str
    timing: Timing
    ratio: float  # median over rounds of (this time / baseline time in the same round)
    ratio_iqr: float
    ratios: list = field(default_factory=list, repr=False)


def compare(
    fns, baseline, repeats=7, warmup=2, device=None, number=1, clock=time.perf_counter
):
    """Return {name: Row}: each function of the dict fns timed round-robin.

    Each Row has its ratio to fns[baseline] per round.

    Every round calls every function (in an order that rotates from round to round), so
    slow drifts of the machine (other programs, clock changes) hit all functions alike;
    a ratio is computed from the baseline's time in the same round, and the median over
    rounds is reported. Each sample runs a function `number` times in a row (for very
    short calls) and records the time per call.
    """
    fns = dict(fns)
    if baseline not in fns:
        raise ValueError(
            f"baseline {baseline!r} is not one of the functions; choose one of: "
            f"{', '.join(fns)}"
        )
    if repeats < 1:
        raise ValueError(f"invalid repeats={repeats!r}; it must be >= 1")
    if warmup < 0:
        raise ValueError(f"invalid warmup={warmup!r}; it must be >= 0")
    if number < 1:
        raise ValueError(f"invalid number={number!r}; it must be >= 1")
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    _sync(device)
    times = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t0 = clock()
            for _ in range(number):
                fns[name]()
            _sync(device)
            times[name].append((clock() - t0) / number)
    rows = {}
    for name in names:
        ratios = [
            t / b if b > 0 else math.inf for t, b in zip(times[name], times[baseline])
        ]
        s = _summary(ratios)
        rows[name] = Row(name, _summary(times[name]), s.median, s.iqr, ratios)
    return rows


# ------------------------------------------------------------------------------- memory


@dataclass
class SavedMemory:
    """Tensors autograd kept for backward.

    Total bytes (each storage counted once), how many, and which were inputs.
    """

    bytes: int
    n_saved: int  # how many times a tensor was saved (several may share a storage)
    n_storages: int  # distinct storages among them
    input_bytes: int  # bytes of those storages that belong to an input (alive anyway)
    dtypes: tuple = ()
    output_bytes: int = (
        0  # bytes of those storages that belong to the output (alive while it is used)
    )

    @property
    def new_bytes(self):
        """Return the bytes kept alive only because of backward.

        Saved storages that are not inputs.
        """
        return self.bytes - self.input_bytes


def _storage_key(t):
    st = t.untyped_storage()
    return (str(t.device), st.data_ptr(), st.nbytes())


def saved_bytes(fn, *inputs):
    """Return a SavedMemory of what autograd saves for backward in fn(*inputs).

    It runs fn(*inputs); storages are counted once.
    """
    if not any(isinstance(t, torch.Tensor) and t.requires_grad for t in inputs):
        raise ValueError(
            "no input requires grad, so autograd saves nothing; pass e.g. "
            "x.requires_grad_()"
        )
    seen = {}
    count = 0

    def pack(t):
        nonlocal count
        count += 1
        seen[_storage_key(t)] = t.dtype
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(
            *inputs
        )  # kept alive until the accounting is done, so no storage is freed and reused
    outs = out if isinstance(out, (tuple, list)) else (out,)
    input_keys = {_storage_key(t) for t in inputs if isinstance(t, torch.Tensor)}
    output_keys = {
        _storage_key(t) for t in outs if isinstance(t, torch.Tensor)
    } - input_keys
    total = sum(k[2] for k in seen)
    from_inputs = sum(k[2] for k in seen if k in input_keys)
    from_outputs = sum(k[2] for k in seen if k in output_keys)
    dtypes = tuple(sorted({str(d).replace("torch.", "") for d in seen.values()}))
    return SavedMemory(total, count, len(seen), from_inputs, dtypes, from_outputs)


def allocated_by(fn, *inputs, device=None):
    """Return the bytes the CUDA allocator holds after fn(*inputs), or None off CUDA.

    The bytes held are the output and the saved tensors.
    """
    if device is None or torch.device(device).type != "cuda":
        return None
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated(device)
    out = fn(*inputs)
    torch.cuda.synchronize()
    held = torch.cuda.memory_allocated(device) - before
    del out
    return held


# ----------------------------------------------------------------------------- roofline


def elementwise_bytes(n, dtype=torch.float32):
    """Return the least memory traffic of an elementwise map over n elements.

    Read n and write n values.
    """
    return 2 * int(n) * torch.empty((), dtype=dtype).element_size()


def copy_bandwidth(n=10**7, device="cpu", dtype=torch.float32, repeats=7, warmup=2):
    """Return (bytes per second, Timing) of x.clone() for n elements.

    Bytes read plus bytes written, per second.
    """
    x = torch.randn(int(n), device=device).to(dtype)
    t = timeit(lambda: x.clone(), repeats=repeats, warmup=warmup, device=device)
    return elementwise_bytes(n, dtype) / t.median, t


# -------------------------------------------------------------------- the five variants

ACTIVATIONS = ("relu", "gelu", "silu", "mish")
VARIANTS = ("built-in", "actlib", "naive", "compiled", "custom")

_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def naive_relu(x):
    """Return max(0, x) written as the formula says, with a tensor of zeros."""
    return torch.maximum(x, torch.zeros_like(x))


def naive_gelu(x):
    """Return x * Phi(x) written as the formula says.

    0.5 * x * (1 + erf(x / sqrt 2)).
    """
    return 0.5 * x * (1.0 + torch.erf(x * _INV_SQRT_2))


def naive_silu(x):
    """Return x * sigmoid(x) written as the formula says."""
    return x * torch.sigmoid(x)


def naive_mish(x):
    """Return x * tanh(softplus(x)) written as the formula says."""
    return x * torch.tanh(F.softplus(x))


NAIVE = {"relu": naive_relu, "gelu": naive_gelu, "silu": naive_silu, "mish": naive_mish}
BUILTIN = {"relu": F.relu, "gelu": F.gelu, "silu": F.silu, "mish": F.mish}


class ReLUSaveMask(torch.autograd.Function):
    """ReLU that saves only the sign of its input for backward.

    The sign is kept as one byte per element (a bool mask).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x > 0)
        return x.clamp(min=0.0)

    @staticmethod
    def backward(ctx, grad_out):
        (mask,) = ctx.saved_tensors
        return grad_out * mask


class GELUSaveInput(torch.autograd.Function):
    """GELU that saves only its input and recomputes Phi(x) and phi(x) in backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * x * (1.0 + torch.erf(x * _INV_SQRT_2))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        cdf = 0.5 * (1.0 + torch.erf(x * _INV_SQRT_2))
        pdf = _INV_SQRT_2PI * torch.exp(-0.5 * x * x)
        return grad_out * (cdf + x * pdf)


class SiLUSaveInput(torch.autograd.Function):
    """SiLU that saves only its input and recomputes sigmoid(x) in backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1.0 + x * (1.0 - s))


class MishSaveInput(torch.autograd.Function):
    """Mish that saves only its input.

    It recomputes tanh(softplus(x)) and sigmoid(x) in backward.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.tanh(F.softplus(x))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        t = torch.tanh(F.softplus(x))
        return grad_out * (t + x * (1.0 - t * t) * torch.sigmoid(x))


CUSTOM = {
    "relu": ReLUSaveMask,
    "gelu": GELUSaveInput,
    "silu": SiLUSaveInput,
    "mish": MishSaveInput,
}


def _check_name(name):
    if name not in BUILTIN:
        raise ValueError(
            f"no benchmark variants for activation {name!r}; choose one of: "
            f"{', '.join(ACTIVATIONS)}"
        )


@dataclass
class Compiled:
    """The result of torch.compile on one function.

    The compiled callable (None if it failed), seconds, the reason.
    """

    fn: object
    seconds: float
    error: str = None


def compile_timed(fn, example, **compile_kwargs):
    """Return a Compiled: torch.compile(fn), built and timed, or why not.

    It is run once forward and backward on example to build it (timed).
    """
    t0 = time.perf_counter()
    try:
        cfn = torch.compile(fn, **compile_kwargs)
        x = example.detach().clone().requires_grad_(True)
        y = cfn(x)
        torch.autograd.grad(y, x, torch.ones_like(y))
        _sync(example.device)
    except (
        Exception
    ) as e:  # no C++ compiler, unsupported Python, ... : report instead of crashing
        first = (str(e).strip().splitlines() or [""])[0][:200]
        return Compiled(None, time.perf_counter() - t0, f"{type(e).__name__}: {first}")
    return Compiled(cfn, time.perf_counter() - t0)


def variants(name, example=None, compile=True):
    """Return ({variant: callable}, Compiled or None) for one activation.

    The variants are built-in, actlib, naive, compiled, custom.

    The compiled variant is torch.compile of the naive composition, built on `example`
    (a tensor of the size that will be timed); it is left out of the dict when
    compile=False or compiling failed.
    """
    _check_name(name)
    fns = {"built-in": BUILTIN[name], "actlib": get(name), "naive": NAIVE[name]}
    info = None
    if compile:
        if example is None:
            raise ValueError(
                "compile=True needs an example tensor of the size to be timed"
            )
        info = compile_timed(NAIVE[name], example, dynamic=False)
        if info.fn is not None:
            fns["compiled"] = info.fn
    fns["custom"] = CUSTOM[name].apply
    return fns, info


# ------------------------------------------------------------------ the whole benchmark


@dataclass
class Result:
    """One activation in one variant.

    Forward and forward+backward Rows, saved memory, fraction of copy bandwidth.
    """

    activation: str
    variant: str
    forward: Row
    forward_backward: Row
    saved: SavedMemory
    # fastest copy / fastest forward, both timed round-robin in the same comparison
    copy_fraction: float


@dataclass
class Benchmark:
    """All Results of benchmark().

    The rows, the copy timing, compile reports, and the size and device used.
    """

    results: list
    copy: Timing
    compiled: dict
    n: int
    device: str

    @property
    def copy_bandwidth(self):
        """Return bytes per second of x.clone() (read + write) in its fastest round.

        This is the machine's best observed copy speed.
        """
        return elementwise_bytes(self.n) / min(self.copy.samples)

    def get(self, activation, variant):
        """Return the Result of one activation in one variant.

        Raises ValueError naming the choices if absent.
        """
        for r in self.results:
            if r.activation == activation and r.variant == variant:
                return r
        have = sorted({(r.activation, r.variant) for r in self.results})
        raise ValueError(
            f"no result for ({activation!r}, {variant!r}); measured: {have}"
        )

    def table(self):
        """Return the results as a text table, one line per activation and variant."""
        head = (
            f"{'activation':<10} {'variant':<9} {'fwd ms':>8} {'fwd+bwd ms':>10} "
            f"{'× built-in':>10} {'(IQR)':>7} {'% copy bw':>9} "
            f"{'saved B/elem':>12}"
        )
        lines = [head, "-" * len(head)]
        for r in self.results:
            lines.append(
                f"{r.activation:<10} {r.variant:<9} "
                f"{r.forward.timing.median * 1e3:>8.2f} "
                f"{r.forward_backward.timing.median * 1e3:>10.2f} "
                f"{r.forward_backward.ratio:>10.2f} "
                f"{r.forward_backward.ratio_iqr:>7.2f} "
                f"{100 * r.copy_fraction:>9.0f} {r.saved.bytes / self.n:>12.2f}"
            )
        return "\n".join(lines)


def benchmark(
    names=ACTIVATIONS,
    n=10**6,
    device="cpu",
    repeats=9,
    warmup=2,
    compile=True,
    progress=False,
    seed=0,
):
    """Return a Benchmark of every variant of each activation on n float32 values.

    It times forward and forward+backward.

    All variants are built (and compiled) first, then each activation's variants and a
    plain copy (x.clone()) are timed round-robin; ratios are to the built-in of the same
    round. The copy fraction (forward speed / copy speed) compares the fastest round of
    each, because interruptions by other programs only ever add time, and the roof is
    about what the hardware can do.
    """
    device = torch.device(device)
    gen = torch.Generator(device=device).manual_seed(seed)
    x = torch.randn(int(n), device=device, generator=gen).requires_grad_(True)
    g = torch.randn(int(n), device=device, generator=gen)
    data = x.detach()
    names = list(names)
    for name in names:
        _check_name(name)
    built, compiled = {}, {}
    for name in names:  # compile everything before timing anything
        built[name], info = variants(name, example=data, compile=compile)
        if info is not None:
            compiled[name] = info
    it = names
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(names, desc="benchmark")
    results, copy_samples = [], []
    for name in it:
        fns = built[name]
        fwd = {v: (lambda f=f: f(x)) for v, f in fns.items()}
        fwd["copy"] = lambda: data.clone()
        fwd_rows = compare(
            fwd, "built-in", repeats=repeats, warmup=warmup, device=device
        )
        bwd = {v: (lambda f=f: torch.autograd.grad(f(x), x, g)) for v, f in fns.items()}
        bwd_rows = compare(
            bwd, "built-in", repeats=repeats, warmup=warmup, device=device
        )
        copy_samples += fwd_rows["copy"].timing.samples
        fastest_copy = min(fwd_rows["copy"].timing.samples)
        for v, f in fns.items():
            frac = fastest_copy / min(fwd_rows[v].timing.samples)
            results.append(
                Result(name, v, fwd_rows[v], bwd_rows[v], saved_bytes(f, x), frac)
            )
    return Benchmark(results, _summary(copy_samples), compiled, int(n), str(device))


# ------------------------------------------------------------------ vectorised training


def training_speedup(
    n_models=8, epochs=3, hidden=100, batch_size=128, device="cpu", progress=False
):
    """Return (seconds_loop, seconds_vectorised).

    K MNIST-1D MLPs trained one after another vs all at once.
    """
    data = mnist1d(device)

    def make():
        return mlp([40, hidden, hidden, 10], "relu")

    t0 = time.perf_counter()
    for s in range(n_models):
        torch.manual_seed(s)
        train(
            make().to(device),
            data,
            epochs=epochs,
            batch_size=batch_size,
            seed=s,
            progress=progress,
        )
    _sync(device)
    t_loop = time.perf_counter() - t0
    t0 = time.perf_counter()
    train_many(
        make,
        range(n_models),
        data,
        epochs=epochs,
        batch_size=batch_size,
        device=device,
        progress=progress,
    )
    _sync(device)
    return t_loop, time.perf_counter() - t0


if __name__ == "__main__":  # python -m actlib.bench [--activations]
    import argparse

    ap = argparse.ArgumentParser(
        description=(
            "Measure how much faster train_many is than a Python loop over models, or "
            "(--activations) time the five variants of each activation."
        )
    )
    ap.add_argument("--models", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--device", default=None)
    ap.add_argument(
        "--activations",
        action="store_true",
        help=(
            "print the Part 3.4 table (time ratios vs built-in, %% of copy bandwidth, "
            "saved memory)"
        ),
    )
    ap.add_argument(
        "--size",
        type=float,
        default=None,
        help="elements per tensor (default 1e6 on CPU, 1e8 on GPU)",
    )
    ap.add_argument(
        "--no-compile", action="store_true", help="leave out the torch.compile variant"
    )
    args = ap.parse_args()
    dev = pick_device(args.device)
    if args.activations:
        torch.set_num_threads(default_threads())  # ACTLIB_THREADS, as in the notebooks
        n = int(args.size) if args.size else (10**6 if dev.type == "cpu" else 10**8)
        b = benchmark(n=n, device=dev, compile=not args.no_compile, progress=True)
        print(
            f"{n:.0e} float32 values on {dev} ({torch.get_num_threads()} "
            f"threads); copy bandwidth {b.copy_bandwidth / 1e9:.1f} GB/s "
            "(x.clone(), fastest round)"
        )
        print(b.table())
        for name, c in b.compiled.items():
            print(
                f"torch.compile {name}: "
                + (f"{c.seconds:.1f} s" if c.error is None else f"failed ({c.error})")
            )
    else:
        loop, vec = training_speedup(args.models, args.epochs, device=dev)
        print(
            f"{args.models} MLPs x {args.epochs} epochs on MNIST-1D ({dev}, "
            f"{torch.get_num_threads()} threads): loop {loop:.2f} s, vectorised "
            f"{vec:.2f} s, speed-up {loop / vec:.1f}x"
        )
