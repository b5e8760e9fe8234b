"""Small convolutional networks for chapter 4.3, and the data and schedule they use.

- `mnist1d_cnn`: the MNIST-1D paper's 1-D CNN (its ``ConvBase``), with a swappable
  activation.
- `digits`: scikit-learn's bundled 8x8 handwritten digits as a Split, fixed split.
- `digits_cnn`: a small 2-D CNN for them, with the activation's place relative to
  BatchNorm (`BatchStatNorm2d`, vmappable) and max-pooling as arguments.
- `train_phases`: `train_many` with a piecewise-constant learning rate (`resume`
  continues runs from their weights).
"""

import torch
import torch.nn.functional as F
from torch import nn

from . import validate
from .data import Split
from .modules import make
from .train import History, train_many

NORM_ORDERS = ("conv-bn-act", "conv-act-bn")  # or None: no BatchNorm
POOL_ORDERS = ("act-pool", "pool-act")
HEADS = ("linear", "hidden", "act-on-logits")
DIGITS_TEST = 500


def _act(activation):
    return make(activation) if isinstance(activation, str) else activation()


def conv_out(length, kernel, stride=1, padding=0):
    """Return the output length of a convolution or pooling along one axis."""
    for name, v in (("length", length), ("kernel", kernel), ("stride", stride)):
        validate.count(name, v)
    out = (length + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ValueError(
            f"kernel {kernel} with padding {padding} does not fit a length of {length}"
        )
    return out


def mnist1d_cnn(activation="relu", channels=25, length=40):
    """Return the MNIST-1D paper's CNN: three strided Conv1d, a linear classifier.

    Conv1d(1, c, 5, stride 2, pad 1) -> act -> Conv1d(c, c, 3, 2, 1) -> act ->
    Conv1d(c, c, 3, 2, 1) -> act -> flatten -> Linear(c * 5, 10) for length 40. It
    takes rows of shape (N, length). activation is a name of actlib.get or a function
    that returns a fresh nn.Module.
    """
    validate.count("channels", channels)
    n = conv_out(conv_out(conv_out(length, 5, 2, 1), 3, 2, 1), 3, 2, 1)
    return nn.Sequential(
        nn.Unflatten(1, (1, length)),
        nn.Conv1d(1, channels, 5, stride=2, padding=1),
        _act(activation),
        nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        _act(activation),
        nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        _act(activation),
        nn.Flatten(),
        nn.Linear(channels * n, 10),
    )


def digits(device="cpu", n_test=DIGITS_TEST):
    """Return scikit-learn's 8x8 digits (1,797 images) as a Split, rows of 64 in [0, 1].

    The split is fixed (stratified, random_state=0): 1,297 train / 500 test by default.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    validate.count("n_test", n_test)
    x, y = load_digits(return_X_y=True)
    if n_test >= len(y) - 10:
        raise ValueError(f"n_test={n_test} leaves too few of the {len(y)} images")
    xtr, xte, ytr, yte = train_test_split(
        x, y, test_size=n_test, random_state=0, stratify=y
    )
    t = lambda a: torch.tensor(a / 16.0, dtype=torch.float32)
    return Split(t(xtr), torch.tensor(ytr), t(xte), torch.tensor(yte)).to(device)


class BatchStatNorm2d(nn.Module):
    """BatchNorm2d that always normalises with the current batch's statistics.

    It equals nn.BatchNorm2d(c, track_running_stats=False); having no running
    statistics, it can be vmapped by train_many (evaluate on large batches).
    """

    def __init__(self, channels, eps=1e-5):
        super().__init__()
        validate.count("channels", channels)
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        """Normalise each channel over the batch and the image, then scale and shift."""
        return F.batch_norm(x, None, None, self.weight, self.bias, True, 0.0, self.eps)


def _block(c_in, c_out, activation, norm, pool):
    conv, act = nn.Conv2d(c_in, c_out, 3, padding=1), _act(activation)
    if norm == "conv-bn-act":
        seq = [conv, BatchStatNorm2d(c_out), act]
    elif norm == "conv-act-bn":
        seq = [conv, act, BatchStatNorm2d(c_out)]
    else:
        seq = [conv, act]
    # the pooling sits right after (act-pool) or right before (pool-act) the activation
    i = seq.index(act)
    seq.insert(i + 1 if pool == "act-pool" else i, nn.MaxPool2d(2))
    return seq


def digits_cnn(
    activation="relu", channels=(8, 16), norm=None, pool="act-pool", head="linear"
):
    """Return a 2-D CNN for 8x8 images given as rows of 64: two conv blocks, a head.

    Each block is Conv2d(3x3, pad 1), the activation and MaxPool2d(2) in the order
    `pool` ("act-pool" or "pool-act"), with BatchStatNorm2d placed by `norm` (None,
    "conv-bn-act" or "conv-act-bn"). head: "linear" (flatten -> Linear to 10),
    "hidden" (flatten -> Linear(64) -> act -> Linear to 10) or "act-on-logits" (the
    activation applied to the 10 outputs too).
    """
    if norm is not None:
        validate.choice("norm", norm, NORM_ORDERS)
    validate.choice("pool", pool, POOL_ORDERS)
    validate.choice("head", head, HEADS)
    c1, c2 = (validate.count("channels", c) for c in channels)
    flat = c2 * 2 * 2
    layers = [nn.Unflatten(1, (1, 8, 8))]
    layers += _block(1, c1, activation, norm, pool)
    layers += _block(c1, c2, activation, norm, pool)
    layers.append(nn.Flatten())
    if head == "hidden":
        layers += [nn.Linear(flat, 64), _act(activation), nn.Linear(64, 10)]
    else:
        layers.append(nn.Linear(flat, 10))
    if head == "act-on-logits":
        layers.append(_act(activation))
    return nn.Sequential(*layers)


def resume(many):
    """Return a make_model for train_many that rebuilds the K models of `many` in order.

    train_many builds one model per seed, in the order of its seeds; pass the same seeds
    to continue each run from its own weights (with a fresh optimiser state).
    """
    it = iter(range(many.k))
    return lambda: many.model(next(it))


def train_phases(make_model, seeds, data, phases, desc="training", **kwargs):
    """Train with train_many in phases of (epochs, lr); return (History, ManyModels).

    Each phase starts from the previous phase's weights with a fresh AdamW state; the
    History's per-epoch tensors are joined over the phases. kwargs go to train_many.
    """
    if not phases:
        raise ValueError("phases must be a non-empty list of (epochs, lr) pairs")
    seeds = validate.seeds(seeds)
    parts, many = [], None
    for i, (epochs, lr) in enumerate(phases):
        builder = make_model if many is None else resume(many)
        h, many = train_many(
            builder,
            seeds,
            data,
            epochs=epochs,
            lr=lr,
            return_models=True,
            desc=f"{desc} ({i + 1}/{len(phases)})",
            **kwargs,
        )
        parts.append(h)
    keys = ("train_loss", "test_loss", "train_acc", "test_acc", "grad_norm")
    joined = {
        k: None
        if getattr(parts[0], k) is None
        else torch.cat([getattr(p, k) for p in parts])
        for k in keys
    }
    return History(**joined, seconds=sum(p.seconds for p in parts)), many
