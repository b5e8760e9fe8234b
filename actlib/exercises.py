"""Checks for exercise cells: ``check(exercise_id, answer)``.

A check compares the answer with the answer key in actlib.answers.

An exercise cell holds the question's scaffolding and one call,
``exercises.check("2.1-3", answer)``; the expected value lives in the key, never in the
notebook. The check prints one line and returns nothing (so Jupyter echoes nothing):

- ``[2.1-3] not answered yet: ...`` while the answer is TODO (or a function still
  returning TODO);
- ``[2.1-3] ✓ correct``;
- ``[2.1-3] ✗ not right yet: <hint>`` for a wrong answer, a nan, an answer of the wrong
  type or a function that raises. A learner's mistake never produces a traceback; only
  an unknown exercise id (a bug in the book) raises.
"""

from .answers import KEY, TODO, _todo  # noqa: F401  (TODO: the placeholder learners replace)


def check(exercise_id, answer):
    """Check a learner's answer against the key; print ✓, a reminder, or a hint.

    Never raises for a wrong answer.
    """
    if exercise_id not in KEY:
        raise ValueError(
            f"unknown exercise {exercise_id!r}; the key has: {', '.join(sorted(KEY))}"
        )
    rule = KEY[exercise_id].rule
    if _todo(answer):
        print(
            f"[{exercise_id}] not answered yet: replace TODO with your answer and "
            "run the cell again."
        )
        return
    try:
        verdict = rule.judge(answer)
    except (
        Exception
    ) as e:  # whatever a learner passes, they get a hint, never a traceback
        verdict = f"that answer could not be checked ({type(e).__name__}: {e})."
    if verdict == "TODO":
        print(f"[{exercise_id}] not answered yet: your function still returns TODO.")
    elif verdict is None:
        print(f"[{exercise_id}] ✓ correct")
    else:
        print(f"[{exercise_id}] ✗ not right yet: {verdict}")
