"""actlib.bench: same-run ratios, saved-tensor accounting.

The custom autograd Functions, the benchmark's structure.

No test here compares a measured time with a threshold: timings are checked with a fake
clock, and the real benchmark only for its structure (which rows exist, what the
baseline's ratio is, bytes).
"""

import math
import subprocess
import sys

import pytest
import torch

import actlib
from actlib import bench

# ------------------------------------------------------------- timing with a fake clock


class FakeClock:
    """A clock that advances only when a fake function 'runs'.

    Cost * load, where the load grows each round.
    """

    def __init__(self, n_functions):
        self.now = 0.0
        self.calls = 0
        self.n = n_functions
        self.order = []

    def __call__(self):
        return self.now

    def fn(self, name, cost):
        def run():
            load = 1 + self.calls // self.n  # the machine gets slower every round
            self.calls += 1
            self.order.append(name)
            self.now += cost * load

        return run


def test_compare_ratios_use_the_baseline_of_the_same_round():
    clock = FakeClock(3)
    fns = {
        "base": clock.fn("base", 1.0),
        "double": clock.fn("double", 2.0),
        "triple": clock.fn("triple", 3.0),
    }
    rows = bench.compare(fns, "base", repeats=5, warmup=0, clock=clock)
    # the absolute times drift (load 1..5), but each round's ratio is exact
    assert rows["base"].timing.samples == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert (
        rows["double"].ratios == [2.0] * 5
        and rows["double"].ratio == 2.0
        and rows["double"].ratio_iqr == 0.0
    )
    assert rows["triple"].ratio == 3.0 and rows["base"].ratio == 1.0
    assert rows["double"].timing.median == 6.0  # 2 * load 3


def test_compare_calls_every_function_once_per_round_in_rotating_order():
    clock = FakeClock(3)
    fns = {k: clock.fn(k, 1.0) for k in "abc"}
    bench.compare(fns, "a", repeats=3, warmup=2, clock=clock)
    assert clock.order[:6] == list("abcabc")  # warm-up rounds
    assert clock.order[6:] == list("abc") + list("bca") + list("cab")
    assert all(clock.order.count(k) == 5 for k in "abc")


def test_compare_rejects_bad_arguments():
    with pytest.raises(ValueError, match="baseline 'nope' .* choose one of: a, b"):
        bench.compare({"a": lambda: None, "b": lambda: None}, "nope")
    with pytest.raises(ValueError, match="repeats=0"):
        bench.compare({"a": lambda: None}, "a", repeats=0)
    with pytest.raises(ValueError, match="number=0"):
        bench.compare({"a": lambda: None}, "a", number=0)
    with pytest.raises(ValueError, match="warmup=-1"):
        bench.timeit(lambda: None, warmup=-1)


def test_compare_number_reports_time_per_call():
    clock = FakeClock(2 * 4)  # the load grows after each round of 2 functions x 4 calls
    fns = {"base": clock.fn("base", 1.0), "double": clock.fn("double", 2.0)}
    rows = bench.compare(fns, "base", repeats=3, warmup=0, number=4, clock=clock)
    assert (
        rows["base"].timing.samples == [1.0, 2.0, 3.0]
        and rows["double"].ratios == [2.0] * 3
    )
    assert len(clock.order) == 2 * 3 * 4


def test_timeit_min_time_repeats_short_calls_within_a_sample():
    calls = []
    t = bench.timeit(lambda: calls.append(1), repeats=2, warmup=1, min_time=0.2)
    # one warm-up, one calibration call, then each of the 2 samples runs the call many
    # times
    assert len(calls) > 1 + 1 + 2 * 10
    assert (
        len(t.samples) == 2 and t.median < 0.2
    )  # a sample is the time per call, not per batch


# -------------------------------------------------------------- saved-tensor accounting

N = 1000


def leaf(n=N, dtype=torch.float32):
    return torch.randn(n, dtype=dtype).requires_grad_(True)


