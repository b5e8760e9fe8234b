"""A small character-level transformer language model with a swappable FFN block.

The text is Python's own standard library: the source files of a fixed list of modules
(`stdlib_text`), so it ships with every Python and needs no download; the last tenth of
each file is held out for validation. It depends on the Python version, which
`CharText.python` records.

`CharLM` holds K decoder-only transformers with stacked weights (every parameter has a
leading dimension K) and runs them in one batched forward pass, so several seeds train
together. Only the feed-forward block (FFN) differs between variants:

* ungated, ``act(x W1) W2``: "relu", "gelu", "silu", and "linear" (no activation);
* gated (Shazeer 2020), ``(act(x W) * (x V)) W2``: "reglu", "geglu", "swiglu", and
  "bilinear" (no activation).

No FFN has biases, as in T5. A gated FFN has three matrices instead of two, so it gets
2/3 of the hidden width (`hidden_width`), and both have the same number of parameters
when d_ff is divisible by 3. Seed s gives every variant the same embeddings, attention
and head weights and the same minibatches; only the FFN's own weights differ.
"""

import importlib
import inspect
import math
import sys
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import validate
from .train import _progress

STDLIB_MODULES = (
    "argparse",
    "calendar",
    "difflib",
    "heapq",
    "random",
    "string",
    "textwrap",
)
_ACTS = {
    "relu": F.relu,
    "gelu": F.gelu,
    "silu": F.silu,
    "linear": None,
    "reglu": F.relu,
    "geglu": F.gelu,
    "swiglu": F.silu,
    "bilinear": None,
}
UNGATED = ("relu", "gelu", "silu", "linear")
GATED = ("reglu", "geglu", "swiglu", "bilinear")
FFNS = UNGATED + GATED


def _ffn_name(ffn):
    if ffn not in FFNS:
        raise ValueError(f"unknown ffn {ffn!r}; choose one of: {', '.join(FFNS)}")
    return ffn


def is_gated(ffn):
    """Return True for a gated FFN (three matrices), False for an ungated one."""
    return _ffn_name(ffn) in GATED


def hidden_width(ffn, d_ff):
    """Return the FFN's hidden width: d_ff, or 2/3 of it for a gated FFN."""
    d_ff = validate.count("d_ff", d_ff)
    if not is_gated(ffn):
        return d_ff
    if d_ff % 3:
        raise ValueError(
            f"invalid d_ff={d_ff} for the gated ffn {ffn!r}: 2/3 of it must be a whole "
            f"number; choose d_ff divisible by 3, e.g. {3 * math.ceil(d_ff / 3)}"
        )
    return 2 * d_ff // 3


def ffn_parameters(ffn, d_model, d_ff):
    """Return the number of weights of one FFN block (no biases)."""
    d_model = validate.count("d_model", d_model)
    return (3 if is_gated(ffn) else 2) * d_model * hidden_width(ffn, d_ff)


# ----------------------------------------------------------------------------- data


@dataclass
class CharText:
    """A text as character ids: train and val are 1-D int64 tensors.

    chars is the vocabulary (id i is chars[i]); sources lists (module, characters);
    python is the version whose library the text was read from.
    """

    train: torch.Tensor
    val: torch.Tensor
    chars: str
    sources: tuple
    python: str

    @property
    def vocab_size(self):
        """Number of distinct characters."""
        return len(self.chars)

    def encode(self, text):
        """Return the ids of text's characters (each must be in the vocabulary)."""
        index = {c: i for i, c in enumerate(self.chars)}
        missing = sorted(set(text) - set(index))
        if missing:
            raise ValueError(f"characters not in the vocabulary: {missing!r}")
        return torch.tensor([index[c] for c in text], dtype=torch.long)

    def decode(self, ids):
        """Return the text of a sequence of ids."""
        return "".join(self.chars[int(i)] for i in ids)


