"""Tests for actlib.transformer: the stdlib text, the batched CharLM and its FFNs."""

import math

import pytest
import torch
import torch.nn.functional as F

from actlib import transformer as T

SMALL = dict(d_model=12, n_layers=1, n_heads=2, context=8, d_ff=24)


@pytest.fixture(scope="module")
def text():
    return T.stdlib_text(("heapq", "string"))


def test_text_is_the_modules_source_split_per_file(text):
    import heapq
    import inspect
    import string

    sources = [inspect.getsource(heapq), inspect.getsource(string)]
    assert text.sources == (("heapq", len(sources[0])), ("string", len(sources[1])))
    assert len(text.train) + len(text.val) == sum(map(len, sources))
    # the validation text is the tail of each file, the training text the rest
    cut = round(len(sources[1]) * 0.9)
    assert text.decode(text.val[-(len(sources[1]) - cut) :]) == sources[1][cut:]
    assert text.decode(text.train[:50]) == sources[0][:50]
    assert text.chars == "".join(sorted(set("".join(sources))))
    assert text.python.count(".") == 2
    assert text.decode(text.encode("def f(x):")) == "def f(x):"


def test_bad_text_arguments_are_refused():
    with pytest.raises(ValueError, match="cannot read the source"):
        T.stdlib_text(("no_such_module_xyz",))
    with pytest.raises(TypeError, match="sequence of module names"):
        T.stdlib_text("heapq")
    with pytest.raises(ValueError, match="val_fraction"):
        T.stdlib_text(val_fraction=1.0)


def test_val_windows_are_the_text_shifted_by_one():
    ids = torch.arange(20)
    x, y = T.val_windows(ids, 6)
    assert x.shape == y.shape == (3, 6)
    assert torch.equal(y, x + 1)
    assert torch.equal(x.flatten(), ids[:18])


@pytest.mark.parametrize("ffn", T.FFNS)
def test_gated_ffns_get_two_thirds_of_the_width_and_the_same_parameters(ffn):
    assert T.hidden_width(ffn, 192) == (128 if T.is_gated(ffn) else 192)
    assert T.ffn_parameters(ffn, 48, 192) == 2 * 48 * 192
    model = T.CharLM(50, ffn, seeds=[0], **SMALL)
    assert model.ffn_parameter_count() == T.ffn_parameters(ffn, 12, 24)
    relu = T.CharLM(50, "relu", seeds=[0], **SMALL)
    assert model.parameter_count() == relu.parameter_count()


def test_width_not_divisible_by_three_and_unknown_ffn_are_refused():
    with pytest.raises(ValueError, match="divisible by 3, e.g. 99"):
        T.hidden_width("swiglu", 97)
    assert T.hidden_width("relu", 97) == 97
    with pytest.raises(ValueError, match="unknown ffn 'swish'; choose one of"):
        T.CharLM(10, "swish")
    with pytest.raises(ValueError, match="divisible by n_heads"):
        T.CharLM(10, "relu", d_model=10, n_heads=4)


def _single(model, k):
    """Model k of a stacked CharLM as its own CharLM with one seed."""
    one = T.CharLM(
        model.tok.shape[1],
        model.ffn,
        seeds=[0],
        d_model=model.d_model,
        n_layers=model.n_layers,
        n_heads=model.n_heads,
        context=model.context,
        d_ff=SMALL["d_ff"],
    )
    with torch.no_grad():
        for p, q in zip(one.parameters(), model.parameters()):
            p.copy_(q[k : k + 1])
    return one


def test_the_k_stacked_models_are_independent():
    torch.manual_seed(0)
    model = T.CharLM(30, "swiglu", seeds=[3, 4, 5], **SMALL)
    ids = torch.randint(0, 30, (3, 2, 8))
    out = model(ids)
    for k in range(3):
        alone = _single(model, k)(ids[k : k + 1])
        torch.testing.assert_close(out[k : k + 1], alone, atol=1e-5, rtol=1e-5)
    # a loss on model 1 alone gives no gradient to models 0 and 2
    out[1].sum().backward()
    g = model.ffn_in[0].grad
    assert g[1].abs().sum() > 0 and g[0].abs().sum() == 0 and g[2].abs().sum() == 0


def test_the_model_is_causal():
    model = T.CharLM(30, "gelu", seeds=[0], **SMALL)
    ids = torch.randint(0, 30, (1, 1, 8))
    changed = ids.clone()
    changed[..., 5] = (ids[..., 5] + 1) % 30
    a, b = model(ids), model(changed)
    torch.testing.assert_close(a[..., :5, :], b[..., :5, :])
    assert not torch.allclose(a[..., 5:, :], b[..., 5:, :])


