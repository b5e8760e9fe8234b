"""Training loops: the vectorised trainer reproduces separate runs.

It also learns MNIST-1D and validates its inputs.
"""

import pytest
import torch

import actlib
from actlib.data import Split, xor
from actlib.nets import mlp
from actlib.train import History, ManyModels, train, train_many


def make_small():
    return mlp([6, 16, 16, 3], "tanh")


@pytest.mark.parametrize(
    "optimizer,wd,clip",
    [
        ("adamw", 0.0, None),
        ("adamw", 1e-2, 0.5),
        ("sgd", 1e-3, None),
        ("sgd", 0.0, 0.05),
    ],
)
def test_train_many_equals_separate_runs(small, optimizer, wd, clip):
    seeds = [3, 7, 11]
    many = train_many(
        make_small,
        seeds,
        small,
        epochs=3,
        lr=0.01,
        batch_size=32,
        optimizer=optimizer,
        weight_decay=wd,
        clip_norm=clip,
        progress=False,
    )
    for j, s in enumerate(seeds):
        torch.manual_seed(s)
        one = train(
            make_small(),
            small,
            epochs=3,
            lr=0.01,
            batch_size=32,
            optimizer=optimizer,
            weight_decay=wd,
            clip_norm=clip,
            seed=s,
            progress=False,
        )
        torch.testing.assert_close(
            many.train_loss[:, j], one.train_loss, rtol=1e-4, atol=1e-5
        )
        torch.testing.assert_close(many.test_acc[:, j], one.test_acc, rtol=0, atol=1e-6)
        torch.testing.assert_close(
            many.grad_norm[:, j], one.grad_norm, rtol=1e-4, atol=1e-5
        )


def test_per_model_learning_rates_are_independent(small):
    h = train_many(make_small, [0, 0], small, epochs=2, lr=[0.0, 0.05], progress=False)
    assert h.train_loss.shape == (2, 2)
    assert torch.allclose(h.train_loss[0, 0], h.train_loss[1, 0])  # lr 0: nothing moves
    assert h.train_loss[1, 1] < h.train_loss[0, 0]


def test_models_can_be_taken_out(small):
    h, many = train_many(
        make_small, [0, 1], small, epochs=1, progress=False, return_models=True
    )
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
    h = train(
        mlp([2, 8, 2], "tanh"), data, epochs=60, lr=0.03, batch_size=32, progress=False
    )
    assert h.final("test_acc") > 0.95
    x = torch.linspace(-2, 2, 200).unsqueeze(1)
    reg = Split(x[::2], torch.sin(2 * x[::2, 0]), x[1::2], torch.sin(2 * x[1::2, 0]))
    h = train_many(
        lambda: mlp([1, 32, 1], "tanh"),
        range(2),
        reg,
        epochs=200,
        lr=0.02,
        batch_size=50,
        task="regress",
        progress=False,
    )
    assert h.train_acc is None and bool((h.test_loss[-1] < 0.02).all()), h.test_loss[-1]
    assert bool((h.test_loss[-1] < h.test_loss[0] / 5).all())


def test_mnist1d_mlp_reaches_published_range(one_thread):
    data = actlib.data.mnist1d()
    h = train_many(
        lambda: mlp([40, 100, 100, 10], "relu"),
        range(2),
        data,
        epochs=25,
        lr=2e-3,
        batch_size=100,
        progress=False,
    )
    acc = h.test_acc[-1]
    # Published MLP: 68 % (Greydanus & Kobak). Far above chance (10 %) and in the
    # published neighbourhood.
    assert bool((acc > 0.55).all()) and bool((acc < 0.85).all()), acc


def test_history_final_is_a_float_for_one_model():
    assert isinstance(History(torch.zeros(2), torch.zeros(2)).final("test_loss"), float)


def test_on_epoch_hook_sees_the_current_weights(small):
    def weight_sum(epoch, many):
        return float(many.current(1)[0].weight.detach().sum())

    h, many = train_many(
        make_small,
        [0, 1],
        small,
        epochs=2,
        lr=0.05,
        progress=False,
        on_epoch=weight_sum,
        return_models=True,
    )
    seen = h.extra["on_epoch"]
    assert len(seen) == 3 and seen[0] != seen[-1]
    assert seen[-1] == pytest.approx(
        float(many.model(1)[0].weight.detach().sum()), rel=1e-6
    )


# ---------------------------------------------------- what the loops must not get wrong


def make_dropout():
    return torch.nn.Sequential(
        torch.nn.Linear(6, 32),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(32, 3),
    )