def stdlib_text(modules=STDLIB_MODULES, val_fraction=0.1):
    """Return the sources of the given standard-library modules as a CharText.

    The last val_fraction of each file is the validation text, the rest training.
    """
    val_fraction = validate.real(
        "val_fraction", val_fraction, 0.0, 1.0, low_open=True, high_open=True
    )
    if isinstance(modules, str) or not modules:
        raise TypeError(
            f"invalid modules={modules!r}; give a non-empty sequence of module names, "
            f"e.g. {STDLIB_MODULES[:2]}"
        )
    texts = []
    for name in modules:
        try:
            mod = importlib.import_module(name)
            texts.append(inspect.getsource(mod))
        except (ImportError, OSError, TypeError) as e:
            raise ValueError(
                f"cannot read the source of module {name!r} ({e}); choose pure-Python "
                f"standard-library modules such as {', '.join(STDLIB_MODULES)}"
            ) from None
    chars = "".join(sorted(set("".join(texts))))
    index = {c: i for i, c in enumerate(chars)}
    train, val = [], []
    for t in texts:
        cut = round(len(t) * (1 - val_fraction))
        train.append(t[:cut])
        val.append(t[cut:])

    def ids(parts):
        return torch.tensor([index[c] for c in "".join(parts)], dtype=torch.long)

    return CharText(
        train=ids(train),
        val=ids(val),
        chars=chars,
        sources=tuple((m, len(t)) for m, t in zip(modules, texts)),
        python=".".join(map(str, sys.version_info[:3])),
    )


def val_windows(ids, context):
    """Return (inputs, targets): the non-overlapping windows of ids, (n, context)."""
    context = validate.count("context", context)
    n = (len(ids) - 1) // context
    if n < 1:
        raise ValueError(f"{len(ids)} ids are too few for one window of {context}")
    x = ids[: n * context].view(n, context)
    y = ids[1 : n * context + 1].view(n, context)
    return x, y


# ---------------------------------------------------------------------------- model


def _normal(gen, k, *shape, std):
    return torch.randn(k, *shape, generator=gen) * std


