"""exercises.check: reminders, ✓ and hints for every kind of answer.

A wrong answer never produces a traceback.
"""

import math

import pytest
import torch

from actlib import answers, exercises


@pytest.fixture
def key(monkeypatch):
    """A small key of one entry per rule, in place of the book's."""
    entries = {
        "n": answers.Number(expected=0.25, hint="nudge"),
        "f": answers.Function(reference=torch.tanh, hint="nudge"),
        "c": answers.Choice(correct="b", options={"a": "not a", "b": ""}),
        "s": answers.Names(expected=["relu", "tanh"], hint="nudge"),
    }
    monkeypatch.setattr(
        exercises, "KEY", {k: answers.Exercise(k, r) for k, r in entries.items()}
    )


def out(capsys, exercise_id, answer):
    assert exercises.check(exercise_id, answer) is None  # nothing for Jupyter to echo
    return capsys.readouterr().out.strip()


def test_unanswered_right_and_wrong(key, capsys):
    assert "[n] not answered yet" in out(capsys, "n", exercises.TODO)
    assert out(capsys, "n", 0.25000001) == "[n] ✓ correct"
    assert out(capsys, "n", 0.3) == "[n] ✗ not right yet: nudge"
    assert out(capsys, "f", lambda x: 2 * torch.sigmoid(2 * x) - 1) == "[f] ✓ correct"
    assert "at x = " in out(capsys, "f", torch.sigmoid)
    assert "still returns TODO" in out(capsys, "f", lambda x: exercises.TODO)
    assert out(capsys, "c", "b") == "[c] ✓ correct" and out(capsys, "c", "a").endswith(
        "not a"
    )
    assert out(capsys, "s", ["tanh", "relu"]) == "[s] ✓ correct"


def test_nan_inf_and_wrong_types_get_hints_not_tracebacks(key, capsys):
    for bad in (
        math.nan,
        torch.tensor(math.nan),
        math.inf,
        "0.25",
        [0.25],
        True,
        torch.ones(2),
    ):
        assert out(capsys, "n", bad).startswith("[n] ✗ not right yet"), bad
    for bad in (
        0.5,
        "tanh",
        lambda x: math.tanh(x),
        lambda x: x.sum(),
        lambda x: 1 / 0,
        lambda x: torch.full_like(x, math.nan),
    ):
        assert out(capsys, "f", bad).startswith("[f] ✗ not right yet"), bad
    assert "math.*" in out(capsys, "f", lambda x: math.tanh(x))
    for bad in (1, "z", None.__class__):
        assert out(capsys, "c", bad).startswith("[c] ✗ not right yet")
    assert "1 missing" in out(capsys, "s", ["relu"])


def test_an_unknown_exercise_is_a_bug_of_the_book(key):
    with pytest.raises(ValueError, match="unknown exercise 'zz'"):
        exercises.check("zz", 1)
