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

import ast
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
                f"{_cell_name(path, i, cell)}: "
                f"has execution_count={cell.execution_count}"
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
                f"tags {sorted(tags)}; add the cell tag 'remove-output' "
                "(and draw a static "
                "figure in the next cell)"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_reachable_from_index_toctree(path: Path) -> None:
    docname = f"notebooks/{path.stem}"
    entries = toctree_globs()
    assert any(fnmatchcase(docname, e) for e in entries), (
        f"{path.relative_to(ROOT)} matches none of index.md's toctree entries "
        f"{entries}, so it would not appear in the book; name it "
        "notebooks/<part>_<chapter>_<slug>.ipynb "
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
    # A JSON escape written by hand ("\text" or "\approx" in a .ipynb file) turns
    # into a tab or a bell character, which breaks the formula silently.
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


# --------------------------------------------------------------------------
# what a reader of the book sees first: the story, then (on demand) the checks
# --------------------------------------------------------------------------


def _is_check(stmt: ast.stmt) -> bool:
    """An assert, a loop/if whose body holds only checks, or a print (the
    "checked" line a check cell may end with)."""
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, (ast.For, ast.If)):
        body = list(stmt.body) + list(getattr(stmt, "orelse", []))
        return bool(body) and all(_is_check(s) for s in body)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return getattr(stmt.value.func, "id", None) == "print"
    return False


def check_only_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells whose top-level statements are all checks."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
            continue
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:
            continue
        if any(
            isinstance(s, ast.Assert) for s in ast.walk(ast.Module(body, []))
        ) and all(_is_check(s) for s in body):
            found.append(i)
    return found


def test_check_only_cell_detection() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("assert 1 + 1 == 2\nprint('checked')"),
        nbformat.v4.new_code_cell("for x in [1]:\n    assert x > 0"),
        nbformat.v4.new_code_cell("y = 3\nassert y == 3"),  # a story cell
        nbformat.v4.new_code_cell("print('hello')"),  # no check at all
    ]
    assert check_only_cells(nb) == [0, 1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_check_cells_are_collapsed_in_the_book(path: Path) -> None:
    nb = _read(path)
    untagged = [
        _cell_name(path, i, nb.cells[i])
        for i in check_only_cells(nb)
        if "hide-input" not in nb.cells[i].get("metadata", {}).get("tags", [])
    ]
    assert not untagged, (
        "cells that only check a claim should carry the tag `hide-input`, so the "
        "book shows the story first and the check on demand: " + ", ".join(untagged)
    )


# --------------------------------------------------------------------------
# Chinese terms: linked to the glossary on first use in each chapter
# --------------------------------------------------------------------------

CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
TERM_ROLE_RE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^`>]+)>)?`")
GLOSSARY_PAGE = ROOT / "book" / "glossary.md"


def glossary_terms() -> dict[str, tuple[list[str], str]]:
    """Every glossary entry: its first term -> (all its terms, its definition),
    read from the glossary page and the files it includes."""
    text = GLOSSARY_PAGE.read_text(encoding="utf-8")
    for inc in re.findall(r"```\{include\}\s*(\S+)", text):
        text += "\n" + (GLOSSARY_PAGE.parent / inc).read_text(encoding="utf-8")
    entries: dict[str, tuple[list[str], str]] = {}

    def flush(names: list[str], definition: list[str]) -> None:
        if names:
            entries[names[0]] = (names, " ".join(definition))

    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, flags=re.DOTALL):
        names: list[str] = []
        definition: list[str] = []
        for line in block.splitlines():
            if not line.strip() or line.startswith((":", ".. ")):
                continue  # blank lines, the directive's options, comments
            if line[0].isspace():
                definition.append(line.strip())
                continue
            if definition:  # a term line after a definition starts a new entry
                flush(names, definition)
                names, definition = [], []
            names.append(line.strip())
        flush(names, definition)
    return entries


def _markdown_without_code(cell: nbformat.NotebookNode) -> str:
    text = re.sub(r"```.*?```", "", cell.source, flags=re.DOTALL)
    # drop inline code but keep roles ({term}`...`, {cite:p}`...`) whole
    return re.sub(r"(\{[a-z:]+\}`[^`]*`)|`[^`\n]*`", lambda m: m.group(1) or "", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chinese_terms_link_to_the_glossary_on_first_use(path: Path) -> None:
    nb = _read(path)
    aliases = {name for names, _ in glossary_terms().values() for name in names}
    seen: set[str] = set()
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = _markdown_without_code(cell)
        linked = {}
        for m in TERM_ROLE_RE.finditer(text):
            target = (m.group(2) or m.group(1)).strip()
            if target not in aliases:
                problems.append(
                    f"{_cell_name(path, i, cell)}: no glossary entry {target!r}"
                )
            for run in CJK_RUN_RE.findall(m.group(1)):
                linked[run] = m.start()
        plain = TERM_ROLE_RE.sub(" ", text)
        for run in CJK_RUN_RE.findall(text):
            if run in seen:
                continue
            seen.add(run)
            if run not in linked and run in plain:
                problems.append(
                    f"{_cell_name(path, i, cell)}: first use of {run!r} is not a "
                    f"glossary link; write {{term}}`{run}`"
                )
    assert not problems, "\n".join(problems)


def test_glossary_has_every_term_with_its_chinese_name() -> None:
    entries = glossary_terms()
    assert len(entries) >= 80, (
        f"the glossary has {len(entries)} terms; it needs at least 80"
    )
    problems = []
    for first, (names, body) in entries.items():
        if not any(CJK_RUN_RE.search(n) for n in names):
            problems.append(f"{first!r}: no Chinese name among its terms {names}")
        if not body:
            problems.append(f"{first!r}: no definition")
        elif "{doc}" not in body and "](" not in body:
            problems.append(f"{first!r}: no link to where it is introduced")
    assert not problems, "\n".join(problems)
