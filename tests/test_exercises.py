"""Exercise checks: unanswered, right and wrong answers; nothing is returned for Jupyter to echo."""

import pytest
import torch

from actlib import exercises


def test_exercise_checks(capsys):
    assert exercises.check("q", exercises.TODO, 1.0) is None
    assert "[q] not answered" in capsys.readouterr().out
    exercises.check("q", 0.25000001, 0.25)
    assert "[q] ✓ correct" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"\[q\] 0.3 is not right yet. hint"):
        exercises.check("q", 0.3, 0.25, hint="hint")
    exercises.check("q", ["a", "b"], ["a", "b"])
    assert "✓" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        exercises.check("q", ["a"], ["a", "b"])
    assert exercises.check_function("f", torch.tanh, lambda x: 2 * torch.sigmoid(2 * x) - 1) is None
    assert "✓ correct on 1601 inputs" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="at x = "):
        exercises.check_function("f", torch.sigmoid, torch.tanh)


def test_function_stub_returning_todo_counts_as_unanswered(capsys):
    def stub(x):
        return exercises.TODO
    exercises.check_function("f", stub, torch.tanh)
    assert "not answered" in capsys.readouterr().out


def test_nan_and_inf_answers_never_pass():
    import math
    for bad in (math.nan, torch.tensor(math.nan), math.inf, [0.25, math.nan]):
        expected = [0.25, 0.5] if isinstance(bad, list) else 0.25
        with pytest.raises(AssertionError, match="not right yet"):
            exercises.check("q", bad, expected)
    with pytest.raises(AssertionError, match="at x = "):
        exercises.check_function("f", lambda x: torch.full_like(x, math.nan), torch.tanh)
    with pytest.raises(AssertionError, match="at x = "):
        exercises.check_function("f", lambda x: torch.where(x > 7.9, math.nan, torch.tanh(x)), torch.tanh)
