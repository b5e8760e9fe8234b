"""Small training loops: `train` for one model, `train_many` for many.

`train_many` trains many models at once (vectorised with torch.func).
"""

import copy
import math
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import validate

TASKS = ("classify", "regress")
# Both trainers implement AdamW (Loshchilov & Hutter 2019: Adam with decoupled weight
# decay) and plain SGD; with weight_decay=0 AdamW is exactly Adam.
OPTIMIZERS = ("adamw", "sgd")


@dataclass
class History:
    """Per-epoch records of training.

    Each field is a tensor of shape (epochs,) for one model or (epochs, models) for
    many.
    """

    train_loss: torch.Tensor
    test_loss: torch.Tensor
    train_acc: torch.Tensor = None
    test_acc: torch.Tensor = None
    grad_norm: torch.Tensor = None
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def final(self, key="test_acc"):
        """Return the last epoch's value of `key`.

        It is a float for one model, a tensor over models for many.
        """
        v = getattr(self, key)[-1]
        return float(v) if v.dim() == 0 else v


def _check(
    task,
    optimizer,
    epochs,
    batch_size,
    lr,
    weight_decay,
    clip_norm,
    device,
    data,
    k=None,
):
    """Validate the arguments train and train_many share.

    Return (lr, weight_decay, clip_norm, device).
    """
    validate.choice("task", task, TASKS)
    if optimizer == "adam":
        raise ValueError(
            "optimizer='adam': this trainer implements AdamW (Adam with decoupled "
            "weight decay, identical to Adam when weight_decay=0); say "
            "optimizer='adamw'"
        )
    validate.choice("optimizer", optimizer, OPTIMIZERS)
    validate.count("epochs", epochs)
    validate.count("batch_size", batch_size)
    validate.split(data)
    lr = validate.learning_rate(lr, k)
    weight_decay = validate.weight_decay(weight_decay, k)
    clip_norm = validate.clip_norm(clip_norm, k)
    device = data.x_train.device if device is None else validate.device(device)
    return lr, weight_decay, clip_norm, device


@torch.no_grad()
def _check_model_on(model, data, task):
    """Run the model on two training rows.

    In eval mode: no running statistics move, no randomness is drawn.
    """
    first = validate.model_with_parameters(model)
    x = data.x_train[:2]
    validate.inputs_match(data, first.dtype if first.is_floating_point() else x.dtype)
    was_training = model.training
    model.eval()
    try:
        out = model(x)
    except (RuntimeError, ValueError, IndexError) as e:
        raise ValueError(
            "the model cannot take data.x_train's rows, of shape "
            f"{tuple(x.shape[1:])} and dtype {x.dtype}: {e}"
        ) from e
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            f"the model returned {type(out).__name__}; it must return a tensor of "
            "outputs"
        )
    validate.labels_for_output(data, out, task)


def _loss_and_acc(out, y, task):
    """Return per-row loss and per-row correctness (None for regression).

    out is (..., B, C), y is (..., B).
    """
    if task == "classify":
        loss = F.cross_entropy(out.flatten(0, -2), y.flatten(), reduction="none").view(
            y.shape
        )
        return loss, (out.argmax(-1) == y).float()
    return F.mse_loss(out.squeeze(-1), y.to(out.dtype), reduction="none"), None


def _progress(total, desc, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, leave=False)


def train(
    model,
    data,
    epochs=20,
    lr=1e-3,
    batch_size=128,
    optimizer="adamw",
    weight_decay=0.0,
    clip_norm=None,
    task="classify",
    seed=0,
    device=None,
    progress=True,
    desc="training",
    eval_train=True,
):
    """Train one model on a Split with minibatches.

    Return a History of loss, accuracy and gradient norm per epoch.

    The same defaults and meanings as train_many: the weights are the model's own (build
    it right after torch.manual_seed(seed) to reproduce train_many's run for that seed);
    `seed` draws the minibatch order; clip_norm=None means no clipping, a positive
    number clips the gradient's global norm to it; device=None trains on the data's
    device. Evaluation after each epoch runs in eval mode (dropout off, BatchNorm's
    running statistics). eval_train=False skips the pass over the training set after
    each epoch (a quarter of a small model's time): train_loss is then the mean
    minibatch loss during the epoch and train_acc is None.
    """
    lr, weight_decay, clip_norm, device = _check(
        task, optimizer, epochs, batch_size, lr, weight_decay, clip_norm, device, data
    )
    seed = validate.seed(seed)
    model.to(device)
    data = data.to(device)
    _check_model_on(model, data, task)
    n = len(data.x_train)
    g = torch.Generator().manual_seed(seed)
    # Decoupled weight decay (AdamW; for SGD the two forms coincide), the same rule as
    # train_many.
    opt_cls = torch.optim.AdamW if optimizer == "adamw" else torch.optim.SGD
    opt = opt_cls(model.parameters(), lr=lr, weight_decay=weight_decay)
    rec = {
        k: [] for k in ("train_loss", "test_loss", "train_acc", "test_acc", "grad_norm")
    }
    t0 = time.perf_counter()
    with _progress(epochs, desc, progress) as bar:
        for _ in range(epochs):
            model.train()
            perm = torch.randperm(n, generator=g).to(device)
            norms, batch_losses = [], []
            for s in range(0, n, batch_size):
                idx = perm[s : s + batch_size]
                loss, _ = _loss_and_acc(
                    model(data.x_train[idx]), data.y_train[idx], task
                )
                opt.zero_grad(set_to_none=True)
                loss.mean().backward()
                batch_losses.append(float(loss.detach().mean()) * len(idx))
                norm = nn.utils.clip_grad_norm_(
                    model.parameters(), math.inf if clip_norm is None else clip_norm
                )
                norms.append(float(norm))
                opt.step()
            tr_loss, tr_acc, te_loss, te_acc = _evaluate_one(
                model, data, task, eval_train
            )
            if not eval_train:
                tr_loss = sum(batch_losses) / n
            for k, v in zip(
                rec, (tr_loss, te_loss, tr_acc, te_acc, sum(norms) / len(norms))
            ):
                rec[k].append(v)
            bar.update(1)
            bar.set_postfix(
                loss=f"{tr_loss:.3f}",
                test_acc="-" if te_acc is None else f"{te_acc:.3f}",
            )
    hist = {
        k: torch.tensor(v) if v and v[0] is not None else None for k, v in rec.items()
    }
    return History(**hist, seconds=time.perf_counter() - t0)


