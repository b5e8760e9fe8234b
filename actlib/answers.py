"""The answer key of every chapter's exercises, and the kinds of answer it can check.

Each entry is ``_add("2.1-3", rule)`` in its chapter's section below; a rule is a Number, Function,
Choice or Names, holding the expected answer (a value, or a function computing it from actlib) and a
hint that nudges without solving. ``actlib.exercises.check`` looks answers up here, so no notebook
ever holds an expected value. ``rule.solution()`` is the expected answer; the tests feed it back
through ``check`` for every entry.
"""

import functools
import math
import numbers
import os
from dataclasses import dataclass, field

import torch
from scipy import stats as _scipy_stats

from . import data, nets, stats, train


class _Unanswered:
    def __repr__(self):
        return "TODO"


TODO = _Unanswered()  # the placeholder learners replace with their answer


def _todo(v):
    return v is TODO or v is None or v is Ellipsis


def _lazy(v):
    return v() if callable(v) else v


@dataclass
class Number:
    """A numeric answer within tol (relative, with an absolute floor of tol) of expected (a value or a function)."""

    expected: object
    hint: str
    tol: float = 1e-6
    integer: bool = False

    def solution(self):
        return _lazy(self.expected)

    def judge(self, answer):
        if isinstance(answer, torch.Tensor):
            if answer.numel() != 1:
                return f"give one number, not a tensor of shape {tuple(answer.shape)}."
            answer = answer.item()
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return f"give a number, not {type(answer).__name__} ({answer!r})."
        if math.isnan(answer):
            return "your answer is nan; something in the computation is undefined (0/0, inf - inf, log of a negative)."
        if self.integer and answer != int(answer):
            return "give a whole number."
        want = float(self.solution())
        if abs(answer - want) <= self.tol * max(1.0, abs(want)):
            return None
        return self.hint


@dataclass
class Function:
    """A function answer: compared with reference on inputs (a tensor or a function returning one), within tol."""

    reference: object
    hint: str
    inputs: object = None
    tol: float = 1e-5

    def solution(self):
        return self.reference

    def _x(self):
        x = _lazy(self.inputs) if self.inputs is not None else None
        return torch.linspace(-8, 8, 1601, dtype=torch.float64) if x is None else x

    def judge(self, answer):
        if not callable(answer):
            return f"give a function (def ...), not {type(answer).__name__}."
        x = self._x()
        try:
            got = answer(x.clone())
        except Exception as e:  # a learner's bug: report it as a hint, not a traceback
            return f"calling your function on a float64 tensor of {x.numel()} inputs raised {type(e).__name__}: {e}. " \
                   "Use tensor operations (torch.exp, torch.log, ...), not math.* functions, which take one number."
        if _todo(got):
            return "TODO"
        try:
            got = torch.as_tensor(got, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError):
            return f"your function returned {type(got).__name__}; it should return a tensor."
        want = torch.as_tensor(self.reference(x.clone()), dtype=torch.float64)
        if got.shape != want.shape:
            return f"your function returned shape {tuple(got.shape)} for an input of shape {tuple(x.shape)}; " \
                   "it should work elementwise."
        err = (got - want).abs()
        bad = ~(err <= self.tol * (1 + want.abs()))
        if bad.any():
            i = int(torch.argmax(torch.where(bad, err, torch.zeros_like(err)).nan_to_num(nan=math.inf)))
            return f"at x = {float(x.flatten()[i]):.4g} you return {float(got.flatten()[i]):.6g}, which is off. " \
                   f"{self.hint}"
        return None


@dataclass
class Choice:
    """One of several options (strings); a wrong option gets its own hint."""

    correct: object  # an option, or a function computing it (for answers that come from a measurement)
    options: dict  # option -> hint shown when it is chosen wrongly ("" for the correct one)

    def solution(self):
        return _lazy(self.correct)

    def judge(self, answer):
        if not isinstance(answer, str) or answer not in self.options:
            return f"answer with one of: {', '.join(repr(o) for o in self.options)}."
        return None if answer == self.solution() else self.options[answer]


