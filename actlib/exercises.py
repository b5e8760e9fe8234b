"""Checks for exercise cells: ``check(exercise_id, answer)`` against the answer key in actlib.answers.

An exercise cell holds the question's scaffolding and one call, ``exercises.check("2.1-3", answer)``;
the expected value lives in the key, never in the notebook. The check prints one line and returns
nothing (so Jupyter echoes nothing):

- ``[2.1-3] not answered yet: ...`` while the answer is TODO (or a function still returning TODO);
- ``[2.1-3] ✓ correct``;
- ``[2.1-3] ✗ not right yet: <hint>`` for a wrong answer, a nan, an answer of the wrong type or a
  function that raises. A learner's mistake never produces a traceback; only an unknown exercise id
  (a bug in the book) raises.
"""

import math

import torch

from .answers import KEY, TODO, _todo  # noqa: F401  (TODO: the placeholder learners replace)

_LEGACY = object()


def check(exercise_id, answer, expected=_LEGACY, tol=1e-6, hint=""):
    """Check a learner's answer against the key; print ✓, a reminder, or a hint. Never raises for a wrong answer."""
    if expected is not _LEGACY:  # transitional: chapters not yet moved to the key pass their expected value
        return _legacy_check(exercise_id, answer, expected, tol, hint)
    if exercise_id not in KEY:
        raise ValueError(f"unknown exercise {exercise_id!r}; the key has: {', '.join(sorted(KEY))}")
    rule = KEY[exercise_id].rule
    if _todo(answer):
        print(f"[{exercise_id}] not answered yet: replace TODO with your answer and run the cell again.")
        return
    try:
        verdict = rule.judge(answer)
    except Exception as e:  # whatever a learner passes, they get a hint, never a traceback
        verdict = f"that answer could not be checked ({type(e).__name__}: {e})."
    if verdict == "TODO":
        print(f"[{exercise_id}] not answered yet: your function still returns TODO.")
    elif verdict is None:
        print(f"[{exercise_id}] ✓ correct")
    else:
        print(f"[{exercise_id}] ✗ not right yet: {verdict}")


# ----------------------------------------------------------------------------- transitional (chapters not yet on the key)


def _legacy_check(label, answer, expected, tol=1e-6, hint=""):
    if _todo(answer):
        print(f"[{label}] not answered yet: replace TODO with your answer and run the cell again.")
        return
    if not _close(answer, expected, tol):
        raise AssertionError(f"[{label}] {answer!r} is not right yet. {hint}".strip())
    print(f"[{label}] ✓ correct")


def check_function(label, candidate, reference, x=None, tol=1e-5, hint=""):
    """Transitional: check a learner's function against a reference passed by the notebook."""
    x = torch.linspace(-8, 8, 1601, dtype=torch.float64) if x is None else x
    got = None if _todo(candidate) else candidate(x.clone())
    if _todo(got):
        print(f"[{label}] not answered yet: write the function and run the cell again.")
        return
    got = torch.as_tensor(got, dtype=torch.float64)
    want = torch.as_tensor(reference(x.clone()), dtype=torch.float64)
    if got.shape != want.shape:
        raise AssertionError(f"[{label}] returned shape {tuple(got.shape)}, expected {tuple(want.shape)}")
    err = (got - want).abs()
    bad = ~(err <= tol * (1 + want.abs()))
    if bad.any():
        i = int(torch.argmax(torch.where(bad, err, torch.zeros_like(err)).nan_to_num(nan=math.inf)))
        raise AssertionError(f"[{label}] at x = {float(x[i]):.4g} you return {float(got[i]):.6g}, "
                             f"expected {float(want[i]):.6g}. {hint}".strip())
    print(f"[{label}] ✓ correct on {x.numel()} inputs")


def _close(a, b, tol):
    if isinstance(b, (bool, str)) or isinstance(a, (bool, str)):
        return a == b
    try:
        ta = torch.as_tensor(a, dtype=torch.float64)
        tb = torch.as_tensor(b, dtype=torch.float64)
    except (TypeError, ValueError):
        return a == b
    return ta.shape == tb.shape and bool(torch.allclose(ta, tb, rtol=tol, atol=tol, equal_nan=True))
