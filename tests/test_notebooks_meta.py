"""Checks on the committed notebooks themselves (fast, no execution).

(a) notebooks are committed without outputs, execution counts or saved widget
    state -- the book executes them at build time;
(b) a code cell that displays an ipywidgets widget carries the ``remove-output``
    tag: the static book cannot run widgets, so it shows the code and the
    static matplotlib figure drawn by the next cell instead;
(c) every notebook is reachable from a toctree glob in ``index.md`` and follows
    the naming scheme ``notebooks/<part>_<chapter>_<slug>.ipynb``.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
INDEX = ROOT / "index.md"

NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
IDS = [nb.name for nb in NOTEBOOKS]

WIDGET_RE = re.compile(
    r"ipywidgets"
    r"|@interact\b"
    r"|\binteract(_manual)?\s*\("
    r"|\binteractive\s*\("
    r"|\.explorer\s*\("
)
WIDGET_TAGS = {"remove-output", "remove-cell"}  # remove-output is the convention

# <part>_<chapter>_<slug>: part 0-5 or A (appendix); "0_start_here" has no chapter
NAME_RE = re.compile(
    r"^(?P<part>[0-5A])_(?:(?P<chapter>\d+)_)?(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)$"
)


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _cell_name(path: Path, index: int, cell: nbformat.NotebookNode) -> str:
    first = next(
        (line for line in cell.source.splitlines() if line.strip()), ""
    ).strip()
    cell_id = f" id={cell.get('id')}" if cell.get("id") else ""
    return f"{path.relative_to(ROOT)} cell {index}{cell_id} ({first[:60]!r})"


def toctree_globs() -> list[str]:
    """Entries of the toctree directives in index.md (MyST fenced syntax)."""
    text = INDEX.read_text(encoding="utf-8")
    entries = []
    for m in re.finditer(
        r"^(?P<fence>`{3,}|:{3,})\{toctree\}[^\n]*\n(?P<body>.*?)^(?P=fence)",
        text,
        flags=re.MULTILINE | re.DOTALL,
    ):
        for line in m.group("body").splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                entries.append(line)
    return entries


def test_there_is_a_toctree() -> None:
    assert toctree_globs(), "index.md has no toctree entries"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_valid_notebook(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path: Path) -> None:
    nb = _read(path)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(
                f"{_cell_name(path, i, cell)}: has {len(cell.outputs)} output(s)"
            )
        if cell.get("execution_count") is not None:
            problems.append(
                f"{_cell_name(path, i, cell)}: has execution_count={cell.execution_count}"
            )
    if nb.metadata.get("widgets"):
        problems.append(
            f"{path.relative_to(ROOT)}: notebook metadata holds saved widget state"
        )
    assert not problems, (
        "commit notebooks without outputs (Jupyter: Edit > Clear Outputs of All Cells, "
        "or `jupyter nbconvert --clear-output --inplace`):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_widget_cells_are_tagged_remove_output(path: Path) -> None:
    nb = _read(path)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not WIDGET_RE.search(cell.source):
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if not tags & WIDGET_TAGS:
            problems.append(
                f"{_cell_name(path, i, cell)}: displays an ipywidgets widget but has "
                f"tags {sorted(tags)}; add the cell tag 'remove-output' (and draw a static "
                "figure in the next cell)"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_reachable_from_index_toctree(path: Path) -> None:
    docname = f"notebooks/{path.stem}"
    entries = toctree_globs()
    assert any(fnmatchcase(docname, e) for e in entries), (
        f"{path.relative_to(ROOT)} matches none of index.md's toctree entries {entries}, "
        "so it would not appear in the book; name it notebooks/<part>_<chapter>_<slug>.ipynb "
        "with part 0-5 or A"
    )
    assert NAME_RE.match(path.stem), (
        f"{path.relative_to(ROOT)}: name does not follow <part>_<chapter>_<slug>.ipynb "
        "(part 0-5 or A, chapter a number, slug lowercase words joined by '_'), "
        "e.g. 1_2_activation_zoo.ipynb"
    )


def test_chapter_order_in_toc() -> None:
    """Sphinx sorts glob matches as strings: 1_10_x comes before 1_2_y."""
    by_part: dict[str, list[tuple[str, int]]] = {}
    for path in NOTEBOOKS:
        m = NAME_RE.match(path.stem)
        if m and m.group("chapter"):
            by_part.setdefault(m.group("part"), []).append(
                (path.stem, int(m.group("chapter")))
            )
    for part, chapters in by_part.items():
        as_sphinx_sorts = [stem for stem, _ in sorted(chapters)]
        by_number = [stem for stem, _ in sorted(chapters, key=lambda c: (c[1], c[0]))]
        assert as_sphinx_sorts == by_number, (
            f"part {part}: the book would list chapters as {as_sphinx_sorts}; "
            f"zero-pad chapter numbers (e.g. 1_02_...) so the order is {by_number}"
        )


def test_no_control_characters_in_cells():
    # A JSON escape written by hand ("\text" or "\approx" in a .ipynb file) turns into a tab or a bell
    # character, which breaks the formula silently.
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            bad = {
                repr(ch)
                for ch in "".join(cell["source"])
                if ord(ch) < 32 and ch != "\n"
            }
            if bad:
                found.append(f"{path.name} cell {i}: {sorted(bad)}")
    assert not found, found
