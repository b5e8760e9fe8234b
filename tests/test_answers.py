"""The answer key: every entry accepts its own solution.

Refuses wrong answers with a hint, never raises; and every exercise cell of every
notebook calls check(id, answer) with nothing else.
"""

import ast
import json
import math
from pathlib import Path

import pytest
import torch

from actlib import answers, exercises

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WRONG = [math.nan, "x", 12345.678, [1, 2], lambda x: x * 0 + 7, torch.ones(3)]


def check_calls(path):
    """Return [(cell index, ast.Call)] of every check call in a notebook.

    The calls are those of exercises.check / check_function.
    """
    nb = json.loads(path.read_text())
    calls = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("check", "check_function")
                and getattr(node.func.value, "id", "") == "exercises"
            ):
                calls.append((i, node))
    return calls


@pytest.mark.parametrize("exercise_id", sorted(answers.KEY))
def test_the_solution_passes_and_wrong_answers_get_hints(exercise_id, capsys):
    rule = answers.KEY[exercise_id].rule
    exercises.check(exercise_id, rule.solution())
    assert capsys.readouterr().out.strip() == f"[{exercise_id}] ✓ correct"
    for wrong in WRONG:
        exercises.check(exercise_id, wrong)  # must not raise, whatever the type
        out = capsys.readouterr().out
        assert (
            out.startswith(f"[{exercise_id}] ✗ not right yet: ")
            or "not answered" in out
        ), (wrong, out)
    exercises.check(exercise_id, exercises.TODO)
    assert "not answered yet" in capsys.readouterr().out


def test_rules_judge_as_documented(capsys):
    n = answers.Number(expected=0.25, hint="nudge")
    assert n.judge(0.25) is None and n.judge(torch.tensor(0.2500000001)) is None
    assert (
        n.judge(0.3) == "nudge"
        and "nan" in n.judge(math.nan)
        and "a number" in n.judge(True)
    )
    assert "whole number" in answers.Number(expected=3, hint="", integer=True).judge(
        3.5
    )
    f = answers.Function(reference=torch.tanh, hint="nudge")
    assert f.judge(lambda x: 2 * torch.sigmoid(2 * x) - 1) is None
    assert "math.*" in f.judge(
        lambda x: math.tanh(x)
    )  # the natural scalar answer gets a hint, not a crash
    assert "shape" in f.judge(lambda x: x.sum())
    assert f.judge(lambda x: answers.TODO) == "TODO"
    c = answers.Choice(correct="b", options={"a": "not a", "b": ""})
    assert c.judge("b") is None and c.judge("a") == "not a" and "one of" in c.judge("c")
    names = answers.Names(
        expected=["relu", "tanh"], hint="nudge", universe=["relu", "tanh", "elu"]
    )
    assert names.judge(["tanh", "relu"]) is None and "1 missing and 1" in names.judge(
        ["relu", "elu"]
    )
    assert "not among" in names.judge(["gelu"])
    with pytest.raises(ValueError, match="unknown exercise 'nope'"):
        exercises.check("nope", 1)


def test_exercise_cells_pass_no_expected_value():
    legacy, unknown, bad = [], [], []
    for path in NOTEBOOKS:
        for i, call in check_calls(path):
            where = f"{path.name} cell {i}"
            if (
                call.func.attr == "check_function"
                or len(call.args) != 2
                or call.keywords
            ):
                legacy.append(where)
                continue
            first = call.args[0]
            if not isinstance(first, ast.Constant) or first.value not in answers.KEY:
                unknown.append(f"{where}: {ast.unparse(first)}")
            arg = call.args[1]
            if not (
                isinstance(arg, ast.Name)
                or (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name))
            ):
                bad.append(
                    f"{where}: the answer argument is an expression, {ast.unparse(arg)}"
                )
    assert not unknown, f"exercise ids missing from actlib.answers: {unknown}"
    assert not bad, bad
    assert not legacy, (
        "exercise cells must call exercises.check(id, answer) only, with the "
        f"expected value in actlib.answers: {legacy}"
    )


def test_every_key_entry_is_used_by_exactly_one_notebook_cell():
    used = {}
    for path in NOTEBOOKS:
        for _, call in check_calls(path):
            if call.args and isinstance(call.args[0], ast.Constant):
                used.setdefault(call.args[0].value, []).append(path.name)
    assert {k: v for k, v in used.items() if len(v) > 1} == {}
    assert set(answers.KEY) - set(used) == set(), (
        "key entries that no notebook asks for"
    )


def test_each_chapter_has_at_least_three_checked_exercises():
    per = {}
    for path in NOTEBOOKS:
        per[path.name] = len(check_calls(path))
    thin = {k: v for k, v in per.items() if v < 3}
    assert not thin, f"chapters with fewer than 3 checked exercises: {thin}"
