"""Tests for actlib.recurrent: the from-scratch GRU and LSTM."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib import recurrent as R
from actlib.data import Split
from actlib.train import ManyModels, train_many

PAIRS = [(R.GRU, nn.GRU), (R.LSTM, nn.LSTM)]


def _pair(mine, theirs, bidirectional, seed=0, input_size=3, hidden=5):
    torch.manual_seed(seed)
    ref = theirs(input_size, hidden, batch_first=True, bidirectional=bidirectional)
    return mine(input_size, hidden, bidirectional=bidirectional).copy_from(ref), ref


def _h(state):
    return state if isinstance(state, torch.Tensor) else state[0]


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("mine, theirs", PAIRS)
def test_matches_pytorch_outputs_states_and_gradients(mine, theirs, bidirectional):
    model, ref = _pair(mine, theirs, bidirectional)
    x = torch.randn(4, 9, 3)
    out, state = model(x)
    out_ref, state_ref = ref(x)
    torch.testing.assert_close(out, out_ref, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(_h(state), _h(state_ref), atol=1e-6, rtol=1e-5)
    if theirs is nn.LSTM:
        torch.testing.assert_close(state[1], state_ref[1], atol=1e-6, rtol=1e-5)
    # the same gradients for every weight, both directions
    (out.sin().sum() + _h(state).sum()).backward()
    (out_ref.sin().sum() + _h(state_ref).sum()).backward()
    suffixes = ["_l0", "_l0_reverse"][: model.directions]
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        for d, suffix in enumerate(suffixes):
            torch.testing.assert_close(
                getattr(model, name).grad[d],
                getattr(ref, name + suffix).grad,
                atol=1e-5,
                rtol=1e-4,
            )


def test_gru_reset_gate_sits_inside_the_candidates_product():
    # From h = 0, PyTorch's n = tanh(W_in x + b_in + r * b_hn); a GRU that applied r to
    # h before the product would give tanh(W_in x + b_in + b_hn) instead.
    model, _ = _pair(R.GRU, nn.GRU, False, seed=3)
    with torch.no_grad():
        model.bias_hh[0, 10:].fill_(2.0)
    x = torch.randn(6, 1, 3)
    out, _ = model(x)
    w, b, bh = model.weight_ih[0], model.bias_ih[0], model.bias_hh[0]
    pre = x[:, 0] @ w.T + b
    r = torch.sigmoid(pre[:, :5] + bh[:5])
    z = torch.sigmoid(pre[:, 5:10] + bh[5:10])
    inside = (1 - z) * torch.tanh(pre[:, 10:] + r * bh[10:])
    outside = (1 - z) * torch.tanh(pre[:, 10:] + bh[10:])
    torch.testing.assert_close(out[:, 0], inside, atol=1e-6, rtol=1e-5)
    assert (out[:, 0] - outside).abs().max() > 1e-2


def test_tanh_candidate_keeps_every_hidden_unit_within_one_relu_does_not():
    torch.manual_seed(0)
    x = 20 * torch.randn(64, 40, 1)
    for cell in (R.GRU, R.LSTM):
        model = cell(1, 8)
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(30)  # large weights: saturated gates, candidates at ±1
        assert float(model.trace(x).h.abs().max()) <= 1.0
    relu_gru = R.GRU(1, 8, candidate="relu")
    assert float(relu_gru.trace(x).h.abs().max()) > 1.0


def test_gate_activation_is_swapped_and_recorded():
    torch.manual_seed(1)
    x = 3 * torch.randn(16, 12, 1)
    sig = R.GRU(1, 4)
    hard = R.GRU(1, 4, gate="hardsigmoid")
    relu = R.GRU(1, 4, gate="relu")
    for m in (hard, relu):
        m.load_state_dict(sig.state_dict())
    t_sig, t_hard, t_relu = (m.trace(x) for m in (sig, hard, relu))
    assert set(t_sig.gates) == {"reset", "update"} and t_sig.c is None
    z = t_sig.gates["update"]
    assert z.shape == (12, 16, 1, 4) and float(z.min()) > 0 and float(z.max()) < 1
    # the hard sigmoid reaches exactly 0 and 1; ReLU gates pass 1 or sit at exactly 0
    assert float(t_hard.gates["update"].max()) <= 1.0
    z_relu = t_relu.gates["update"][0]  # step 1 (later steps may overflow: z > 1)
    assert float(z_relu.min()) == 0.0 and float(z_relu.max()) > 1.0
    # the first step's gates are the activation of the same pre-activation
    pre = x[:, 0] @ sig.weight_ih[0].T + sig.bias_ih[0] + sig.bias_hh[0]
    torch.testing.assert_close(
        t_hard.gates["reset"][0, :, 0], F.hardsigmoid(pre[:, :4])
    )
    torch.testing.assert_close(t_relu.gates["update"][0, :, 0], pre[:, 4:8].relu())
    # a callable works as well as a name
    capped = R.GRU(1, 4, gate=lambda v: v.clamp(0, 1))
    capped.load_state_dict(sig.state_dict())
    assert float(capped.trace(x).gates["update"].max()) <= 1.0


def test_trace_agrees_with_forward_in_both_directions():
    for cell in ("gru", "lstm"):
        torch.manual_seed(2)
        clf = R.SequenceClassifier(cell, hidden_size=3, steps=7)
        x = torch.randn(5, 7)
        out, state = clf.rnn(x.unsqueeze(-1))
        tr = clf.trace(x)
        assert tr.h.shape == (7, 5, 2, 3)
        # forward direction: trace step s is output s; backward: step s is output T-1-s
        torch.testing.assert_close(tr.h[:, :, 0].transpose(0, 1), out[..., :3])
        torch.testing.assert_close(tr.h[:, :, 1].flip(0).transpose(0, 1), out[..., 3:])
        torch.testing.assert_close(tr.h[-1].transpose(0, 1), _h(state))
        assert tr.hidden_norm().shape == (7, 5, 2)
        if cell == "lstm":
            assert set(tr.gates) == {"input", "forget", "output"}
            torch.testing.assert_close(tr.c[-1].transpose(0, 1), state[1])


def test_classifier_vmaps_like_separate_models_and_trains():
    torch.manual_seed(0)
    models = [R.SequenceClassifier(hidden_size=4, steps=10) for _ in range(3)]
    many = ManyModels(models)
    x = torch.randn(6, 10)
    together = many(x, shared_input=True)
    for k, m in enumerate(models):
        torch.testing.assert_close(together[k], m(x), atol=1e-6, rtol=1e-5)
    # a learnable toy task: is the signal's sum positive?
    g = torch.Generator().manual_seed(0)
    xs = torch.randn(300, 10, generator=g)
    ys = (xs.sum(1) > 0).long()
    data = Split(xs[:200], ys[:200], xs[200:], ys[200:])
    hist = train_many(
        lambda: R.SequenceClassifier(
            hidden_size=4, n_classes=2, steps=10, readout="last"
        ),
        [0, 1],
        data,
        epochs=6,
        lr=3e-2,
        batch_size=50,
        progress=False,
    )
    assert bool((hist.test_acc[-1] > 0.8).all()), hist.test_acc[-1]


def test_saturated_fraction():
    v = torch.tensor([0.0, 0.01, 0.5, 0.96, 1.0, 0.3])
    assert R.saturated_fraction(v) == pytest.approx(4 / 6)
    assert R.saturated_fraction(v, margin=0.0) == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match="margin"):
        R.saturated_fraction(v, margin=0.7)


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="gelu2"):
        R.GRU(1, 4, gate="gelu2")
    with pytest.raises(TypeError, match="candidate"):
        R.LSTM(1, 4, candidate=3)
    with pytest.raises(ValueError, match="cell"):
        R.SequenceClassifier("rnn")
    with pytest.raises(ValueError, match=r"\(batch, 40\)"):
        R.SequenceClassifier()(torch.randn(2, 30))
    with pytest.raises(TypeError, match="LSTM"):
        R.LSTM(1, 4).copy_from(nn.GRU(1, 4, batch_first=True))
    with pytest.raises(ValueError, match="hidden_size"):
        R.GRU(1, 4).copy_from(nn.GRU(1, 5, batch_first=True))
