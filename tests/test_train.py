"""Training loops: the vectorised trainer reproduces separate runs, learns MNIST-1D, and validates its inputs."""

import pytest
import torch

import actlib
from actlib.data import Split, xor
from actlib.train import ManyModels, History, mean_ci, mlp, train, train_many


def make_small():
    return mlp([6, 16, 16, 3], "tanh")


@pytest.mark.parametrize("optimizer,wd,clip", [("adam", 0.0, None), ("adam", 1e-2, 0.5), ("sgd", 1e-3, None)])
def test_train_many_equals_separate_runs(small, optimizer, wd, clip):
    seeds = [3, 7, 11]
    many = train_many(make_small, seeds, small, epochs=3, lr=0.01, batch_size=32, optimizer=optimizer,
                      weight_decay=wd, clip_norm=clip, progress=False)
    for j, s in enumerate(seeds):
        torch.manual_seed(s)
        one = train(make_small(), small, epochs=3, lr=0.01, batch_size=32, optimizer=optimizer,
                    weight_decay=wd, clip_norm=clip, seed=s, progress=False)
        torch.testing.assert_close(many.train_loss[:, j], one.train_loss, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(many.test_acc[:, j], one.test_acc, rtol=0, atol=1e-6)
        torch.testing.assert_close(many.grad_norm[:, j], one.grad_norm, rtol=1e-4, atol=1e-5)


def test_per_model_learning_rates_are_independent(small):
    h = train_many(make_small, [0, 0], small, epochs=2, lr=[0.0, 0.05], progress=False)
    assert h.train_loss.shape == (2, 2)
    assert torch.allclose(h.train_loss[0, 0], h.train_loss[1, 0])  # lr 0: nothing moves
    assert h.train_loss[1, 1] < h.train_loss[0, 0]


def test_models_can_be_taken_out(small):
    h, many = train_many(make_small, [0, 1], small, epochs=1, progress=False, return_models=True)
    m1 = many.model(1)
    with torch.no_grad():
        acc = (m1(small.x_test).argmax(1) == small.y_test).float().mean()
    assert float(acc) == pytest.approx(float(h.test_acc[-1, 1]))


def test_batchnorm_is_refused_with_advice():
    def make():
        return torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.BatchNorm1d(4))
    with pytest.raises(ValueError, match="LayerNorm"):
        ManyModels([make(), make()])


def test_learns_xor_and_regression():
    X, y = xor(400, seed=0)
    data = Split(X[:300], y[:300], X[300:], y[300:])
    torch.manual_seed(0)
    h = train(mlp([2, 8, 2], "tanh"), data, epochs=60, lr=0.03, batch_size=32, progress=False)
    assert h.final("test_acc") > 0.95
    x = torch.linspace(-2, 2, 200).unsqueeze(1)
    reg = Split(x[::2], torch.sin(2 * x[::2, 0]), x[1::2], torch.sin(2 * x[1::2, 0]))
    h = train_many(lambda: mlp([1, 32, 1], "tanh"), range(2), reg, epochs=200, lr=0.02, batch_size=50,
                   task="regress", progress=False)
    assert h.train_acc is None and bool((h.test_loss[-1] < 0.02).all()), h.test_loss[-1]
    assert bool((h.test_loss[-1] < h.test_loss[0] / 5).all())


def test_mnist1d_mlp_reaches_published_range():
    data = actlib.data.mnist1d()
    torch.set_num_threads(1)
    h = train_many(lambda: mlp([40, 100, 100, 10], "relu"), range(2), data, epochs=25, lr=2e-3, batch_size=100,
                   progress=False)
    acc = h.test_acc[-1]
    # Published MLP: 68 % (Greydanus & Kobak). Far above chance (10 %) and in the published neighbourhood.
    assert bool((acc > 0.55).all()) and bool((acc < 0.85).all()), acc


@pytest.mark.parametrize("kwargs,match", [
    ({"task": "rank"}, "unknown task 'rank'; choose one of: classify, regress"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'; choose one of: adam, sgd"),
    ({"epochs": 0}, "invalid epochs=0"),
    ({"lr": [0.1, 0.2, 0.3]}, "lr must be a number or a sequence of 2 numbers"),
])
def test_bad_arguments(small, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_many(make_small, [0, 1], small, progress=False, **kwargs)


def test_mlp_and_mean_ci():
    m = mlp([4, 5, 3], "gelu", approximate="tanh")
    assert isinstance(m[1], torch.nn.GELU) and m[1].approximate == "tanh" and len(m) == 3
    with pytest.raises(ValueError, match="at least two positive integers"):
        mlp([4], "relu")
    mean, half = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(2.4841, abs=1e-3)  # t(0.975, 2) * 1 / sqrt(3)
    assert isinstance(History(torch.zeros(2), torch.zeros(2)).final("test_loss"), float)


def test_on_epoch_hook_sees_the_current_weights(small):
    def weight_sum(epoch, many):
        return float(many.current(1)[0].weight.detach().sum())
    h, many = train_many(make_small, [0, 1], small, epochs=2, lr=0.05, progress=False, on_epoch=weight_sum,
                         return_models=True)
    seen = h.extra["on_epoch"]
    assert len(seen) == 3 and seen[0] != seen[-1]
    assert seen[-1] == pytest.approx(float(many.model(1)[0].weight.detach().sum()), rel=1e-6)
