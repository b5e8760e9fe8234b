"""Vectorised hyper-parameter sweeps.

k-fold splits, buffered-parameter modules, measurements during training.

Models of one sweep are trained at once with `actlib.train.train_many` (`train_tracked`
adds a measurement after every epoch through its on_epoch hook). A parameter that
differs between those models must live in a buffer, hence `BufferedActivation` and
`BufferedDropout`.
"""

from dataclasses import dataclass

import torch
from torch import nn

from .data import Split
from .diagnostics import dead_fraction, inactive_fraction
from . import functions as fn
from . import validate
from .registry import ActivationModule
from .stats import mean_ci
from .train import train_many

# Activations whose one parameter can differ between models of one vectorised run, and
# that parameter's name.
SWEEPABLE = {"leaky_relu": "negative_slope", "elu": "alpha", "swish": "beta"}


class BufferedActivation(ActivationModule):
    """Leaky ReLU, ELU or Swish-β whose parameter is a buffer (not trained).

    Models with different values therefore stack.
    """

    def __init__(self, name, value):
        if name not in SWEEPABLE:
            raise ValueError(
                f"unknown sweepable activation {name!r}; choose one of: "
                f"{', '.join(SWEEPABLE)}"
            )
        super().__init__(
            name, **{SWEEPABLE[name]: float(value)}
        )  # the registry validates the value
        self.kind = name
        self.register_buffer("value", torch.tensor(float(value)))

    def forward(self, x):
        # Written without torch.where, which is 3-5x slower under vmap + autograd; both
        # forms are exact.
        v = self.value
        if self.kind == "leaky_relu":
            return torch.relu(x) - v * torch.relu(-x)
        if self.kind == "elu":
            return torch.relu(x) + v * torch.expm1(torch.clamp(x, max=0.0))
        return fn.swish(x, v)  # a tensor beta: one fused sigmoid kernel

    def extra_repr(self):
        return f"{self.kind}, {SWEEPABLE[self.kind]}={float(self.value):g} (buffer)"


class BufferedDropout(nn.Module):
    """Dropout whose rate p is a buffer.

    Models with different rates therefore stack in train_many (one mask per model).
    """

    def __init__(self, p=0.5):
        super().__init__()
        if not 0.0 <= float(p) < 1.0:
            raise ValueError(f"invalid dropout rate p={p!r}; it must be in [0, 1)")
        self.register_buffer("p", torch.tensor(float(p)))

    def forward(self, x):
        if not self.training:
            return x
        keep = 1.0 - self.p
        return x * (torch.rand_like(x) < keep).to(x.dtype) / keep

    def extra_repr(self):
        return f"p={float(self.p):g} (buffer)"


# -------------------------------------------------------------- k-fold cross-validation


def kfold(data, k=3, seed=0):
    """Return k Splits of data's training set.

    In Split i the i-th of k disjoint parts is held out as the test set.
    """
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"invalid k={k!r}; it must be an integer >= 2")
    n = len(data.x_train)
    if k > n:
        raise ValueError(f"k={k} is larger than the {n} training rows")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).to(
        data.x_train.device
    )
    parts = perm.tensor_split(k)
    splits = []
    for i in range(k):
        train_idx = torch.cat([p for j, p in enumerate(parts) if j != i])
        held = parts[i]
        splits.append(
            Split(
                data.x_train[train_idx],
                data.y_train[train_idx],
                data.x_train[held],
                data.y_train[held],
            )
        )
    return splits


