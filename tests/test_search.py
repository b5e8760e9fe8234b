"""The search space and the batched trainer of chapter 5.1.

The space has no constants or duplicates; the batched forward equals each model's own
forward, and batched training equals actlib.train.train of each model alone.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from actlib import search
from actlib.data import Split
from actlib.train import train


def small_split(n=96, d=6, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2 * n, d, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return Split(x[:n], y[:n] % classes, x[n:], y[n:] % classes)


def test_space_is_distinct_and_non_constant():
    cands = search.space()
    assert 300 < len(cands) < 812  # 812 triples before dropping duplicates
    ys = torch.stack([search.function(c)(search.GRID) for c in cands])
    assert (ys.amax(1) - ys.amin(1) > 1e-9).all(), "a constant candidate was kept"
    for i in range(0, len(cands), 37):  # each differs from every other candidate
        diff = (ys - ys[i]).abs().amax(1)
        diff[i] = math.inf
        assert diff.min() > 1e-7, (search.formula(cands[i]), int(diff.argmin()))
    assert search.find(cands, lambda x: x + x) is not None  # x + x, or x - (-x)
    assert search.find(cands, F.gelu) is None  # GELU is not in this space
    assert search.formula(cands[search.find(cands, F.silu)]) in (
        "x * sigmoid(x)",
        "sigmoid(x) * x",
    )


def test_blocks_compute_what_they_say():
    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    assert torch.allclose(search.function(("x", "*sigmoid", "x"))(x), F.silu(x))
    assert torch.allclose(search.function(("x", "max", "0"))(x), F.relu(x))
    assert torch.allclose(search.function(("x^3", "-", "x"))(x), x**3 - x)
    assert search.formula(("x", "max", "0")) == "max(x, 0)"
    with pytest.raises(ValueError, match="unknown binary block 'pow'; choose one of"):
        search.function(("x", "pow", "x"))
    with pytest.raises(ValueError, match="triple"):
        search.function(("x", "+"))


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_batched_forward_equals_each_models_forward(order):
    cands = search.space()
    g = torch.Generator().manual_seed(1)
    pick = torch.randperm(len(cands), generator=g)[:40].tolist()
    if order == "sorted":
        pick.sort()
    cands = [cands[i] for i in pick]
    model = search.CandidateMLP(cands, [6, 8, 7, 3], seed=3).double()
    with torch.no_grad():  # give each model weights of its own
        for w in model.weight:
            w.add_(0.1 * torch.randn(w.shape, generator=g, dtype=w.dtype))
    x = torch.randn(5, 6, generator=g, dtype=torch.float64)
    out = model(x)
    assert out.shape == (40, 5, 3)
    for k in range(len(cands)):
        assert torch.allclose(out[k], model.model(k)(x), atol=1e-10), cands[k]


def test_batched_apply_checks_the_number_of_models():
    p = search.plan([("x", "+", "x"), ("x", "*", "x")])
    with pytest.raises(ValueError, match="3 models"):
        search.batched_apply(p, torch.zeros(3, 4))


@pytest.mark.parametrize("chunk", [1, 2])
def test_batched_training_equals_training_each_model_alone(chunk):
    data = small_split()
    cands = [("x", "*sigmoid", "x"), ("tanh(x)", "+", "x"), ("x", "max", "0")]
    sizes = [6, 8, 3]
    scores = search.train_candidates(
        cands, data, sizes=sizes, epochs=2, lr=1e-2, batch_size=16, seed=5,
        chunk=chunk, progress=False,
    )  # fmt: skip
    for k, cand in enumerate(cands):
        torch.manual_seed(5)
        ref = search.CandidateMLP([cand], sizes, seed=5).model(0)
        hist = train(
            ref, data, epochs=2, lr=1e-2, batch_size=16, seed=5, progress=False
        )
        assert abs(float(scores.acc[k]) - hist.test_acc[-1].item()) < 1e-6, cand
        assert abs(float(scores.loss[k]) - hist.test_loss[-1].item()) < 1e-4, cand
    assert not scores.diverged.any()


def test_a_blow_up_is_counted_and_does_not_touch_the_others():
    data = small_split()
    data = Split(data.x_train * 30, data.y_train, data.x_test * 30, data.y_test)
    cands = [("x^3", "*", "x^3"), ("x", "max", "0")]
    scores = search.train_candidates(
        cands, data, sizes=[6, 64, 64, 3], epochs=1, lr=1.0, batch_size=16,
        progress=False,
    )  # fmt: skip
    alone = search.train_candidates(
        cands[1:], data, sizes=[6, 64, 64, 3], epochs=1, lr=1.0, batch_size=16,
        progress=False,
    )  # fmt: skip
    assert scores.diverged.tolist() == [True, False]
    assert math.isnan(scores.acc[0]) and math.isfinite(scores.acc[1])
    assert abs(float(scores.acc[1]) - float(alone.acc[0])) < 1e-6


@pytest.mark.parametrize(
    "f, expected",
    [
        (F.silu, (True, True)),
        (F.gelu, (True, True)),
        (F.mish, (True, True)),
        (F.relu, (False, True)),
        (torch.tanh, (False, False)),
        (torch.square, (False, False)),
        (lambda x: x * torch.tanh(x), (False, True)),
        (lambda x: 2 * x, (False, False)),
    ],
)
def test_shape_finds_bump_and_linear_tail(f, expected):
    assert search.shape(f) == expected


def test_arguments_are_checked():
    data = small_split()
    with pytest.raises(ValueError, match="no candidates"):
        search.train_candidates([], data, progress=False)
    with pytest.raises(ValueError, match="hidden layer"):
        search.CandidateMLP([("x", "+", "x")], [6, 3])


def test_an_extra_test_set_is_scored_like_the_held_out_one():
    data = small_split()
    cands = [("x", "*sigmoid", "x"), ("x", "max", "0")]
    kw = dict(sizes=[6, 8, 3], epochs=1, batch_size=16, progress=False)
    scores = search.train_candidates(cands, data, test=(data.x_test, data.y_test), **kw)
    assert torch.equal(scores.test_acc, scores.acc)
    other = search.train_candidates(
        cands, data, test=(data.x_train, data.y_train), **kw
    )
    assert not torch.equal(other.test_acc, other.acc)
    assert search.train_candidates(cands, data, **kw).test_acc is None
