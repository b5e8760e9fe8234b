"""A small activation search: candidates b(u1(x), u2(x)) and a batched trainer.

The search space follows Ramachandran et al. (2017) in small: a candidate is a triple
(u1, b, u2) of a binary block applied to two unary blocks of the same input. `space()`
enumerates every triple, drops those that are constant and those that compute the same
function as an earlier one. `train_candidates` trains one small MLP per candidate, all
at once: the weights of K models are stacked as (K, out, in) tensors and multiplied
with batched matrix products, and each block is computed only for the models that use
it (the models are grouped by block), so one model costs little more than its matrix
products.
"""

import itertools
import math
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from . import validate
from .train import _progress

UNARY = {
    "0": torch.zeros_like,
    "1": torch.ones_like,
    "x": lambda x: x,
    "-x": torch.neg,
    "|x|": torch.abs,
    "x^2": torch.square,
    "x^3": lambda x: x * x * x,
    # sqrt(|x| + 1e-4): its slope at 0 is 50, not infinite
    "sqrt|x|": lambda x: torch.sqrt(x.abs() + 1e-4),
    # exp clipped at x = 10, so one block cannot overflow float32 by itself
    "exp(x)": lambda x: torch.exp(torch.clamp(x, max=10.0)),
    "sin(x)": torch.sin,
    "sigmoid(x)": torch.sigmoid,
    "tanh(x)": torch.tanh,
    "max(x,0)": torch.relu,
    "erf(x)": torch.erf,
}
BINARY = {
    "+": torch.add,
    "-": torch.sub,
    "*": torch.mul,
    "max": torch.maximum,
    "min": torch.minimum,
    "*sigmoid": lambda a, c: a * torch.sigmoid(c),
}
COMMUTATIVE = ("+", "*", "max", "min")
GRID = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)  # where space() compares


def _check(cand, unary, binary):
    if not (isinstance(cand, (tuple, list)) and len(cand) == 3):
        raise ValueError(
            f"invalid candidate {cand!r}; give a triple (u1, b, u2), e.g. "
            "('x', '*sigmoid', 'x')"
        )
    for what, name, table in (
        ("unary block", cand[0], unary),
        ("binary block", cand[1], binary),
        ("unary block", cand[2], unary),
    ):
        if name not in table:
            raise ValueError(
                f"unknown {what} {name!r}; choose one of: {', '.join(table)}"
            )
    return tuple(cand)


def formula(cand):
    """Return a candidate's formula as text, e.g. 'x * sigmoid(x)'."""
    u1, b, u2 = cand
    if b in ("max", "min"):
        return f"{b}({u1}, {u2})"
    if b == "*sigmoid":
        return f"{u1} * sigmoid({u2})"
    return f"{u1} {b} {u2}"


def function(cand, unary=UNARY, binary=BINARY):
    """Return the candidate (u1, b, u2) as a function of a tensor."""
    u1, b, u2 = _check(cand, unary, binary)
    f1, fb, f2 = unary[u1], binary[b], unary[u2]
    return lambda x: fb(f1(x), f2(x))


class Activation(nn.Module):
    """One candidate as an nn.Module (for ordinary models and tests)."""

    def __init__(self, cand, unary=UNARY, binary=BINARY):
        super().__init__()
        self.cand = _check(cand, unary, binary)
        self.f = function(cand, unary, binary)

    def forward(self, x):
        return self.f(x)

    def extra_repr(self):
        return formula(self.cand)


def space(unary=UNARY, binary=BINARY, grid=GRID):
    """Return the distinct non-constant candidates, in a fixed order.

    Every (u1, b, u2) is tried (one order of the two inputs for a commutative b); a
    candidate is dropped when it is constant on grid or equal there (to 1e-9) to an
    earlier one, so x + x and x - (-x) count once. Sorted by (b, u1, u2).
    """
    names = list(unary)
    seen, out = set(), []
    for b in binary:
        pairs = (
            itertools.combinations_with_replacement(names, 2)
            if b in COMMUTATIVE
            else itertools.product(names, names)
        )
        for u1, u2 in pairs:
            y = function((u1, b, u2), unary, binary)(grid)
            if not torch.isfinite(y).all() or float(y.max() - y.min()) < 1e-9:
                continue
            key = tuple(torch.round(y * 1e6).to(torch.int64).tolist())
            if key in seen:
                continue
            seen.add(key)
            out.append((u1, b, u2))
    return out


def _runs(codes):
    """Return [(code, length)]: the runs of equal codes in the given order."""
    return [(c, len(list(g))) for c, g in itertools.groupby(codes)]


