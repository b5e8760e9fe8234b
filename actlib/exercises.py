"""Checks for exercise cells: an unanswered exercise prints a reminder, a wrong answer fails with a hint."""

import math

import torch


class _Unanswered:
    def __repr__(self):
        return "TODO"


TODO = _Unanswered()  # the placeholder learners replace with their answer


def check(label, answer, expected, tol=1e-6, hint=""):
    """Compare an answer with the expected value (numbers, tensors, strings, bools); print ✓ or a reminder, or raise AssertionError with a hint."""
    if answer is TODO or answer is None or answer is Ellipsis:
        print(f"[{label}] not answered yet: replace TODO with your answer and run the cell again.")
        return
    ok = _close(answer, expected, tol)
    if not ok:
        raise AssertionError(f"[{label}] {answer!r} is not right yet. {hint}".strip())
    print(f"[{label}] ✓ correct")


def check_function(label, candidate, reference, x=None, tol=1e-5, hint=""):
    """Check a learner's function against a reference on many inputs; print ✓ or raise AssertionError naming the worst input."""
    x = torch.linspace(-8, 8, 1601, dtype=torch.float64) if x is None else x
    got = None if candidate is TODO or candidate is None else candidate(x.clone())
    if got is TODO or got is None:
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
