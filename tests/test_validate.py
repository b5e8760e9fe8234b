"""validate: one validator per kind of argument.

Each error names the argument, the value and what is accepted.
"""

import math

import pytest
import torch

from actlib import validate
from actlib.data import Split


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: validate.real("x", True),
            TypeError,
            r"invalid x=True \(bool\); it must be a finite number",
        ),
        (lambda: validate.real("x", "1"), TypeError, "invalid x='1'"),
        (
            lambda: validate.real("x", math.nan),
            ValueError,
            "invalid x=nan; it must be a finite number",
        ),
        (
            lambda: validate.real("x", math.inf, 0.0),
            ValueError,
            "invalid x=inf; it must be a finite number >= 0",
        ),
        (
            lambda: validate.real("x", 0.0, 0.0, low_open=True),
            ValueError,
            "it must be a finite number > 0",
        ),
        (
            lambda: validate.real("x", 2.0, 0.0, 1.0, True, True),
            ValueError,
            r"it must be a number in \(0, 1\)",
        ),
        (
            lambda: validate.count("n", 0),
            ValueError,
            "invalid n=0; it must be an integer >= 1",
        ),
        (lambda: validate.count("n", 2.0), TypeError, r"invalid n=2.0 \(float\)"),
        (lambda: validate.count("n", False), TypeError, "invalid n=False"),
        (
            lambda: validate.choice("task", "x", ("a", "b")),
            ValueError,
            "unknown task 'x'; choose one of: a, b",
        ),
        (
            lambda: validate.confidence(1.5),
            ValueError,
            r"invalid confidence=1.5; it must be a number in \(0, 1\)",
        ),
        (lambda: validate.confidence(1), ValueError, "invalid confidence=1"),
        (
            lambda: validate.learning_rate(-0.1),
            ValueError,
            "invalid lr=-0.1; it must be a finite number >= 0",
        ),
        (lambda: validate.learning_rate([0.1], 2), ValueError, "sequence of 2 numbers"),
        (lambda: validate.learning_rate("fast", 2), TypeError, "invalid lr='fast'"),
        (
            lambda: validate.clip_norm(0),
            ValueError,
            "invalid clip_norm=0; it must be a finite number > 0",
        ),
        (lambda: validate.clip_norm(-1.0, 3), ValueError, "invalid clip_norm=-1.0"),
        (lambda: validate.seeds(5), TypeError, r"range\(5\)"),
        (lambda: validate.seeds(None), TypeError, "invalid seeds=None"),
        (lambda: validate.seeds([]), ValueError, "seeds is empty"),
        (lambda: validate.seeds([0, 1.5]), ValueError, "invalid seed 1.5"),
        (lambda: validate.device("tpu0"), ValueError, "invalid device='tpu0'"),
        (
            lambda: validate.model_with_parameters("net"),
            TypeError,
            "expected an nn.Module, got str",
        ),
        (
            lambda: validate.model_with_parameters(torch.nn.ReLU()),
            ValueError,
            r"\(ReLU\) has no parameters",
        ),
        (lambda: validate.split((1, 2)), TypeError, "expected a data Split"),
    ],
)
def test_errors_name_argument_value_and_rule(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_valid_values_come_back_normalised():
    assert validate.real("x", 3) == 3.0 and isinstance(validate.real("x", 3), float)
    assert validate.count("n", 4) == 4
    assert validate.seeds(range(3)) == [0, 1, 2]
    assert validate.clip_norm(None) is None and validate.clip_norm(None, 3) is None
    assert torch.equal(validate.learning_rate(0.5, 3), torch.full((3,), 0.5))
    assert torch.equal(validate.learning_rate([0.1, 0.0], 2), torch.tensor([0.1, 0.0]))
    assert torch.equal(
        validate.clip_norm(torch.tensor([1.0, 2.0]), 2), torch.tensor([1.0, 2.0])
    )
    assert (
        validate.learning_rate(0.0) == 0.0
    )  # lr 0 freezes the weights: a legitimate control run
    assert validate.device("cpu") == torch.device("cpu")
    assert validate.confidence(0.9) == 0.9


def test_threads_from_the_environment(monkeypatch):
    monkeypatch.delenv("ACTLIB_THREADS", raising=False)
    assert validate.threads_from_env() is None
    monkeypatch.setenv("ACTLIB_THREADS", "3")
    assert validate.threads_from_env() == 3
    for bad in ("two", "-1", "0", "1.5", ""):
        monkeypatch.setenv("ACTLIB_THREADS", bad)
        with pytest.raises(ValueError, match=f"invalid ACTLIB_THREADS={bad!r}"):
            validate.threads_from_env()


def test_splits_are_checked_against_a_model_dtype_labels_and_width():
    x = torch.randn(4, 3)
    ok = Split(x, torch.tensor([0, 1, 2, 1]), x, torch.tensor([0, 0, 1, 2]))
    validate.split(ok)
    validate.inputs_match(ok, torch.float32)
    validate.labels_for_output(ok, torch.zeros(1, 3), "classify")
    with pytest.raises(
        ValueError, match="labels from 0 to 2, but the model outputs 2 class scores"
    ):
        validate.labels_for_output(ok, torch.zeros(1, 2), "classify")
    with pytest.raises(
        TypeError,
        match=(
            "x_train has dtype torch.float32 but the model's weights are torch.float64"
        ),
    ):
        validate.inputs_match(ok, torch.float64)
    reg = Split(x, x[:, 0], x, x[:, 0])
    validate.labels_for_output(reg, torch.zeros(1, 1), "regress")
    with pytest.raises(TypeError, match="must be floating point"):
        validate.labels_for_output(ok, torch.zeros(1, 1), "regress")
    with pytest.raises(TypeError, match="x_test has dtype torch.int64"):
        validate.split(
            Split(x, ok.y_train, torch.ones(4, 3, dtype=torch.long), ok.y_test)
        )
    with pytest.raises(ValueError, match="the test set is empty"):
        validate.split(Split(x, ok.y_train, x[:0], ok.y_test[:0]))
