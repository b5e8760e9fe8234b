"""A GRU and an LSTM written out step by step, with swappable activations.

The gate activation (PyTorch: sigmoid) and the candidate activation (PyTorch: tanh)
are arguments, given as names of ``actlib.get`` or as callables. With the defaults and
the same weights, `GRU` and `LSTM` compute what ``torch.nn.GRU`` and ``torch.nn.LSTM``
compute (one layer, ``batch_first=True``), including PyTorch's GRU detail that the
reset gate multiplies the candidate's recurrent product *after* its bias,
n = candidate(W_in x + b_in + r * (W_hn h + b_hn)).

Everything is plain nn.Parameter arithmetic, so ``actlib.train.train_many`` can vmap
several seeds at once. `trace` records the gate values and hidden states at every step.
"""

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from . import validate
from .registry import get

CELLS = ("gru", "lstm")
READOUTS = ("all", "last")
# the gates of each cell, in PyTorch's order of the rows of weight_ih / weight_hh
GATE_NAMES = {"gru": ("reset", "update"), "lstm": ("input", "forget", "output")}


def activation(act, what="activation"):
    """Return a callable for an activation name of actlib.get, or the callable itself.

    A name runs PyTorch's own implementation of that activation (the registry's
    reference), which autograd differentiates faster inside a 40-step loop.
    """
    if callable(act):
        return act
    if isinstance(act, str):
        return get(act).reference
    raise TypeError(
        f"{what} must be an activation name (e.g. 'sigmoid', 'tanh') or a callable, "
        f"got {act!r}"
    )


@dataclass
class Trace:
    """What a recurrent layer computed at each step, for a batch of sequences.

    gates maps a gate's name to a (steps, batch, directions, hidden) tensor; h is the
    hidden state after each step, of the same shape; c is the LSTM's cell state
    (None for a GRU).
    """

    gates: dict = field(default_factory=dict)
    h: torch.Tensor = None
    c: torch.Tensor = None

    def hidden_norm(self):
        """Return the hidden state's RMS over its units, (steps, batch, directions)."""
        return self.h.pow(2).mean(-1).sqrt()


def saturated_fraction(values, margin=0.05):
    """Return the fraction of gate values within margin of 0 or of 1."""
    margin = validate.real("margin", margin, 0.0, 0.5)
    v = torch.as_tensor(values)
    return float(((v <= margin) | (v >= 1 - margin)).float().mean())


class _Recurrent(nn.Module):
    """Shared parts: weights stacked over directions, the loop, copying from torch."""

    n_chunks = None  # 3 for a GRU, 4 for an LSTM
    kind = None

    def __init__(
        self,
        input_size,
        hidden_size,
        gate="sigmoid",
        candidate="tanh",
        bidirectional=False,
    ):
        super().__init__()
        self.input_size = validate.count("input_size", input_size)
        self.hidden_size = h = validate.count("hidden_size", hidden_size)
        self.gate = activation(gate, "gate")
        self.candidate = activation(candidate, "candidate")
        self.bidirectional = bool(bidirectional)
        d, g = self.directions, self.n_chunks * h
        self.weight_ih = nn.Parameter(torch.empty(d, g, self.input_size))
        self.weight_hh = nn.Parameter(torch.empty(d, g, h))
        self.bias_ih = nn.Parameter(torch.empty(d, g))
        self.bias_hh = nn.Parameter(torch.empty(d, g))
        bound = 1 / math.sqrt(h)  # PyTorch's own init of nn.GRU / nn.LSTM
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    @property
    def directions(self):
        """Return 2 for a bidirectional layer, else 1."""
        return 2 if self.bidirectional else 1

    @torch.no_grad()
    def copy_from(self, rnn):
        """Copy the weights of a one-layer torch.nn.GRU / nn.LSTM into this layer."""
        want = nn.GRU if self.kind == "gru" else nn.LSTM
        if not isinstance(rnn, want):
            raise TypeError(f"copy_from needs a {want.__name__}, got {type(rnn)}")
        same = (rnn.input_size, rnn.hidden_size, rnn.bidirectional, rnn.num_layers)
        mine = (self.input_size, self.hidden_size, self.bidirectional, 1)
        if same != mine or not rnn.bias or getattr(rnn, "proj_size", 0):
            raise ValueError(
                "copy_from needs (input_size, hidden_size, bidirectional, num_layers) "
                f"= {mine} with biases, got {same}"
            )
        for d, suffix in enumerate(["_l0", "_l0_reverse"][: self.directions]):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(self, name)[d].copy_(getattr(rnn, name + suffix))
        return self

    def _check_input(self, x):
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(
                f"input must be (batch, steps, {self.input_size}), got {tuple(x.shape)}"
            )

    def _run(self, x, state=None, record=False):
        """Return (outputs (B, T, D*H), final states, Trace or None)."""
        self._check_input(x)
        b, t, _ = x.shape
        d, h = self.directions, self.hidden_size
        seq = torch.stack([x, x.flip(1)][:d])  # (D, B, T, I): backward reads reversed
        if state is None:
            zeros = x.new_zeros(d, b, h)
            state = zeros if self.kind == "gru" else (zeros, zeros)
        w_ih_t, b_ih = self.weight_ih.transpose(1, 2), self.bias_ih[:, None, :]
        w_hh_t, b_hh = self.weight_hh.transpose(1, 2), self.bias_hh[:, None, :]
        outs, rec = [], {"h": [], "c": [], "gates": []}
        # The input projection is made step by step from the (gradient-free) inputs:
        # projecting all steps at once and indexing one step per iteration costs a
        # backward that writes a zero tensor of the full size per step (quadratic).
        for x_step in seq.unbind(2):
            h_prev = state if self.kind == "gru" else state[0]
            x_proj = torch.baddbmm(b_ih, x_step, w_ih_t)
            h_proj = torch.baddbmm(b_hh, h_prev, w_hh_t)
            state, gates = self._cell(x_proj, h_proj, state)
            h_now = state if self.kind == "gru" else state[0]
            outs.append(h_now)
            if record:
                rec["h"].append(h_now.detach())
                rec["gates"].append([g.detach() for g in gates])
                if self.kind == "lstm":
                    rec["c"].append(state[1].detach())
        out = torch.stack(outs)  # (T, D, B, H)
        if d == 2:  # the backward direction's output at time s is its step T-1-s
            out = torch.stack([out[:, 0], out[:, 1].flip(0)], 1)
        out = out.permute(2, 0, 1, 3).reshape(b, t, d * h)
        trace = None
        if record:

            def steps(ts):
                return torch.stack(ts).transpose(1, 2)  # (T, B, D, H)

            names = GATE_NAMES[self.kind]
            trace = Trace(
                gates={
                    n: steps([g[i] for g in rec["gates"]]) for i, n in enumerate(names)
                },
                h=steps(rec["h"]),
                c=steps(rec["c"]) if rec["c"] else None,
            )
        return out, state, trace

    def forward(self, x, state=None):
        """Return (outputs (batch, steps, directions*hidden), final state).

        The final state is (directions, batch, hidden) like PyTorch's h_n, and
        (h_n, c_n) for an LSTM.
        """
        out, state, _ = self._run(x, state)
        return out, state

    @torch.no_grad()
    def trace(self, x, state=None):
        """Return a Trace of gate values and states at every step (no gradients)."""
        return self._run(x, state, record=True)[2]