@torch.no_grad()
def _evaluate_one(model, data, task, eval_train=True):
    model.eval()
    out = [] if eval_train else [(None, None)]
    sets = ((data.x_train, data.y_train), (data.x_test, data.y_test))
    for x, y in sets if eval_train else sets[1:]:
        loss, correct = _loss_and_acc(model(x), y, task)
        out.append(
            (float(loss.mean()), None if correct is None else float(correct.mean()))
        )
    model.train()
    (tr_l, tr_a), (te_l, te_a) = out
    return tr_l, tr_a, te_l, te_a


# ------------------------------------------------------------------ many models at once


class ManyModels:
    """K copies of one architecture with stacked weights.

    They are evaluated together with torch.func.vmap.
    """

    def __init__(self, models):
        from torch.func import stack_module_state

        if any(
            isinstance(m, nn.modules.batchnorm._BatchNorm)
            for mod in models
            for m in mod.modules()
        ):
            raise ValueError(
                "train_many cannot vmap BatchNorm (its running statistics update "
                "in place); use LayerNorm, or train these models one at a time "
                "with train()"
            )
        params, buffers = stack_module_state(models)
        self._views = models  # ordinary modules, reused by current(i)
        self.params = {
            k: v.detach().clone().requires_grad_(True) for k, v in params.items()
        }
        self.buffers = buffers
        self.base = copy.deepcopy(models[0]).to("meta")
        self.k = len(models)

    def _call(self, p, b, x):
        from torch.func import functional_call

        return functional_call(self.base, (p, b), (x,))

    def __call__(self, x, shared_input=False):
        """Return the K models' outputs.

        x is (K, B, ...) per model, or (B, ...) shared when shared_input=True.
        """
        from torch.func import vmap

        in_x = None if shared_input else 0
        return vmap(self._call, in_dims=(0, 0, in_x), randomness="different")(
            self.params, self.buffers, x
        )

    def train(self, mode=True):
        """Set train/eval mode (dropout) for all K models."""
        self.base.train(mode)
        return self

    @torch.no_grad()
    def current(self, i):
        """Return model i's current weights in an ordinary nn.Module in eval mode.

        The module is reused: keep results, not the module.
        """
        m = self._views[i]
        for name, t in self.params.items():
            m.get_parameter(name).copy_(t[i])
        for name, t in self.buffers.items():
            m.get_buffer(name).copy_(t[i])
        return m.eval()

    def model(self, i):
        """Return model i as an ordinary nn.Module.

        The module is a copy holding its trained weights.
        """
        m = copy.deepcopy(self.base).to_empty(
            device=next(iter(self.params.values())).device
        )
        state = {
            k: v[i].detach().clone() for k, v in {**self.params, **self.buffers}.items()
        }
        m.load_state_dict(state)
        return m