class _Saves(torch.autograd.Function):
    """A Function that saves exactly what it is told to.

    The accounting's control, independent of torch's internals.
    """

    @staticmethod
    def forward(ctx, x, what):
        out = x * 2
        saved = {
            "input": (x,),
            "output": (out,),
            "new": (x + 1,),
            "input twice": (x, x),
            "two views": (x[: len(x) // 2], x[len(x) // 2 :]),
            "mask": (x > 0,),
        }[what]
        ctx.save_for_backward(*saved)
        return out

    @staticmethod
    def backward(ctx, g):
        return 2 * g, None


@pytest.mark.parametrize(
    "what, n_saved, n_storages, total, inp, out, new",
    [
        ("input", 1, 1, 4 * N, 4 * N, 0, 0),
        (
            "output",
            1,
            1,
            4 * N,
            0,
            4 * N,
            4 * N,
        ),  # new_bytes: kept for backward and not an input
        ("new", 1, 1, 4 * N, 0, 0, 4 * N),
        ("input twice", 2, 1, 4 * N, 4 * N, 0, 0),  # one storage, counted once
        ("two views", 2, 1, 4 * N, 4 * N, 0, 0),  # two views of the same storage
        ("mask", 1, 1, N, 0, 0, N),  # a bool mask: one byte per element
    ],
)
def test_saved_bytes_accounting_on_a_controlled_function(
    what, n_saved, n_storages, total, inp, out, new
):
    m = bench.saved_bytes(lambda x: _Saves.apply(x, what), leaf())
    assert (
        m.n_saved,
        m.n_storages,
        m.bytes,
        m.input_bytes,
        m.output_bytes,
        m.new_bytes,
    ) == (n_saved, n_storages, total, inp, out, new)
    m64 = bench.saved_bytes(lambda x: _Saves.apply(x, what), leaf(N, torch.float64))
    assert m64.bytes == (total if what == "mask" else 2 * total)


def test_saved_bytes_of_pytorch_compositions_as_relations():
    # How many tensors PyTorch's own ops save is an internal of each build: check
    # relations, not byte counts.
    x = leaf()
    for f in (
        lambda x: x * torch.sigmoid(x),
        bench.naive_gelu,
        bench.naive_relu,
        torch.exp,
        torch.relu,
        torch.nn.functional.silu,
    ):
        m = bench.saved_bytes(f, x)
        assert (
            m.bytes == m.input_bytes + m.new_bytes
            and m.output_bytes <= m.new_bytes <= 64 * N
        )
        assert m.bytes >= x.element_size() * N, (
            "backward needs at least one saved tensor of the input's size"
        )
    assert bench.saved_bytes(torch.relu, x).bytes <= 4 * N  # one float tensor at most


def test_saved_bytes_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires grad"):
        bench.saved_bytes(torch.sigmoid, torch.randn(3))


def test_custom_functions_save_only_the_input_or_a_mask():
    x = leaf()
    for name in ("gelu", "silu", "mish"):
        m = bench.saved_bytes(bench.CUSTOM[name].apply, x)
        assert m.bytes == 4 * N and m.input_bytes == 4 * N, name
        assert bench.saved_bytes(bench.NAIVE[name], x).bytes >= 2 * m.bytes, name
    m = bench.saved_bytes(bench.ReLUSaveMask.apply, x)
    assert m.bytes == N and m.dtypes == ("bool",)
    assert (
        bench.saved_bytes(actlib.get("silu"), x).bytes == 4 * N
    )  # actlib's Function saves the input only


def test_allocated_by_is_none_off_cuda():
    assert bench.allocated_by(torch.sigmoid, torch.randn(4), device="cpu") is None


# ------------------------------------------------------------------- the variants agree


def wide(dtype):
    return torch.cat(
        [
            torch.linspace(-12, 12, 2401, dtype=dtype),
            torch.tensor([-80.0, -30.0, 0.0, 30.0, 80.0], dtype=dtype),
        ]
    )


@pytest.mark.parametrize("name", bench.ACTIVATIONS)
def test_custom_and_naive_match_the_builtin_forward_and_backward(name):
    for dtype, tol in ((torch.float64, 1e-12), (torch.float32, 2e-6)):
        x = wide(dtype).requires_grad_(True)
        g = torch.randn(x.shape, dtype=dtype)
        want_y = bench.BUILTIN[name](x)
        (want_dx,) = torch.autograd.grad(want_y, x, g)
        for label, f in (
            ("custom", bench.CUSTOM[name].apply),
            ("naive", bench.NAIVE[name]),
        ):
            y = f(x)
            (dx,) = torch.autograd.grad(y, x, g)
            # max(x, 0) splits the gradient at the tie x = 0 (1/2 each); PyTorch's ReLU
            # gives 0 there
            ok = (
                x != 0
                if (name, label) == ("relu", "naive")
                else torch.ones_like(x, dtype=torch.bool)
            )
            assert torch.allclose(y, want_y, rtol=tol, atol=tol), (
                f"{name} {label} forward, {dtype}"
            )
            assert torch.allclose(dx[ok], want_dx[ok], rtol=tol, atol=tol), (
                f"{name} {label} backward, {dtype}"
            )


@pytest.mark.parametrize("name", bench.ACTIVATIONS)
def test_custom_functions_pass_gradcheck(name):
    x = torch.randn(64, dtype=torch.float64)
    x = (x + 0.1 * torch.sign(x)).requires_grad_(True)  # keep away from ReLU's kink
    assert torch.autograd.gradcheck(bench.CUSTOM[name].apply, (x,))
    assert torch.autograd.gradgradcheck(bench.CUSTOM[name].apply, (x,))


def test_variants_and_their_errors():
    fns, info = bench.variants("silu", compile=False)
    assert list(fns) == ["built-in", "actlib", "naive", "custom"] and info is None
    with pytest.raises(ValueError, match="choose one of: relu, gelu, silu, mish"):
        bench.variants("tanh", compile=False)
    with pytest.raises(ValueError, match="example tensor"):
        bench.variants("silu", compile=True)


def test_compile_failure_is_reported_not_raised(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no C++ compiler found\nmore detail")

    monkeypatch.setattr(torch, "compile", broken)
    info = bench.compile_timed(bench.naive_silu, torch.randn(8))
    assert info.fn is None and info.error == "RuntimeError: no C++ compiler found"
    fns, info = bench.variants("silu", example=torch.randn(8), compile=True)
    assert "compiled" not in fns and info.error.startswith("RuntimeError")


# ----------------------------------------------------- roofline and the whole benchmark


def test_elementwise_bytes_and_copy_bandwidth():
    assert (
        bench.elementwise_bytes(10) == 80
        and bench.elementwise_bytes(10, torch.float16) == 40
    )
    bw, t = bench.copy_bandwidth(10**4, repeats=3, warmup=1)
    assert math.isfinite(bw) and bw > 0 and bw == pytest.approx(8 * 10**4 / t.median)


def test_benchmark_structure_ratios_and_saved_memory():
    b = bench.benchmark(n=2000, repeats=3, warmup=1, compile=False)
    assert [(r.activation, r.variant) for r in b.results] == [
        (a, v)
        for a in bench.ACTIVATIONS
        for v in ("built-in", "actlib", "naive", "custom")
    ]
    for a in bench.ACTIVATIONS:
        base = b.get(a, "built-in")
        assert (
            base.forward.ratio == 1.0 and base.forward_backward.ratio == 1.0
        )  # against itself, same rounds
        assert len(base.forward_backward.ratios) == 3
        assert b.get(a, "custom").saved.bytes * 2 <= b.get(a, "naive").saved.bytes, a
        assert all(r.copy_fraction > 0 for r in b.results)
    per_elem = {(r.activation, r.variant): r.saved.bytes / b.n for r in b.results}
    assert (
        per_elem[("relu", "custom")] <= 1 <= per_elem[("relu", "built-in")] <= 4
    )  # a mask vs a float tensor
    for a in (
        "gelu",
        "silu",
        "mish",
    ):  # ours save the input only; the naive compositions save more
        assert (
            per_elem[(a, "custom")] == 4
            and per_elem[(a, "naive")] >= 2 * per_elem[(a, "custom")]
        ), a
    assert len(b.copy.samples) == 3 * len(bench.ACTIVATIONS)
    assert b.copy_bandwidth == pytest.approx(8 * 2000 / min(b.copy.samples))
    relu = b.get(
        "relu", "built-in"
    )  # fastest copy over fastest forward, from the same rounds
    copies = b.copy.samples[:3]  # relu is timed first
    assert relu.copy_fraction == pytest.approx(
        min(copies) / min(relu.forward.timing.samples)
    )
    lines = b.table().splitlines()
    assert len(lines) == 2 + len(b.results) and "× built-in" in lines[0]
    with pytest.raises(ValueError, match="no result for .*'compiled'"):
        b.get("silu", "compiled")


def test_command_line_prints_the_table():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "actlib.bench",
            "--activations",
            "--size",
            "1000",
            "--no-compile",
            "--device",
            "cpu",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    assert "copy bandwidth" in out
    assert (
        sum(
            line.startswith(("relu", "gelu", "silu", "mish"))
            for line in out.splitlines()
        )
        == 16
    )


def test_timeit_reports_median_and_spread():
    t = bench.timeit(lambda: sum(range(1000)), repeats=5, warmup=1)
    assert (
        len(t.samples) == 5 and t.median > 0 and t.iqr >= 0 and math.isfinite(t.median)
    )
    with pytest.raises(ValueError, match="repeats"):
        bench.timeit(lambda: None, repeats=0)