class CharLM(nn.Module):
    """K decoder-only transformers (pre-LayerNorm) with stacked weights.

    Input ids (K, B, T) -> logits (K, B, T, vocab). Model k's weights are drawn from
    seeds[k] (the FFN's from a second generator of the same seed), so two variants
    with the same seeds share everything but the FFN.
    """

    def __init__(
        self,
        vocab_size,
        ffn="relu",
        seeds=(0,),
        d_model=48,
        n_layers=2,
        n_heads=4,
        context=64,
        d_ff=192,
    ):
        super().__init__()
        self.ffn = _ffn_name(ffn)
        seeds = validate.seeds(seeds)
        vocab_size = validate.count("vocab_size", vocab_size, 2)
        d = self.d_model = validate.count("d_model", d_model)
        self.n_layers = validate.count("n_layers", n_layers)
        self.n_heads = validate.count("n_heads", n_heads)
        if d % n_heads:
            raise ValueError(
                f"d_model={d} must be divisible by n_heads={n_heads} (each head gets "
                "d_model / n_heads dimensions)"
            )
        self.context = validate.count("context", context)
        f = self.hidden = hidden_width(ffn, d_ff)
        self.k = k = len(seeds)
        self.act = _ACTS[ffn]
        self.gated = is_gated(ffn)
        res = 1 / math.sqrt(2 * n_layers)  # residual branches start small

        # shared part: drawn in the same order for every variant
        gens = [torch.Generator().manual_seed(s) for s in seeds]
        ffn_gens = [torch.Generator().manual_seed(10_000 + s) for s in seeds]

        def p(shape, std, g=gens):
            return nn.Parameter(
                torch.cat([_normal(gi, 1, *shape, std=std) for gi in g])
            )

        self.tok = p((vocab_size, d), 1.0)
        self.pos = p((context, d), 0.1)
        self.qkv = nn.ParameterList()
        self.attn_out = nn.ParameterList()
        self.ffn_in = nn.ParameterList()
        self.ffn_out = nn.ParameterList()
        for _ in range(n_layers):
            self.qkv.append(p((d, 3 * d), 1 / math.sqrt(d)))
            self.attn_out.append(p((d, d), res / math.sqrt(d)))
        for _ in range(n_layers):
            width = 2 * f if self.gated else f
            self.ffn_in.append(p((d, width), 1 / math.sqrt(d), ffn_gens))
            self.ffn_out.append(p((f, d), res / math.sqrt(f), ffn_gens))
        self.head = p((d, vocab_size), 1 / math.sqrt(d))
        ones = torch.ones(k, 2 * n_layers + 1, d)
        self.ln_gain = nn.Parameter(ones)
        self.ln_bias = nn.Parameter(torch.zeros_like(ones))

    def _ln(self, x, i):
        x = F.layer_norm(x, (self.d_model,))
        return x * self.ln_gain[:, i, None, :] + self.ln_bias[:, i, None, :]

    def hidden_product(self, h, layer):
        """Return layer's FFN hidden values for h (K, N, d): what W2 multiplies."""
        z = torch.bmm(h, self.ffn_in[layer])
        if self.gated:
            gate, value = z.chunk(2, dim=-1)
            return (gate if self.act is None else self.act(gate)) * value
        return z if self.act is None else self.act(z)

    def ffn_block(self, h, layer):
        """Return layer's FFN output for its (normalised) input h, (K, N, d_model)."""
        return torch.bmm(self.hidden_product(h, layer), self.ffn_out[layer])

    def forward(self, ids, return_ffn_inputs=False):
        """Return the logits (K, B, T, vocab); ids is (K, B, T) or (B, T) shared.

        With return_ffn_inputs=True, also the list of each layer's FFN inputs (after
        its LayerNorm), (K, B*T, d_model) each.
        """
        if ids.dim() == 2:
            ids = ids.expand(self.k, *ids.shape)
        k, b, t = ids.shape
        if k != self.k or t > self.context:
            raise ValueError(
                f"ids of shape {tuple(ids.shape)}; expected ({self.k}, batch, <= "
                f"{self.context})"
            )
        rows = torch.arange(k, device=ids.device)[:, None, None]
        x = (self.tok[rows, ids] + self.pos[:, None, :t]).reshape(k, b * t, -1)
        d, nh = self.d_model, self.n_heads
        inputs = []
        for layer in range(self.n_layers):
            h = self._ln(x, 2 * layer)
            q, kk, v = (
                torch.bmm(h, self.qkv[layer])
                .view(k * b, t, 3, nh, d // nh)
                .permute(2, 0, 3, 1, 4)
            )
            a = F.scaled_dot_product_attention(q, kk, v, is_causal=True)
            a = a.transpose(1, 2).reshape(k, b * t, d)
            x = x + torch.bmm(a, self.attn_out[layer])
            h = self._ln(x, 2 * layer + 1)
            if return_ffn_inputs:
                inputs.append(h)
            x = x + self.ffn_block(h, layer)
        logits = torch.bmm(self._ln(x, 2 * self.n_layers), self.head)
        logits = logits.view(k, b, t, -1)
        return (logits, inputs) if return_ffn_inputs else logits

    def ffn_parameter_count(self):
        """Return the weights of one model's FFN blocks (all layers)."""
        return sum(w[0].numel() for w in (*self.ffn_in, *self.ffn_out))

    def parameter_count(self):
        """Return the number of weights of one of the K models."""
        return sum(p[0].numel() for p in self.parameters())


@torch.no_grad()
def scaling_degree(model, h, layer, factor=2.0):
    """Return, per model (K,), the p with |FFN(factor h)| = factor^p |FFN(h)|.

    The norms are taken over all of h's rows (K, N, d_model): p = 1 for a linear or a
    bias-free ReLU FFN, p = 2 for a bilinear one.
    """
    factor = validate.real("factor", factor, 0.0, low_open=True)
    if factor == 1.0:
        raise ValueError("factor=1 cannot measure a degree; use e.g. factor=2")
    base = model.ffn_block(h, layer).flatten(1).norm(dim=1)
    scaled = model.ffn_block(factor * h, layer).flatten(1).norm(dim=1)
    return torch.log(scaled / base) / math.log(factor)


# ------------------------------------------------------------------------- training


@dataclass
class LMHistory:
    """Losses of K models in nats per character.

    steps: the steps at which val_loss (len(steps), K), on a subset of the validation
    windows, was measured (0 = before training); final_val_loss (K,) is on all of them;
    train_loss is (steps, K); seconds is the training time (without the final
    evaluation).
    """

    steps: list
    val_loss: torch.Tensor
    train_loss: torch.Tensor
    seconds: float
    final_val_loss: torch.Tensor = None
    extra: dict = field(default_factory=dict)


@torch.no_grad()
def val_loss(model, windows, batch_size=256):
    """Return each of the K models' mean loss (nats per character) on the windows."""
    x, y = windows
    total = torch.zeros(model.k)
    for s in range(0, len(x), batch_size):
        xb, yb = x[s : s + batch_size], y[s : s + batch_size]
        logits = model(xb)
        loss = F.cross_entropy(
            logits.flatten(1, 2).transpose(1, 2),
            yb.expand(model.k, *yb.shape).flatten(1),
            reduction="none",
        )
        total += loss.sum(1).cpu()
    return total / y.numel()


def _batches(ids, seeds, batch_size, context):
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    high = len(ids) - context - 1
    offsets = torch.arange(context + 1)
    while True:
        start = torch.stack(
            [torch.randint(0, high, (batch_size,), generator=g) for g in gens]
        )
        w = ids[(start[..., None] + offsets).to(ids.device)]  # (K, B, context + 1)
        yield w[..., :-1], w[..., 1:]


def train_lm(
    text,
    ffn,
    seeds,
    steps=300,
    batch_size=32,
    lr=3e-3,
    warmup=30,
    weight_decay=0.0,
    eval_every=25,
    curve_stride=8,
    device=None,
    progress=True,
    desc=None,
    **model_kw,
):
    """Train one CharLM per seed (all at once) on text.train; return (history, model).

    AdamW with lr warmed up linearly over warmup steps, then cosine decay to lr / 10.
    Model k draws its minibatches (batch_size random windows of model.context + 1
    characters) from seeds[k]; device=None trains on the CPU. history.val_loss, the
    curve, is measured every eval_every steps on every curve_stride-th window of
    text.val; history.final_val_loss at the end on all of them.
    """
    steps = validate.count("steps", steps)
    batch_size = validate.count("batch_size", batch_size)
    lr = validate.real("lr", lr, 0.0, low_open=True)
    warmup = validate.count("warmup", warmup, 0)
    eval_every = validate.count("eval_every", eval_every)
    curve_stride = validate.count("curve_stride", curve_stride)
    seeds = validate.seeds(seeds)
    device = torch.device("cpu") if device is None else validate.device(device)
    model = CharLM(text.vocab_size, ffn, seeds, **model_kw).to(device)
    windows = tuple(w.to(device) for w in val_windows(text.val, model.context))
    curve = tuple(w[::curve_stride] for w in windows)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)

    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.45 * (1 + math.cos(math.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    batches = _batches(text.train.to(device), seeds, batch_size, model.context)
    at, vals, train = [0], [val_loss(model, curve)], []
    t0 = time.perf_counter()
    with _progress(steps, desc or f"{ffn}, {len(seeds)} seeds", progress) as bar:
        for step in range(1, steps + 1):
            x, y = next(batches)
            logits = model(x)
            loss = F.cross_entropy(
                logits.flatten(1, 2).transpose(1, 2), y.flatten(1), reduction="none"
            ).mean(1)  # (K,): each model's own mean; their sum keeps them independent
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            opt.step()
            sched.step()
            train.append(loss.detach())
            if step % eval_every == 0 or step == steps:
                at.append(step)
                vals.append(val_loss(model, curve))
                bar.set_postfix(val=f"{float(vals[-1].mean()):.3f}")
            bar.update(1)
    hist = LMHistory(
        steps=at,
        val_loss=torch.stack(vals),
        train_loss=torch.stack(train),
        seconds=time.perf_counter() - t0,
        final_val_loss=val_loss(model, windows),
    )
    return hist, model