def train_many(
    make_model,
    seeds,
    data,
    epochs=20,
    lr=1e-3,
    batch_size=128,
    optimizer="adamw",
    weight_decay=0.0,
    clip_norm=None,
    task="classify",
    device=None,
    progress=True,
    desc="training",
    return_models=False,
    on_epoch=None,
    eval_train=True,
):
    """Train one model per seed at once (vectorised); lr may differ per model.

    Return a History with (epochs, K) tensors.

    Model k is built by make_model() right after torch.manual_seed(seeds[k]) and sees
    its own minibatch order drawn from the same seed, so the K runs are exactly K
    independent runs, done in one pass (dropout draws an independent mask per model).
    lr, weight_decay and clip_norm are numbers or one per model; the defaults and
    meanings are train's (clip_norm=None: no clipping; device=None: the data's device).
    on_epoch(epoch, many), if given, is called before training (epoch 0) and after every
    epoch; its results are kept in history.extra["on_epoch"], a list of epochs + 1
    entries. eval_train=False: as in train (mean minibatch loss, no train_acc).
    """
    if not callable(make_model) or isinstance(make_model, nn.Module):
        raise TypeError(
            "make_model must be a function that builds one model, e.g. lambda: "
            f"mlp([40, 100, 10]); got {type(make_model).__name__} (to train one "
            "given model, use train())"
        )
    seeds = validate.seeds(seeds)
    k = len(seeds)
    lr_k, wd_k, clip_k, device = _check(
        task,
        optimizer,
        epochs,
        batch_size,
        lr,
        weight_decay,
        clip_norm,
        device,
        data,
        k,
    )
    models = []
    for s in seeds:
        torch.manual_seed(s)
        m = make_model()
        if not isinstance(m, nn.Module):
            raise TypeError(
                f"make_model() returned {type(m).__name__}; it must return an nn.Module"
            )
        models.append(m.to(device))
    data = data.to(device)
    _check_model_on(models[0], data, task)
    many = ManyModels(models)
    lr_k, wd_k = lr_k.to(device), wd_k.to(device)
    clip_k = None if clip_k is None else clip_k.to(device)

    n = len(data.x_train)
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    state = {
        name: {"m": torch.zeros_like(p), "v": torch.zeros_like(p)}
        for name, p in many.params.items()
    }
    rec = {
        key: []
        for key in ("train_loss", "test_loss", "train_acc", "test_acc", "grad_norm")
    }
    step = 0
    tracked = [] if on_epoch is None else [on_epoch(0, many)]
    t0 = time.perf_counter()
    with _progress(epochs, desc, progress) as bar:
        for epoch in range(1, epochs + 1):
            many.train(True)
            perms = torch.stack([torch.randperm(n, generator=g) for g in gens]).to(
                device
            )
            norms, batch_losses = [], []
            for s in range(0, n, batch_size):
                idx = perms[:, s : s + batch_size]
                out = many(data.x_train[idx])
                loss, _ = _loss_and_acc(out, data.y_train[idx], task)
                batch_losses.append(loss.detach().sum(1))
                grads = torch.autograd.grad(
                    loss.mean(1).sum(), list(many.params.values())
                )
                grads = dict(zip(many.params, grads))
                norm = torch.sqrt(
                    sum(g.reshape(len(g), -1).pow(2).sum(1) for g in grads.values())
                )
                norms.append(norm.detach())
                scale = None
                if clip_k is not None:
                    scale = torch.clamp(clip_k / (norm + 1e-6), max=1.0)
                step += 1
                with torch.no_grad():
                    for name, p in many.params.items():
                        g = grads[name]
                        shape = (k,) + (1,) * (p.dim() - 1)
                        if scale is not None:
                            g = g * scale.view(shape)
                        p.mul_(
                            1 - (lr_k * wd_k).view(shape)
                        )  # decoupled weight decay (AdamW / SGDW)
                        if optimizer == "sgd":
                            p.sub_(lr_k.view(shape) * g)
                            continue
                        st = state[name]
                        st["m"].mul_(0.9).add_(g, alpha=0.1)
                        st["v"].mul_(0.999).addcmul_(g, g, value=0.001)
                        m_hat = st["m"] / (1 - 0.9**step)
                        v_hat = st["v"] / (1 - 0.999**step)
                        p.sub_(lr_k.view(shape) * m_hat / (v_hat.sqrt() + 1e-8))
            ev = _evaluate_many(many, data, task, eval_train)
            if not eval_train:
                ev = (torch.stack(batch_losses).sum(0).cpu() / n,) + ev[1:]
            for key, v in zip(rec, ev + (torch.stack(norms).mean(0).cpu(),)):
                rec[key].append(v)
            if on_epoch is not None:
                tracked.append(on_epoch(epoch, many))
            bar.update(1)
            bar.set_postfix(
                loss=f"{float(ev[0].mean()):.3f}",
                test_acc="-" if ev[3] is None else f"{float(ev[3].mean()):.3f}",
            )
    hist = {
        key: torch.stack(v) if v and v[0] is not None else None
        for key, v in rec.items()
    }
    history = History(**hist, seconds=time.perf_counter() - t0)
    if on_epoch is not None:
        history.extra["on_epoch"] = tracked
    return (history, many) if return_models else history


@torch.no_grad()
def _evaluate_many(many, data, task, eval_train=True):
    many.train(False)
    res = [] if eval_train else [(None, None)]
    sets = ((data.x_train, data.y_train), (data.x_test, data.y_test))
    for x, y in sets if eval_train else sets[1:]:
        out = many(x, shared_input=True)
        loss, correct = _loss_and_acc(out, y.expand(many.k, -1), task)
        res.append(
            (loss.mean(1).cpu(), None if correct is None else correct.mean(1).cpu())
        )
    many.train(True)
    (tr_l, tr_a), (te_l, te_a) = res
    return tr_l, te_l, tr_a, te_a
