"""Sweeps: buffered modules match PyTorch and stack, k-fold splits partition.

Tracked training equals train_many.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib.diagnostics import dead_fraction
from actlib.registry import get
from actlib.sweeps import (
    BufferedActivation,
    BufferedDropout,
    kfold,
    silent_fraction,
    sweep,
    track_dead,
    train_tracked,
)
from actlib.nets import mlp
from actlib.stats import mean_ci
from actlib.train import train, train_many


def net(act):
    return nn.Sequential(nn.Linear(6, 16), act, nn.Linear(16, 3))


# --------------------------------------------------------------------- buffered modules


@pytest.mark.parametrize(
    "name,value,ref",
    [
        ("leaky_relu", 0.0, lambda x, v: F.leaky_relu(x, v)),
        ("leaky_relu", 0.3, lambda x, v: F.leaky_relu(x, v)),
        ("leaky_relu", -0.5, lambda x, v: F.leaky_relu(x, v)),
        ("elu", 0.5, lambda x, v: F.elu(x, v)),
        ("elu", 2.0, lambda x, v: F.elu(x, v)),
        ("swish", 1.0, lambda x, v: F.silu(x)),
        ("swish", 4.0, lambda x, v: x * torch.sigmoid(v * x)),
        ("swish", 0.0, lambda x, v: x / 2),
    ],
)
def test_buffered_activation_matches_pytorch(name, value, ref):
    x = torch.linspace(-30, 30, 2001, dtype=torch.float64, requires_grad=True)
    m = BufferedActivation(name, value).double()
    value = float(
        m.value
    )  # the buffer was created in float32: compare with the value it actually holds
    torch.testing.assert_close(m(x), ref(x, value), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(
        m(x),
        get(
            name,
            **{
                "leaky_relu": {"negative_slope": value},
                "elu": {"alpha": value},
                "swish": {"beta": value},
            }[name],
        )(x),
        rtol=1e-12,
        atol=1e-12,
    )
    (g,) = torch.autograd.grad(m(x).sum(), x)
    (g_ref,) = torch.autograd.grad(ref(x, value).sum(), x)
    away = x.detach() != 0
    torch.testing.assert_close(g[away], g_ref[away])
    assert [n for n, _ in m.named_buffers()] == ["value"] and not list(m.parameters())


def test_buffered_activation_rejects_bad_names_and_values():
    with pytest.raises(ValueError, match="leaky_relu, elu, swish"):
        BufferedActivation("gelu", 1.0)
    with pytest.raises(ValueError):
        BufferedActivation("elu", float("nan"))


def test_models_with_different_buffered_values_train_like_separate_runs(small):
    values = [0.01, 0.2, 0.5]
    queue = iter(values)
    many = train_many(
        lambda: net(BufferedActivation("leaky_relu", next(queue))),
        [4, 4, 4],
        small,
        epochs=3,
        lr=0.02,
        batch_size=32,
        progress=False,
    )
    for j, v in enumerate(values):
        torch.manual_seed(4)
        one = train(
            net(nn.LeakyReLU(v)),
            small,
            epochs=3,
            lr=0.02,
            batch_size=32,
            seed=4,
            progress=False,
        )
        torch.testing.assert_close(
            many.train_loss[:, j], one.train_loss, rtol=1e-4, atol=1e-5
        )
    assert not torch.allclose(
        many.train_loss[-1, 0], many.train_loss[-1, 2]
    )  # the value does matter


def test_buffered_dropout_rate_and_scaling():
    torch.manual_seed(0)
    d = BufferedDropout(0.3)
    x = torch.ones(200_000)
    y = d(x)
    assert abs(float((y == 0).float().mean()) - 0.3) < 0.01
    assert abs(float(y.mean()) - 1.0) < 0.01  # inverted dropout keeps the mean
    assert torch.equal(d.eval()(x), x)
    assert torch.equal(BufferedDropout(0.0)(x), x)
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match=r"\[0, 1\)"):
            BufferedDropout(bad)


def test_dropout_rates_stack_and_rate_zero_changes_nothing(small):
    rates = iter([0.0, 0.5])

    def make():
        return nn.Sequential(
            nn.Linear(6, 16), nn.ReLU(), BufferedDropout(next(rates)), nn.Linear(16, 3)
        )

    h = train_many(
        make, [1, 1], small, epochs=3, lr=0.02, batch_size=32, progress=False
    )
    plain = train_many(
        lambda: net(nn.ReLU()),
        [1],
        small,
        epochs=3,
        lr=0.02,
        batch_size=32,
        progress=False,
    )
    torch.testing.assert_close(
        h.train_loss[:, 0], plain.train_loss[:, 0], rtol=1e-5, atol=1e-6
    )
    assert not torch.allclose(h.train_loss[:, 1], plain.train_loss[:, 0])


# -------------------------------------------------------------------- k-fold and sweeps


def test_kfold_partitions_the_training_set(small):
    folds = kfold(small, k=3, seed=1)
    assert len(folds) == 3
    held = torch.cat([f.x_test for f in folds])
    assert held.shape == small.x_train.shape
    # every training row is held out exactly once (rows are distinct random vectors)
    assert torch.equal(
        held[held[:, 0].argsort()], small.x_train[small.x_train[:, 0].argsort()]
    )
    for f in folds:
        assert len(f.x_train) + len(f.x_test) == len(small.x_train)
        rows = torch.cat([f.x_train, f.x_test])
        assert torch.equal(
            rows[rows[:, 0].argsort()], small.x_train[small.x_train[:, 0].argsort()]
        )
    assert sorted(len(f.x_test) for f in folds) == [66, 67, 67]
    assert torch.equal(kfold(small, 3, seed=1)[0].x_test, folds[0].x_test)
    assert not torch.equal(kfold(small, 3, seed=2)[0].x_test, folds[0].x_test)
    with pytest.raises(ValueError, match="k=1"):
        kfold(small, 1)
    with pytest.raises(ValueError, match="larger than the 200"):
        kfold(small, 201)


def test_sweep_is_paired_and_summarised(small):
    # values that do not change the model: every value must then score exactly the same
    # (paired by seed)
    res = sweep(
        lambda v: net(nn.Tanh()),
        [1, 2],
        [0, 1],
        small,
        k=2,
        epochs=2,
        lr=0.02,
        progress=False,
    )
    assert res.scores.shape == (2, 2, 2) and res.records is None
    torch.testing.assert_close(res.scores[:, 0], res.scores[:, 1])
    assert not torch.equal(
        res.scores[:, 0, 0], res.scores[:, 0, 1]
    )  # different seeds differ
    gaps = res.paired_gaps()
    assert all(abs(m) < 1e-7 for _, m, _ in gaps)

    res = sweep(
        lambda v: net(BufferedActivation("leaky_relu", v)),
        [0.0, 0.3, 3.0],
        [0, 1],
        small,
        k=2,
        epochs=3,
        lr=0.02,
        progress=False,
    )
    means = res.scores.mean(dim=(0, 2))
    i, v = res.best()
    assert v == res.values[int(means.argmax())] and i == int(means.argmax())
    for (val, m, h), j in zip(res.summary(), range(3)):
        assert (m, h) == pytest.approx(mean_ci(res.scores[:, j].flatten()))
    assert res.paired_gaps()[i][1] == 0.0 and all(
        m <= 1e-7 for _, m, _ in res.paired_gaps()
    )


def test_sweep_with_measure_records_every_epoch(small):
    res = sweep(
        lambda v: net(BufferedActivation("elu", v)),
        [0.5, 1.0],
        [0],
        small,
        k=2,
        epochs=2,
        lr=0.02,
        measure=lambda m: float(m[1].value),
        progress=False,
    )
    assert len(res.records) == 2 and len(res.records[0]) == 3  # folds, epochs + 1
    assert res.records[1][-1] == [0.5, 1.0]  # the buffer is not trained


# ------------------------------------------------------------ measuring during training


@pytest.mark.parametrize("optimizer,wd", [("adamw", 1e-2), ("sgd", 1e-3)])
def test_train_tracked_equals_train_many(small, optimizer, wd):
    make = lambda: mlp([6, 16, 16, 3], "relu")  # noqa: E731
    ref = train_many(
        make,
        [3, 7],
        small,
        epochs=3,
        lr=[0.01, 0.05],
        batch_size=32,
        optimizer=optimizer,
        weight_decay=wd,
        progress=False,
    )
    got, rec = train_tracked(
        make,
        [3, 7],
        small,
        lambda m: float(m[0].weight.detach().sum()),
        epochs=3,
        lr=[0.01, 0.05],
        batch_size=32,
        optimizer=optimizer,
        weight_decay=wd,
        progress=False,
    )
    for key in ("train_loss", "test_loss", "train_acc", "test_acc", "grad_norm"):
        torch.testing.assert_close(
            getattr(got, key), getattr(ref, key), rtol=1e-5, atol=1e-6
        )
    torch.manual_seed(7)
    assert rec[0][1] == pytest.approx(
        float(make()[0].weight.detach().sum())
    )  # e = 0 is the initial model
    assert len(rec) == 4 and rec[1][0] != rec[0][0]
    _, _, models = train_tracked(
        make,
        [3, 7],
        small,
        lambda m: None,
        epochs=3,
        lr=[0.01, 0.05],
        batch_size=32,
        optimizer=optimizer,
        weight_decay=wd,
        progress=False,
        return_models=True,
    )
    with torch.no_grad():
        acc = [
            float((m(small.x_test).argmax(1) == small.y_test).float().mean())
            for m in models
        ]
    assert acc == pytest.approx(
        ref.test_acc[-1].tolist()
    )  # the returned models are the trained ones


def test_dead_and_silent_units(small):
    def make(act):
        def f():
            m = nn.Sequential(nn.Linear(6, 8), act, nn.Linear(8, 3))
            with torch.no_grad():
                m[0].bias[
                    :4
                ] = -100.0  # units 0-3 can never be positive on these inputs
            return m

        return f

    h, dead = track_dead(
        make(nn.ReLU()), [0, 1], small, epochs=2, lr=0.01, progress=False
    )
    assert dead.shape == (3, 2, 1)
    assert bool(
        (dead >= 0.5).all()
    )  # the four units are dead at init and stay dead (zero gradient)
    leaky = make(nn.LeakyReLU(0.1))()
    assert dead_fraction(leaky, small.x_train) == {"1": 0.0}
    assert silent_fraction(leaky, small.x_train) == {"1": 0.5}
    relu = make(nn.ReLU())()
    assert silent_fraction(relu, small.x_train) == dead_fraction(relu, small.x_train)
