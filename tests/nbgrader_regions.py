"""The assignments' nbgrader source notebooks, what their graded regions hide, and
nbgrader run on a temporary copy of the course.

Shared by the book test (no solution in any built page), the nbgrader workflow test
(no solution in any released notebook) and the JupyterLab test (a student's view).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "assignments"
BIN = Path(sys.executable).parent
ASSIGNMENT_SOURCES = sorted((ROOT / "assignments" / "source").glob("*/*.ipynb"))
_REGIONS = (
    ("### BEGIN SOLUTION", "### END SOLUTION"),
    ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
)


def graded_only_lines(nb_path, min_length=24, skip_comments=True):
    """Lines of a notebook's solution and hidden-test regions, stripped.

    Only lines of at least min_length characters; comment lines are left out when
    skip_comments is true.
    """
    nb = nbformat.read(nb_path, as_version=4)
    found = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if any(text.startswith(begin) for begin, _ in _REGIONS):
                inside = True
            elif any(text.startswith(end) for _, end in _REGIONS):
                inside = False
            elif inside and len(text) >= min_length:
                if not (skip_comments and text.startswith("#")):
                    found.append(text)
    return found


def copy_course(dest):
    """Copy the course directory to dest without nbgrader's outputs; return dest."""
    shutil.copytree(
        COURSE,
        dest,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(
            "release", "submitted", "autograded", "feedback", "gradebook.db", ".*"
        ),
    )
    return dest


def nbgrader(course, *args):
    """Run `nbgrader *args` in course with the venv's bin/ on PATH; fail on an error."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (
        f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    )
    return done