def _stage_plan(codes, device):
    """How one stage groups the models: (gather, runs, scatter).

    The models are used in their own order when their codes come in few runs (no copy),
    else sorted by code (gather), grouped, and put back (scatter); both are index
    tensors or None.
    """
    runs = _runs(codes)
    if len(runs) <= max(16, 6 * len(set(codes))):
        return None, runs, None
    order = sorted(range(len(codes)), key=lambda i: codes[i])
    back = [0] * len(order)
    for i, m in enumerate(order):
        back[m] = i
    return (
        torch.tensor(order, device=device),
        _runs([codes[i] for i in order]),
        torch.tensor(back, device=device),
    )


class _Plan:
    """Which models use which block, for batched_apply.

    In each stage every block is applied once, to the contiguous chunk of models that
    use it.
    """

    def __init__(self, cands, unary, binary, device=None):
        self.cands = [_check(c, unary, binary) for c in cands]
        self.k = len(self.cands)
        self.unary, self.binary = unary, binary
        self.to(device)

    def to(self, device):
        self.stages = [
            _stage_plan([c[i] for c in self.cands], device) for i in (0, 2, 1)
        ]
        return self


def _blocks(table, stage, *inputs):
    gather, runs, scatter = stage
    if gather is not None:
        inputs = [t.index_select(0, gather) for t in inputs]
    sizes = [n for _, n in runs]
    chunks = [torch.split(t, sizes) for t in inputs]
    parts = [table[c](*args) for (c, _), *args in zip(runs, *chunks)]
    out = parts[0] if len(parts) == 1 else torch.cat(parts)
    return out if scatter is None else out.index_select(0, scatter)


def batched_apply(plan, z):
    """Return out with out[k] = candidate k applied to z[k] (z is (K, ...)).

    Fastest when the candidates come sorted by (b, u1, u2), as space() returns them.
    """
    if z.shape[0] != plan.k:
        raise ValueError(
            f"z has {z.shape[0]} models along dim 0; the plan has {plan.k}"
        )
    s1, s2, sb = plan.stages
    a = _blocks(plan.unary, s1, z)
    c = _blocks(plan.unary, s2, z)
    return _blocks(plan.binary, sb, a, c)


def plan(cands, unary=UNARY, binary=BINARY, device=None):
    """Return the grouping of candidates by block that batched_apply uses."""
    return _Plan(list(cands), unary, binary, device)


