"""The instructor's nbgrader workflow, end to end, in a temporary copy of assignments/.

Generates every assignment, checks that no solution or hidden test reaches the
released notebook, then autogrades three submissions per assignment: the source (full
marks), the released version unchanged (zero, no crash) and the source with one planted
bug (loses the marks of that part only).
"""

import json
import re
import time

import pytest
from nbgrader_regions import (
    ASSIGNMENT_SOURCES,
    copy_course,
    graded_only_lines,
    nbgrader,
)

# assignment: (text in the solution, the bug replacing it, test cells that must fail)
PLANTED_BUGS = {
    "a1_activations": (
        (
            "    e = torch.exp(-x.abs())  # in (0, 1]: never overflows\n"
            "    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"
        ),
        "    e = torch.exp(x)\n    return e / (1 + e)\n",
        {"test_sigmoid_extreme"},
    ),
    "a3_benchmark": (
        "student_t.ppf(0.5 + confidence / 2, n - 1)",
        "1.96",  # the normal quantile: too narrow for six seeds
        {"test_mean_ci", "test_mean_ci_raw"},
    ),
    "a2_diagnose": (
        "float(m.weight.grad.norm())",
        "float(m.weight.data.norm())",  # the weights' own norm, not their gradient's
        {"test_grad_norms", "test_grad_norms_hidden"},
    ),
    "a4_learnable": (
        "self.beta = nn.Parameter(torch.full((self.num_channels,), float(beta_init)))",
        # a plain tensor: not registered, so no optimiser ever updates beta
        "self.beta = torch.full((self.num_channels,), float(beta_init))",
        {"test_parameters", "test_learns"},
    ),
}


def hidden_lines(nb_path):
    """Every line of four or more characters in a solution or hidden-test region."""
    return set(graded_only_lines(nb_path, min_length=4, skip_comments=False))


def test_every_assignment_has_a_planted_bug():
    names = {p.parent.name for p in ASSIGNMENT_SOURCES}
    assert names, "no assignments in assignments/source"
    assert names == set(PLANTED_BUGS), (
        f"assignments {sorted(names)} vs planted bugs {sorted(PLANTED_BUGS)}"
    )


def test_the_region_extractor_finds_solutions():
    # control: without it, the leak check below could pass by finding nothing
    for nb in ASSIGNMENT_SOURCES:
        assert len(hidden_lines(nb)) >= 5, f"{nb}: found no solution lines"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course"))
    names = sorted({nb.parent.name for nb in ASSIGNMENT_SOURCES})
    for name in names:
        nbgrader(course, "generate_assignment", name, "--force")
    for nb in ASSIGNMENT_SOURCES:
        name = nb.parent.name
        released = course / "release" / name / nb.name
        old, new, _ = PLANTED_BUGS[name]
        text = nb.read_text()
        source = json.loads(text)
        hits = [c for c in source["cells"] if old in "".join(c["source"])]
        assert len(hits) == 1, f"{name}: planted bug target not found"
        hits[0]["source"] = "".join(hits[0]["source"]).replace(old, new)
        for student, content in (
            ("solution", text),
            ("blank", released.read_text()),
            ("bug", json.dumps(source)),
        ):
            target = course / "submitted" / student / name / nb.name
            target.parent.mkdir(parents=True)
            target.write_text(content)
    t0 = time.perf_counter()
    for name in names:
        nbgrader(course, "autograde", name, "--force")
    seconds = time.perf_counter() - t0
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for nb in ASSIGNMENT_SOURCES:
            name = nb.parent.name
            for student in ("solution", "blank", "bug"):
                sub = gb.find_submission_notebook(nb.stem, name, student)
                lost = {
                    g.name
                    for g in sub.grades
                    if g.cell.cell_type == "code" and (g.score or 0) < g.max_score
                }
                scores[name, student] = (sub.code_score, sub.max_code_score, lost)
    return course, scores, seconds


@pytest.mark.parametrize("nb", ASSIGNMENT_SOURCES, ids=lambda p: p.parent.name)
def test_released_notebooks_hold_no_solution_or_hidden_test(graded, nb):
    course, _, _ = graded
    released = (course / "release" / nb.parent.name / nb.name).read_text()
    assert "BEGIN SOLUTION" not in released and "HIDDEN TESTS" not in released
    text = "\n".join("".join(c["source"]) for c in json.loads(released)["cells"])
    released_lines = {ln.strip() for ln in text.splitlines()}
    leaked = sorted(hidden_lines(nb) & released_lines)
    assert not leaked, f"{nb.parent.name}: solution lines in the release: {leaked[:5]}"


@pytest.mark.parametrize("nb", ASSIGNMENT_SOURCES, ids=lambda p: p.parent.name)
def test_autograded_marks(graded, nb):
    _, scores, seconds = graded
    name = nb.parent.name
    score, top, lost = scores[name, "solution"]
    assert top > 0 and score == top, (
        f"{name}: the solution scored {score}/{top}: {lost}"
    )
    score, _, lost = scores[name, "blank"]
    assert score == 0, f"{name}: the blank release scored {score}, not 0"
    score, _, lost = scores[name, "bug"]
    expected = PLANTED_BUGS[name][2]
    assert lost == expected, (
        f"{name}: the planted bug lost {sorted(lost)}, not {expected}"
    )
    assert 0 < score < top
    print(
        f"{name}: solution {top}/{top}, blank 0, planted bug {score}/{top}; "
        f"autograding all submissions took {seconds:.1f} s"
    )


@pytest.mark.parametrize("nb", ASSIGNMENT_SOURCES, ids=lambda p: p.parent.name)
def test_released_notebooks_start_like_the_chapters(graded, nb):
    # the same setup cell as every chapter, and visible tests a student can run
    course, _, _ = graded
    released = json.loads((course / "release" / nb.parent.name / nb.name).read_text())
    code = [c for c in released["cells"] if c["cell_type"] == "code"]
    first = "".join(code[0]["source"])
    assert "import actlib" in first and "actlib.setup()" in first, first
    meta = [c["metadata"].get("nbgrader", {}) for c in code]
    visible = [m for m in meta if m.get("grade") and not m.get("solution")]
    assert len(visible) >= 3, f"{nb.parent.name}: {len(visible)} visible test cells"
    assert all(m.get("locked") for m in visible), "test cells must be read-only"


def test_feedback_reports_each_students_score(graded):
    # step 5 of the README's instructor guide: nbgrader generate_feedback
    course, scores, _ = graded
    name = "a1_activations"
    nbgrader(course, "generate_feedback", name, "--force")
    for student in ("solution", "blank", "bug"):
        page = course / "feedback" / student / name / f"{name}.ipynb"
        html = page.with_suffix(".html")
        assert html.is_file(), (
            f"no feedback for {student}: {sorted(course.rglob('*.html'))}"
        )
        score, _, _ = scores[name, student]
        first = re.search(r"Score: ([0-9.]+) / ([0-9.]+)", html.read_text())
        assert first, f"{html} shows no score"
        assert float(first.group(1)) == score, (student, first.group(0), score)
