"""The assignments' nbgrader source notebooks and what their graded regions hide.

Shared by the book test (no solution in any built page) and the nbgrader workflow test
(no solution in any released notebook).
"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
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