class CandidateMLP(nn.Module):
    """K MLPs with the same sizes, model k using candidate k at every hidden layer.

    Weights are (K, out, in) parameters, all K models starting from the weights that
    PyTorch's nn.Linear draws after torch.manual_seed(seed). forward(x) takes a shared
    (B, in) input and returns (K, B, classes) outputs.
    """

    def __init__(self, cands, sizes, seed=0, unary=UNARY, binary=BINARY):
        super().__init__()
        sizes = [validate.count(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
        if len(sizes) < 3:
            raise ValueError(f"invalid sizes={sizes!r}; give at least one hidden layer")
        self.cands = [_check(c, unary, binary) for c in cands]
        self.sizes = sizes
        self.plan = plan(self.cands, unary, binary)
        self.unary, self.binary = unary, binary
        k = len(self.cands)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(validate.seed(seed))
            layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self.weight = nn.ParameterList(
            [nn.Parameter(lin.weight.detach().repeat(k, 1, 1)) for lin in layers]
        )
        self.bias = nn.ParameterList(
            [nn.Parameter(lin.bias.detach().repeat(k, 1)[..., None]) for lin in layers]
        )

    def _apply(self, fn, *args, **kwargs):
        out = super()._apply(fn, *args, **kwargs)
        self.plan.to(self.weight[0].device)
        return out

    def forward(self, x):
        # (K, H, B) layout: each model's slice is contiguous
        h = torch.matmul(self.weight[0], x.T) + self.bias[0]
        for w, b in zip(self.weight[1:], self.bias[1:]):
            h = torch.baddbmm(b, w, batched_apply(self.plan, h))
        return h.transpose(1, 2)

    def model(self, k):
        """Return model k as an ordinary nn.Sequential holding its current weights."""
        layers = []
        for i, (w, b) in enumerate(zip(self.weight, self.bias)):
            lin = nn.Linear(w.shape[2], w.shape[1]).to(w.device, w.dtype)
            with torch.no_grad():
                lin.weight.copy_(w[k])
                lin.bias.copy_(b[k, :, 0])
            layers.append(lin)
            if i < len(self.weight) - 1:
                layers.append(Activation(self.cands[k], self.unary, self.binary))
        return nn.Sequential(*layers)


@dataclass
class Scores:
    """What train_candidates measured, one entry per candidate.

    acc: held-out accuracy (nan where the run blew up); loss: held-out loss;
    diverged: True where a training or held-out loss was nan or inf; test_acc: the
    accuracy on the extra (x, y) given as test, else None.
    """

    cands: list
    acc: torch.Tensor
    loss: torch.Tensor
    diverged: torch.Tensor
    seconds: float
    test_acc: torch.Tensor = None


@torch.no_grad()
def score(model, x, y, chunk=500):
    """Return (accuracy, mean loss) of each of a CandidateMLP's models on (x, y)."""
    loss = torch.zeros(len(model.cands), device=x.device, dtype=torch.float64)
    correct = torch.zeros_like(loss)
    for s in range(0, len(x), chunk):
        out = model(x[s : s + chunk])
        yy = y[s : s + chunk].expand(out.shape[0], -1)
        loss += F.cross_entropy(out.transpose(1, 2), yy, reduction="none").sum(1)
        correct += (out.argmax(-1) == yy).sum(1)
    return correct / len(x), loss / len(x)


def train_candidates(
    cands,
    data,
    sizes=(40, 32, 32, 10),
    epochs=4,
    lr=1e-2,
    batch_size=100,
    seed=0,
    unary=UNARY,
    binary=BINARY,
    chunk=128,
    test=None,
    progress=True,
    desc="search",
):
    """Train one MLP per candidate and score it on data's test split; return Scores.

    AdamW (no weight decay), the same start and minibatch order for every candidate,
    both drawn from seed: model k is exactly actlib.train.train of an mlp whose
    nn.Linear layers were built after torch.manual_seed(seed), with candidate k as its
    activation. The candidates are trained `chunk` at a time (independent models; the
    chunking only keeps the tensors small). A model whose loss becomes nan or inf stops
    counting (its later gradients are zero) and is marked diverged. test, an (x, y)
    pair, is scored too (Scores.test_acc), e.g. the real test set after a search on a
    validation split.
    """
    validate.split(data)
    validate.count("epochs", epochs)
    validate.count("batch_size", batch_size)
    validate.count("chunk", chunk)
    lr = validate.learning_rate(lr)
    seed = validate.seed(seed)
    cands = [_check(c, unary, binary) for c in cands]
    if not cands:
        raise ValueError("no candidates to train; give at least one (u1, b, u2)")
    n = len(data.x_train)
    steps = epochs * math.ceil(n / batch_size)
    parts = [cands[i : i + chunk] for i in range(0, len(cands), chunk)]
    t0 = time.perf_counter()
    out = []
    with _progress(steps * len(parts), desc, progress) as bar:
        for part in parts:
            model = CandidateMLP(part, sizes, seed, unary, binary)
            out.append(_train(model, data, epochs, lr, batch_size, seed, bar, test))
    acc, loss, diverged, test_acc = (
        None if t[0] is None else torch.cat(t) for t in zip(*out)
    )
    return Scores(cands, acc, loss, diverged, time.perf_counter() - t0, test_acc)


def _train(model, data, epochs, lr, batch_size, seed, bar, test):
    device = data.x_train.device
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    alive = torch.ones(len(model.cands), dtype=torch.bool, device=device)
    n = len(data.x_train)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g).to(device)
        for s in range(0, n, batch_size):
            idx = perm[s : s + batch_size]
            out = model(data.x_train[idx])
            y = data.y_train[idx].expand(out.shape[0], -1)
            loss = F.cross_entropy(out.transpose(1, 2), y, reduction="none").mean(1)
            alive &= torch.isfinite(loss.detach())
            opt.zero_grad(set_to_none=True)
            torch.where(alive, loss, torch.zeros_like(loss)).sum().backward()
            for p in model.parameters():  # a dead model's nan stays its own
                p.grad.nan_to_num_(0.0, 0.0, 0.0)
            opt.step()
            bar.update(1)
    acc, loss = score(model, data.x_test, data.y_test)
    diverged = ~alive | ~torch.isfinite(loss)
    nan = torch.full_like(acc, math.nan)
    acc = torch.where(diverged, nan, acc)
    test_acc = None
    if test is not None:
        test_acc = torch.where(diverged, nan, score(model, *test)[0]).cpu()
    return acc.cpu(), loss.cpu(), diverged.cpu(), test_acc


def find(cands, f, grid=GRID):
    """Return the index of the candidate equal to f on grid (to 1e-6), or None."""
    want = f(grid)
    for i, c in enumerate(cands):
        if torch.allclose(function(c)(grid), want, rtol=0, atol=1e-6):
            return i
    return None


def shape(f, low=-10.0, high=10.0, n=20001):
    """Return (bump, linear_tail) for a function f of a float64 tensor.

    bump: f has a minimum at some x < 0 below f(0) and f(low) (a non-monotone dip);
    linear_tail: its slope over [high/2, high] stays within 0.05 of 1.
    """
    x = torch.linspace(low, high, n, dtype=torch.float64)
    y = f(x)
    neg = x < 0
    i = int(torch.argmin(torch.where(neg, y, torch.full_like(y, math.inf))))
    f0 = float(f(torch.zeros(1, dtype=torch.float64)))
    bump = bool(low < float(x[i]) < 0 and float(y[i]) < min(f0, float(y[0])) - 1e-3)
    tail = x >= high / 2
    slope = torch.diff(y[tail]) / torch.diff(x[tail])
    return bump, bool(torch.all((slope - 1).abs() < 0.05))