@dataclass
class Names:
    """A set of names (e.g. activations); order does not matter."""

    expected: object
    hint: str
    universe: object = None  # the names allowed, a collection or a function returning one

    def solution(self):
        return sorted(_lazy(self.expected))

    def judge(self, answer):
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            return "give a list of names, e.g. [\"relu\", \"tanh\"]."
        got = set(answer)
        allowed = set(_lazy(self.universe)) if self.universe is not None else None
        if allowed is not None and not got <= allowed:
            return f"{sorted(got - allowed)} are not among the names in question."
        want = set(self.solution())
        if got == want:
            return None
        missing, extra = len(want - got), len(got - want)
        return f"{missing} missing and {extra} that do not belong. {self.hint}"


@dataclass
class Exercise:
    """One entry of the answer key: what is checked, and where the exercise is."""

    id: str
    rule: object  # Number, Function, Choice or Names
    chapter: str = ""
    extra: dict = field(default_factory=dict)


KEY = {}


def _add(exercise_id, rule, chapter):
    if exercise_id in KEY:
        raise ValueError(f"exercise {exercise_id!r} is in the key twice")
    KEY[exercise_id] = Exercise(exercise_id, rule, chapter)


def load_extra(path):
    """Development hook: execute a file of _add(...) entries in this module (entries are marked with their source)."""
    before = set(KEY)
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), globals())  # noqa: S102  (a developer's own draft entries)
    for k in set(KEY) - before:
        KEY[k].extra["source"] = path


# ----------------------------------------------------------------------------- chapter 0


@functools.lru_cache(maxsize=None)
def _ch0_five_seeds(activation):
    """Chapter 0's experiment: five seeds of a 40-100-100-10 MLP, 40 epochs, lr 0.01, batches of 100."""
    mnist = data.mnist1d()
    hist = train.train_many(lambda: nets.mlp([40, 100, 100, 10], activation), range(5), mnist, epochs=40,
                            lr=1e-2, batch_size=100, progress=False)
    return hist.test_acc[-1]


def _ch0_verdict():
    return "within seed noise" if stats.within_noise(_ch0_five_seeds("relu"), _ch0_five_seeds("tanh")) \
        else "larger than seed noise"


_add("0-1", Number(expected=lambda: float(_scipy_stats.t.ppf(0.975, 4)) * 2 / math.sqrt(5), tol=1e-3,
                   hint="The half-width is a t quantile times the standard error of the mean. How many "
                        "degrees of freedom do five values have, and what is the standard error?"), "0")
_add("0-2", Number(expected=lambda: float((data.mnist1d().y_test == 3).double().mean()), tol=1e-9,
                   hint="A fraction: how many test labels are 3, divided by how many test labels there are."), "0")
_add("0-3", Choice(correct=lambda: _ch0_verdict(), options={
    "within seed noise": "Look at Welch's interval for the difference of the means: does it contain 0?",
    "larger than seed noise": "Look at Welch's interval for the difference of the means: does it contain 0?"}), "0")
# ----------------------------------------------------------------------------- chapter 1.1
# ----------------------------------------------------------------------------- chapter 1.2
# ----------------------------------------------------------------------------- chapter 1.3
# ----------------------------------------------------------------------------- chapter 2.1
# ----------------------------------------------------------------------------- chapter 2.2
# ----------------------------------------------------------------------------- chapter 2.3
# ----------------------------------------------------------------------------- chapter 2.4
# ----------------------------------------------------------------------------- chapter 2.5
# ----------------------------------------------------------------------------- chapter 3.1
# ----------------------------------------------------------------------------- chapter 3.2
# ----------------------------------------------------------------------------- chapter 3.3
# ----------------------------------------------------------------------------- chapter 3.4


if os.environ.get("ACTLIB_EXTRA_KEY"):
    for _path in os.environ["ACTLIB_EXTRA_KEY"].split(os.pathsep):
        load_extra(_path)