def test_same_seed_shares_everything_but_the_ffn():
    relu = T.CharLM(30, "relu", seeds=[7], **SMALL)
    glu = T.CharLM(30, "geglu", seeds=[7], **SMALL)
    other = T.CharLM(30, "relu", seeds=[8], **SMALL)
    for name in ("tok", "pos", "head", "qkv.0", "attn_out.0"):
        assert torch.equal(relu.get_parameter(name), glu.get_parameter(name)), name
        assert not torch.equal(relu.get_parameter(name), other.get_parameter(name))


@pytest.mark.parametrize(
    "ffn, f",
    [
        ("relu", lambda g, v: F.relu(g)),
        ("linear", lambda g, v: g),
        ("swiglu", lambda g, v: F.silu(g) * v),
        ("geglu", lambda g, v: F.gelu(g) * v),
        ("reglu", lambda g, v: F.relu(g) * v),
        ("bilinear", lambda g, v: g * v),
    ],
)
def test_hidden_product_is_the_formula(ffn, f):
    model = T.CharLM(30, ffn, seeds=[0, 1], **SMALL)
    h = torch.randn(2, 5, 12)
    z = torch.bmm(h, model.ffn_in[0])
    gate, value = (z.chunk(2, -1)) if T.is_gated(ffn) else (z, None)
    torch.testing.assert_close(model.hidden_product(h, 0), f(gate, value))


def test_bilinear_is_quadratic_and_linear_ffn_linear_in_its_input():
    h = torch.randn(1, 5, 12)
    bil = T.CharLM(30, "bilinear", seeds=[0], **SMALL)
    lin = T.CharLM(30, "linear", seeds=[0], **SMALL)
    torch.testing.assert_close(
        bil.hidden_product(3 * h, 0), 9 * bil.hidden_product(h, 0)
    )
    torch.testing.assert_close(
        lin.hidden_product(3 * h, 0), 3 * lin.hidden_product(h, 0)
    )


def test_val_loss_is_the_mean_cross_entropy():
    model = T.CharLM(30, "relu", seeds=[0, 1], **SMALL)
    x = torch.randint(0, 30, (5, 8))
    y = torch.randint(0, 30, (5, 8))
    got = T.val_loss(model, (x, y), batch_size=2)
    with torch.no_grad():
        logits = model(x)
    for k in range(2):
        want = F.cross_entropy(logits[k].reshape(-1, 30), y.flatten())
        assert abs(float(got[k]) - float(want)) < 1e-5
    # an untrained model with small logits is near the uniform guess, log(vocab)
    assert abs(float(got.mean()) - math.log(30)) < 1.5


def test_training_lowers_the_loss_and_is_reproducible(text):
    kw = dict(steps=30, batch_size=8, lr=1e-2, warmup=5, eval_every=10, **SMALL)
    h1, _ = T.train_lm(text, "swiglu", [0, 1], progress=False, **kw)
    h2, _ = T.train_lm(text, "swiglu", [0, 1], progress=False, **kw)
    assert h1.steps == [0, 10, 20, 30]
    assert h1.val_loss.shape == (4, 2) and h1.train_loss.shape == (30, 2)
    assert h1.final_val_loss.shape == (2,)
    assert bool((h1.val_loss[-1] < h1.val_loss[0] - 0.5).all())
    torch.testing.assert_close(h1.final_val_loss, h2.final_val_loss)
    assert not torch.equal(h1.train_loss[:, 0], h1.train_loss[:, 1])


def test_training_one_seed_alone_gives_the_same_model(text):
    kw = dict(steps=5, batch_size=4, warmup=2, progress=False, **SMALL)
    _, both = T.train_lm(text, "gelu", [0, 1], **kw)
    _, alone = T.train_lm(text, "gelu", [1], **kw)
    for p, q in zip(both.parameters(), alone.parameters()):
        torch.testing.assert_close(p[1:2], q, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(
    "ffn, low, high",
    [("relu", 1, 1), ("linear", 1, 1), ("bilinear", 2, 2), ("swiglu", 1.5, 3.0)],
)
def test_scaling_degree(ffn, low, high):
    model = T.CharLM(30, ffn, seeds=[0, 1], **SMALL)
    h = torch.randn(2, 40, 12)
    p = T.scaling_degree(model, h, 0)
    assert p.shape == (2,)
    assert bool((p > low - 1e-4).all() and (p < high + 1e-4).all()), p
    with pytest.raises(ValueError, match="factor=1"):
        T.scaling_degree(model, h, 0, factor=1)
