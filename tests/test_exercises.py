"""Exercise checks: unanswered, right and wrong answers."""

import pytest
import torch

from actlib import exercises


def test_exercise_checks(capsys):
    assert exercises.check("q", exercises.TODO, 1.0) is False and "not answered" in capsys.readouterr().out
    assert exercises.check("q", 0.25000001, 0.25) is True
    with pytest.raises(AssertionError, match=r"\[q\] 0.3 is not right yet. hint"):
        exercises.check("q", 0.3, 0.25, hint="hint")
    assert exercises.check_function("f", torch.tanh, lambda x: 2 * torch.sigmoid(2 * x) - 1)
    with pytest.raises(AssertionError, match="at x = "):
        exercises.check_function("f", torch.sigmoid, torch.tanh)


def test_function_stub_returning_todo_counts_as_unanswered(capsys):
    def stub(x):
        return exercises.TODO
    assert exercises.check_function("f", stub, torch.tanh) is False
    assert "not answered" in capsys.readouterr().out