class GRU(_Recurrent):
    """A one-layer GRU, batch first, with swappable gate and candidate activations.

    r = gate(W_ir x + b_ir + W_hr h + b_hr), z = gate(W_iz x + b_iz + W_hz h + b_hz),
    n = candidate(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) n + z h.
    """

    n_chunks, kind = 3, "gru"

    def _cell(self, x_proj, h_proj, h):
        k = self.hidden_size
        x_rz, x_n = x_proj.split([2 * k, k], -1)
        h_rz, h_n = h_proj.split([2 * k, k], -1)
        r, z = self.gate(x_rz + h_rz).split(k, -1)
        n = self.candidate(x_n + r * h_n)
        # PyTorch's form of (1 - z) n + z h; it keeps |h'| <= max(|n|, |h|) in floats
        return n + z * (h - n), (r, z)


class LSTM(_Recurrent):
    """A one-layer LSTM, batch first, with swappable gate and candidate activations.

    i, f, o = gate(...), g = candidate(...), c' = f c + i g, h' = o candidate(c').
    """

    n_chunks, kind = 4, "lstm"

    def _cell(self, x_proj, h_proj, state):
        k = self.hidden_size
        _, c = state
        i, f, g, o = (x_proj + h_proj).split(k, -1)
        i, f, o = self.gate(torch.cat([i, f, o], -1)).split(k, -1)
        g = self.candidate(g)
        c = f * c + i * g
        return (o * self.candidate(c), c), (i, f, o)


class SequenceClassifier(nn.Module):
    """Read each row of a (batch, steps) signal as a sequence of steps, then classify.

    readout="all" feeds every step's output to one linear layer (MNIST-1D's GRU
    baseline); readout="last" feeds only the final hidden state(s).
    """

    def __init__(
        self,
        cell="gru",
        hidden_size=6,
        n_classes=10,
        steps=40,
        gate="sigmoid",
        candidate="tanh",
        bidirectional=True,
        readout="all",
    ):
        super().__init__()
        validate.choice("cell", cell, CELLS)
        validate.choice("readout", readout, READOUTS)
        cls = GRU if cell == "gru" else LSTM
        self.rnn = cls(1, hidden_size, gate, candidate, bidirectional)
        self.steps = validate.count("steps", steps)
        self.readout = readout
        width = self.rnn.directions * hidden_size
        self.head = nn.Linear(
            width * (self.steps if readout == "all" else 1), n_classes
        )

    def _sequence(self, x):
        if x.dim() != 2 or x.shape[1] != self.steps:
            raise ValueError(
                f"input must be (batch, {self.steps}) signals, got {tuple(x.shape)}"
            )
        return x.unsqueeze(-1)

    def forward(self, x):
        """Return class scores (batch, n_classes)."""
        out, state = self.rnn(self._sequence(x))
        if self.readout == "all":
            return self.head(out.flatten(1))
        h = state if isinstance(state, torch.Tensor) else state[0]
        return self.head(h.transpose(0, 1).flatten(1))

    @torch.no_grad()
    def trace(self, x):
        """Return the recurrent layer's Trace on the signals x (batch, steps)."""
        return self.rnn.trace(self._sequence(x))