def test_evaluation_runs_in_eval_mode(small):
    # With dropout on at test time, the recorded test loss would differ from the
    # eval-mode loss of the same weights.
    torch.manual_seed(0)
    model = make_dropout()
    h = train(model, small, epochs=2, lr=0.01, batch_size=32, progress=False)
    assert model.training, "train() leaves the model in train mode, as it found it"
    model.eval()
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(model(small.x_test), small.y_test)
    assert float(h.test_loss[-1]) == pytest.approx(float(loss), rel=1e-6)
    hm, many = train_many(
        make_dropout,
        [0, 1],
        small,
        epochs=2,
        lr=0.01,
        batch_size=32,
        progress=False,
        return_models=True,
    )
    m1 = many.model(1).eval()
    with torch.no_grad():
        loss1 = torch.nn.functional.cross_entropy(m1(small.x_test), small.y_test)
    assert float(hm.test_loss[-1, 1]) == pytest.approx(float(loss1), rel=1e-5)


def test_vectorised_models_draw_independent_dropout_masks(small):
    # Two models with the same seed start equal and see the same batches: only their
    # dropout masks can differ.
    h = train_many(
        make_dropout, [4, 4], small, epochs=2, lr=0.01, batch_size=32, progress=False
    )
    assert not torch.allclose(h.train_loss[:, 0], h.train_loss[:, 1]), (
        "the K models share their dropout masks"
    )
    h = train_many(
        lambda: mlp([6, 16, 3], "relu"),
        [4, 4],
        small,
        epochs=2,
        lr=0.01,
        progress=False,
    )
    assert torch.equal(h.train_loss[:, 0], h.train_loss[:, 1]), (
        "without dropout, equal seeds give equal runs"
    )


def test_clipping_is_active_only_below_the_gradient_norm(small):
    common = dict(epochs=2, lr=0.05, batch_size=32, optimizer="sgd", progress=False)
    free = train_many(make_small, [0], small, **common)
    loose = train_many(make_small, [0], small, clip_norm=1e6, **common)
    tight = train_many(make_small, [0], small, clip_norm=1e-3, **common)
    assert torch.allclose(free.train_loss, loose.train_loss)
    assert not torch.allclose(free.train_loss, tight.train_loss)
    torch.manual_seed(0)
    one = train(make_small(), small, clip_norm=1e-3, **common)
    torch.testing.assert_close(
        one.train_loss, tight.train_loss[:, 0], rtol=1e-4, atol=1e-5
    )


def test_shared_defaults_and_devices(small):
    import inspect

    a, b = inspect.signature(train).parameters, inspect.signature(train_many).parameters
    for name in (
        "epochs",
        "lr",
        "batch_size",
        "optimizer",
        "weight_decay",
        "clip_norm",
        "task",
        "device",
    ):
        assert a[name].default == b[name].default, name
    assert a["optimizer"].default == "adamw" and a["device"].default is None


def _float_labels(small):
    return Split(
        small.x_train, small.y_train.float(), small.x_test, small.y_test.float()
    )


BAD = [
    (
        {"task": "rank"},
        ValueError,
        "unknown task 'rank'; choose one of: classify, regress",
    ),
    (
        {"optimizer": "lbfgs"},
        ValueError,
        "unknown optimizer 'lbfgs'; choose one of: adamw, sgd",
    ),
    ({"optimizer": "adam"}, ValueError, "implements AdamW"),
    ({"epochs": 0}, ValueError, "invalid epochs=0"),
    ({"epochs": True}, TypeError, "invalid epochs=True"),
    ({"epochs": 2.5}, TypeError, "invalid epochs=2.5"),
    ({"batch_size": 0}, ValueError, "invalid batch_size=0"),
    ({"lr": -0.1}, ValueError, r"invalid lr=-0.1; it must be a finite number >= 0"),
    ({"lr": float("nan")}, ValueError, "invalid lr=nan"),
    ({"lr": "0.1"}, TypeError, "invalid lr='0.1'"),
    ({"weight_decay": -1.0}, ValueError, "invalid weight_decay=-1.0"),
    (
        {"clip_norm": 0},
        ValueError,
        r"invalid clip_norm=0; it must be a finite number > 0",
    ),
    ({"clip_norm": -1}, ValueError, "invalid clip_norm=-1"),
    (
        {"device": "cuda:99"} if torch.cuda.is_available() else {"device": "cuda"},
        ValueError,
        "cuda",
    ),
    ({"device": "gpu"}, ValueError, "invalid device='gpu'"),
]