@dataclass
class SweepResult:
    """Held-out scores of a sweep: scores[f, v, s].

    For fold f, value v, seed s (accuracy on the held-out fold).
    """

    values: list
    seeds: list
    scores: torch.Tensor
    # one History per fold, with models ordered value-major (value 0 seeds..., value 1
    # seeds...)
    history: list
    records: list = (
        None  # per fold, train_tracked's records when the sweep was given a measure
    )

    def runs(self, i):
        """Return the k * len(seeds) held-out scores of value i.

        Flattened over folds and seeds.
        """
        return self.scores[:, i, :].flatten()

    def summary(self, confidence=0.95):
        """Return [(value, mean, half-width)] over folds and seeds.

        One row per value.
        """
        return [
            (v, *mean_ci(self.runs(i), confidence)) for i, v in enumerate(self.values)
        ]

    def best(self):
        """Return (index, value) of the value with the highest mean held-out score."""
        means = self.scores.mean(dim=(0, 2))
        i = int(means.argmax())
        return i, self.values[i]

    def paired_gaps(self, confidence=0.95):
        """Return [(value, mean, half-width)] of each value's score minus the best's.

        The scores are paired by fold and seed.
        """
        b, _ = self.best()
        out = []
        for i, v in enumerate(self.values):
            diff = self.runs(i) - self.runs(b)
            out.append((v, 0.0, 0.0) if i == b else (v, *mean_ci(diff, confidence)))
        return out


def sweep(
    make_model, values, seeds, data, k=3, fold_seed=0, measure=None, **train_kwargs
):
    """Cross-validate one model per (value, seed) on k folds of data's training set.

    Return a SweepResult.

    make_model(value) builds a model; all values share the seeds, so the same seed gives
    the same initial weights and minibatch order for every value (the comparison between
    values is paired). Extra keyword arguments go to train_many (epochs, lr, batch_size,
    optimizer, device, ...). With measure, training runs through train_tracked and
    SweepResult.records[f] holds fold f's records (see train_tracked).
    """
    values, seeds = list(values), validate.seeds(seeds)
    if not values:
        raise ValueError(f"give at least one value to sweep, got values={values!r}")
    order = [(v, s) for v in values for s in seeds]
    scores, histories, records = [], [], []
    desc = train_kwargs.pop("desc", "sweep")
    for f, split in enumerate(kfold(data, k, fold_seed)):
        queue = iter(order)
        args = (lambda: make_model(next(queue)[0]), [s for _, s in order], split)
        kw = dict(train_kwargs, desc=f"{desc} fold {f + 1}/{k}")
        if measure is None:
            hist = train_many(*args, **kw)
        else:
            hist, rec = train_tracked(*args, measure, **kw)
            records.append(rec)
        scores.append(hist.test_acc[-1].view(len(values), len(seeds)))
        histories.append(hist)
    return SweepResult(
        values,
        seeds,
        torch.stack(scores),
        histories,
        records if measure is not None else None,
    )


# ------------------------------------------------------------ measuring during training


def silent_fraction(model, x, batch_size=4096):
    """Return, per activation layer, the fraction of dead units.

    A unit is dead when its pre-activation is <= 0 on every row of x.
    """
    return inactive_fraction(model, x, lambda module, z: z > 0, batch_size)


def train_tracked(
    make_model, seeds, data, measure, return_models=False, **train_kwargs
):
    """Train exactly as train_many does, calling measure along the way.

    measure(model) is called on every model at init and after each epoch.

    Return (History, records) with records[e][k] = measure(model k) after e epochs (e =
    0: the initial model), and with return_models=True also the K trained models as
    ordinary nn.Modules (History, records, models); measure receives an ordinary
    nn.Module in eval mode holding model k's current weights (a copy: changing it does
    not affect training; it is reused, so keep results, not the module).
    """

    def on_epoch(epoch, many):
        return [measure(many.current(i)) for i in range(many.k)]

    history, many = train_many(
        make_model, seeds, data, return_models=True, on_epoch=on_epoch, **train_kwargs
    )
    records = history.extra["on_epoch"]
    if return_models:
        return history, records, [many.current(i) for i in range(many.k)]
    return history, records


def track_dead(make_model, seeds, data, epochs=20, **train_kwargs):
    """Train as train_tracked does, measuring the dead fraction.

    Return (History, dead[, models]), dead[e, k, l] the dead fraction at epoch e.
    """
    x = data.x_train

    def measure(m):
        return list(dead_fraction(m, x).values())

    out = train_tracked(make_model, seeds, data, measure, epochs=epochs, **train_kwargs)
    return (out[0], torch.tensor(out[1])) + tuple(out[2:])
