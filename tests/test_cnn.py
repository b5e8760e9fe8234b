"""Tests for actlib.cnn: the MNIST-1D paper's CNN, the digits data and CNN, phases."""

import pytest
import torch
from torch import nn

from actlib import cnn
from actlib.data import Split
from actlib.train import train_many


def test_conv_out_matches_pytorch_layers():
    for length, k, s, p in [(40, 5, 2, 1), (19, 3, 2, 1), (32, 5, 1, 0), (9, 3, 3, 0)]:
        out = nn.Conv1d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, length))
        assert cnn.conv_out(length, k, s, p) == out.shape[-1]
    with pytest.raises(ValueError, match="does not fit"):
        cnn.conv_out(3, 5)


def test_mnist1d_cnn_is_the_papers_architecture():
    model = cnn.mnist1d_cnn("relu")
    convs = [m for m in model if isinstance(m, nn.Conv1d)]
    assert [
        (c.in_channels, c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs
    ] == [
        (1, 25, 5, 2),
        (25, 25, 3, 2),
        (25, 25, 3, 2),
    ]
    assert all(c.padding[0] == 1 for c in convs)
    assert model[-1].in_features == 125 and model[-1].out_features == 10
    assert model(torch.randn(3, 40)).shape == (3, 10)
    assert cnn.mnist1d_cnn("gelu", length=50)[-1].in_features == 150
    assert sum(isinstance(m, nn.GELU) for m in cnn.mnist1d_cnn("gelu")) == 3


def test_digits_is_a_fixed_stratified_split_in_unit_range():
    a, b = cnn.digits(), cnn.digits()
    assert a.x_train.shape == (1297, 64) and a.x_test.shape == (500, 64)
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.y_train, b.y_train)
    assert 0 <= float(a.x_train.min()) and float(a.x_train.max()) <= 1
    counts = torch.bincount(a.y_test, minlength=10)
    assert int(counts.min()) >= 45  # stratified: about 50 per class
    with pytest.raises(ValueError):
        cnn.digits(n_test=1795)


@pytest.mark.parametrize("norm", [None, "conv-bn-act", "conv-act-bn"])
@pytest.mark.parametrize("pool", ["act-pool", "pool-act"])
def test_digits_cnn_places_pool_right_next_to_the_activation(norm, pool):
    model = cnn.digits_cnn("gelu", norm=norm, pool=pool)
    kinds = [type(m).__name__ for m in model]
    i = kinds.index("GELU")
    neighbour = kinds[i + 1] if pool == "act-pool" else kinds[i - 1]
    assert neighbour == "MaxPool2d", kinds
    assert kinds.count("BatchStatNorm2d") == (0 if norm is None else 2)
    if norm == "conv-bn-act":
        assert kinds.index("BatchStatNorm2d") < i
    if norm == "conv-act-bn":
        assert kinds.index("BatchStatNorm2d") > i
    assert model(torch.rand(4, 64)).shape == (4, 10)


def test_digits_cnn_heads_and_bad_choices():
    hidden = cnn.digits_cnn("relu", head="hidden")
    assert sum(isinstance(m, nn.Linear) for m in hidden) == 2
    clipped = cnn.digits_cnn("relu", head="act-on-logits")
    assert isinstance(clipped[-1], nn.ReLU)
    with torch.no_grad():
        assert float(clipped(torch.rand(8, 64)).min()) >= 0
    for kw in ({"norm": "bn-act"}, {"pool": "after"}, {"head": "mlp"}):
        with pytest.raises(ValueError, match="choose one of"):
            cnn.digits_cnn("relu", **kw)


def test_batch_stat_norm_equals_batchnorm_without_running_stats():
    torch.manual_seed(0)
    x = 3 * torch.randn(6, 4, 5, 5) + 1
    ours, ref = cnn.BatchStatNorm2d(4), nn.BatchNorm2d(4, track_running_stats=False)
    with torch.no_grad():
        ours.weight.uniform_(0.5, 2)
        ours.bias.normal_()
        ref.weight.copy_(ours.weight)
        ref.bias.copy_(ours.bias)
    torch.testing.assert_close(ours(x), ref(x))
    ours.eval()  # no running statistics: eval mode still uses the batch's
    torch.testing.assert_close(ours(x), ref(x))


def _tiny_split():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(96, 64, generator=g)
    y = (x[:, :32].sum(1) > x[:, 32:].sum(1)).long()
    return Split(x[:64], y[:64], x[64:], y[64:])


def test_train_phases_equals_training_then_resuming():
    data = _tiny_split()
    make = lambda: cnn.digits_cnn("relu", norm="conv-bn-act")
    kw = {"batch_size": 16, "progress": False}
    h, many = cnn.train_phases(make, [0, 1], data, [(2, 1e-2), (1, 1e-3)], **kw)
    assert h.test_acc.shape == (3, 2)
    h1, m1 = train_many(make, [0, 1], data, epochs=2, lr=1e-2, return_models=True, **kw)
    h2, m2 = train_many(
        cnn.resume(m1), [0, 1], data, epochs=1, lr=1e-3, return_models=True, **kw
    )
    torch.testing.assert_close(h.test_loss, torch.cat([h1.test_loss, h2.test_loss]))
    for k, v in many.params.items():
        torch.testing.assert_close(v, m2.params[k])
    with pytest.raises(ValueError, match="phases"):
        cnn.train_phases(make, [0], data, [])