@pytest.mark.parametrize("kwargs,exc,match", BAD, ids=[str(k) for k, _, _ in BAD])
def test_bad_arguments_are_refused_by_both_trainers(small, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train_many(make_small, [0, 1], small, progress=False, **kwargs)
    with pytest.raises(exc, match=match):
        train(make_small(), small, progress=False, **kwargs)


def test_train_many_specific_arguments(small):
    with pytest.raises(
        ValueError, match="lr must be a number or a sequence of 2 numbers"
    ):
        train_many(make_small, [0, 1], small, lr=[0.1, 0.2, 0.3], progress=False)
    with pytest.raises(ValueError, match=r"invalid lr\[1\]=-0.2"):
        train_many(make_small, [0, 1], small, lr=[0.1, -0.2], progress=False)
    with pytest.raises(ValueError, match=r"invalid clip_norm\[0\]=0"):
        train_many(make_small, [0, 1], small, clip_norm=[0, 1], progress=False)
    with pytest.raises(
        TypeError, match=r"seeds=5; give a sequence of integer seeds, e.g. range\(5\)"
    ):
        train_many(make_small, 5, small, progress=False)
    with pytest.raises(ValueError, match="seeds is empty"):
        train_many(make_small, [], small, progress=False)
    with pytest.raises(ValueError, match="invalid seed -1"):
        train_many(make_small, [-1], small, progress=False)
    with pytest.raises(TypeError, match="make_model must be a function"):
        train_many(make_small(), [0], small, progress=False)
    with pytest.raises(TypeError, match="make_model\\(\\) returned int"):
        train_many(lambda: 3, [0], small, progress=False)


@pytest.mark.parametrize(
    "make_data,model,exc,match",
    [
        (
            lambda s: s,
            lambda: mlp([5, 8, 3], "relu"),
            ValueError,
            r"cannot take data.x_train's rows, of shape \(6,\)",
        ),
        (
            lambda s: s,
            lambda: mlp([6, 8, 3], "relu").double(),
            TypeError,
            "float32 but the model's weights are",
        ),
        (
            _float_labels,
            lambda: mlp([6, 8, 3], "relu"),
            TypeError,
            "classification needs integer class labels",
        ),
        (
            lambda s: s,
            lambda: mlp([6, 8, 2], "relu"),
            ValueError,
            "labels from 0 to 2, but the model outputs 2",
        ),
        (
            lambda s: Split(s.x_train, s.y_train - 1, s.x_test, s.y_test),
            lambda: mlp([6, 8, 3], "relu"),
            ValueError,
            "labels from -1",
        ),
        (
            lambda s: s,
            lambda: torch.nn.Sequential(torch.nn.ReLU()),
            ValueError,
            "has no parameters to train",
        ),
        (
            lambda s: Split(s.x_train[:5], s.y_train, s.x_test, s.y_test),
            lambda: mlp([6, 8, 3], "relu"),
            ValueError,
            "x_train has 5 rows but y_train has 200",
        ),
        (
            lambda s: (s.x_train, s.y_train),
            lambda: mlp([6, 8, 3], "relu"),
            TypeError,
            "expected a data Split",
        ),
    ],
)
def test_data_is_checked_against_the_model(small, make_data, model, exc, match):
    data = make_data(small)
    with pytest.raises(exc, match=match):
        train(model(), data, progress=False)
    with pytest.raises(exc, match=match):
        train_many(model, [0], data, progress=False)


def test_regression_checks(small):
    reg = Split(small.x_train, small.x_train[:, 0], small.x_test, small.x_test[:, 0])
    with pytest.raises(
        ValueError, match="needs a model with one output, this one has 3"
    ):
        train(make_small(), reg, task="regress", progress=False)
    with pytest.raises(TypeError, match="regression targets must be floating point"):
        train(mlp([6, 4, 1], "relu"), small, task="regress", progress=False)


def test_scalar_parameters_train_in_train_many(small):
    # a 0-d parameter per model (Swish's learnable beta) used to crash the norm line
    from actlib.modules import Swish

    def make():
        return torch.nn.Sequential(
            torch.nn.Linear(6, 8), Swish(learnable=True), torch.nn.Linear(8, 3)
        )

    assert make()[1].beta.dim() == 0, "the check needs a 0-d parameter"
    h, many = train_many(
        make, [0, 1], small, epochs=2, lr=0.05, progress=False, return_models=True
    )
    betas = [float(many.model(j)[1].beta) for j in range(2)]
    assert all(b != 1.0 for b in betas), betas  # the parameter moved
    assert torch.isfinite(h.grad_norm).all()


def test_skipping_the_training_set_evaluation_keeps_the_run(small):
    kw = dict(epochs=3, lr=0.01, batch_size=32, progress=False)
    full = train_many(make_small, [3, 7], small, **kw)
    fast = train_many(make_small, [3, 7], small, eval_train=False, **kw)
    # the same weights: the test numbers are identical, only the train pass is skipped
    torch.testing.assert_close(fast.test_acc, full.test_acc, rtol=0, atol=0)
    torch.testing.assert_close(fast.test_loss, full.test_loss)
    assert fast.train_acc is None and full.train_acc is not None
    # train_loss becomes the mean minibatch loss during the epoch: near, not equal
    assert not torch.allclose(fast.train_loss, full.train_loss)
    assert (fast.train_loss - full.train_loss).abs().max() < 0.5
    torch.manual_seed(7)
    one = train(make_small(), small, seed=7, eval_train=False, **kw)
    torch.testing.assert_close(
        one.train_loss, fast.train_loss[:, 1], rtol=1e-4, atol=1e-5
    )
    assert one.train_acc is None
