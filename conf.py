"""Sphinx configuration for the "Activation Functions in Deep Learning" book.

Build (from the repository root):

    python -m sphinx -b html . _build/html

The source directory is the repository root, but only ``index.md`` and the
notebooks under ``notebooks/`` are book content (see ``include_patterns``).
Notebooks are committed without outputs and executed by myst-nb at build time;
results are cached in ``_build/.jupyter_cache`` so rebuilds only re-run
notebooks whose code changed.

The book must work completely offline: MathJax is served from
``_build/html/_static/mathjax`` (sphinx-mathjax-offline) and no script or
stylesheet is loaded from a CDN (see ``nb_ipywidgets_js`` below).
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# Notebooks are executed with the notebook's folder as working directory; make
# the repository's own package (actlib) importable from there even when it is
# not pip-installed. The Jupyter kernel inherits this environment.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)

# Every kernel the build starts would log "Kernel is running over TCP without
# encryption" (ipykernel 7, a local build on loopback) into the build log, for
# every notebook. An IPython profile of the build's own, under _build, sets the
# kernel's log level so that only its errors reach the log; notebook outputs are
# not affected.
_IPYTHONDIR = ROOT / "_build" / "ipython"
(_IPYTHONDIR / "profile_default").mkdir(parents=True, exist_ok=True)
(_IPYTHONDIR / "profile_default" / "ipython_kernel_config.py").write_text(
    "# written by conf.py for the book build\n"
    'c.IPKernelApp.log_level = "ERROR"\n'
    "c.HistoryManager.enabled = False\n",
    encoding="utf-8",
)
os.environ["IPYTHONDIR"] = str(_IPYTHONDIR)

# -- Project information ------------------------------------------------------

project = "Activation Functions in Deep Learning"
author = "the course team"
copyright = "2026, the course team; text and code MIT-licensed"
html_title = project


def _repository_url() -> str:
    """The public repository the book links to: $BOOK_REPOSITORY_URL, else the
    git remote `origin` when it is a web address (an ssh address is turned
    into https), else "" (then the pages say where the source is instead)."""
    url = os.environ.get("BOOK_REPOSITORY_URL", "").strip()
    if not url:
        try:
            url = subprocess.run(
                ["git", "remote", "get-url", "origin"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            url = ""
    ssh = re.match(r"^git@([^:]+):(.+?)(\.git)?$", url)
    if ssh:
        url = f"https://{ssh.group(1)}/{ssh.group(2)}"
    url = re.sub(r"\.git$", "", url)
    return url if url.startswith("https://") else ""


REPOSITORY_URL = _repository_url()
myst_substitutions = {
    "repository": f"[the repository]({REPOSITORY_URL})"
    if REPOSITORY_URL
    else "the repository this book was built from "
    "(`git clone` it to run the notebooks)",
}

# -- General configuration ----------------------------------------------------

extensions = [
    "myst_nb",
    # Ships MathJax 3 and copies it to _build/html/_static/mathjax; sets
    # mathjax_path = "mathjax/tex-chtml.js" (relative to _static).
    "sphinx-mathjax-offline",
    "sphinx_copybutton",  # a copy button on every code cell
    "sphinxcontrib.bibtex",  # {cite} roles and the bibliography page
]

root_doc = "index"

# Only these files are book content, whatever else lives in the repo root.
include_patterns = ["index.md", "notebooks/*.ipynb", "book/*.md"]

# ...and belt and braces: never look into these.
exclude_patterns = [
    ".venv",
    "venv",
    "_build",
    "build",
    "data",
    "tests",
    "actlib",
    "assignments",  # nbgrader sources hold the solutions: never in the book
    "README.md",
    "**/.ipynb_checkpoints",
    ".ci",
    ".github",
    ".git",
    ".pytest_cache",
    "**/__pycache__",
    "*.egg-info",
]

# MyST markdown (also used for notebook markdown cells).
myst_enable_extensions = [
    "dollarmath",  # $inline$ and $$display$$ math
    "amsmath",  # \begin{align} ... \end{align} etc.
    "colon_fence",
    "substitution",  # {{ repository }} on the landing page
]
myst_dmath_double_inline = True

# Figures with a caption (cell metadata mystnb.figure.caption) are numbered and
# can be referred to with {numref}`fig-...`.
numfig = True
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}

# One BibTeX file for the whole book; {cite:p}`key` in a chapter links to the
# entry on book/bibliography.md.
bibtex_bibfiles = ["book/references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# The copy button copies the code only, never prompts or outputs.
copybutton_exclude = ".linenos, .gp, .go"

# MathJax 3 normally renders an undefined macro (a typo such as \sigmoid) as
# quiet red text. Without the "noundefined" package it becomes a TeX error box
# (<mjx-merror>), which readers notice and tests/test_book.py detects.
mathjax3_config = {"tex": {"packages": {"[-]": ["noundefined"]}}}

# -- Notebook execution (myst-nb) --------------------------------------------

nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "_build" / ".jupyter_cache")
nb_execution_timeout = 300  # seconds per cell
nb_execution_allow_errors = False  # a cell that raises is an error ...
nb_execution_raise_on_error = True  # ... and that error fails the build
nb_execution_show_tb = True  # print the notebook traceback in the build log
nb_execution_excludepatterns: list[str] = []
nb_kernel_rgx_aliases = {".*": "python3"}  # always use the venv's python3 kernel
nb_merge_streams = True
# Code cells that print a Markdown table (text/markdown output) are rendered as
# MyST, which has tables; myst-nb's default (CommonMark) shows raw pipes.
nb_render_markdown_format = "myst"
# Cells that only check a claim (asserts) are tagged hide-input: the reader sees
# the story and the check's printed result, and opens the check on demand.
nb_code_prompt_show = "Show the check"
nb_code_prompt_hide = "Hide the check"

# No CDN scripts: by default myst-nb injects require.js and the
# @jupyter-widgets html-manager from cdnjs/jsdelivr on every page whose
# notebook has widget state. The book shows a static figure instead (widget
# cells are tagged `remove-output`).
nb_ipywidgets_js: dict[str, dict[str, str]] = {}

# -- HTML output ---------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
    # Nothing that talks to the network: no launch buttons, no repository
    # buttons, no analytics, no version switcher.
    "launch_buttons": {},
    "repository_url": REPOSITORY_URL,
    "use_repository_button": bool(REPOSITORY_URL),
    "use_issues_button": False,
    "use_edit_page_button": False,
    # An empty top navbar: pydata-sphinx-theme 0.20 then renders no second set
    # of .primary-toggle/.secondary-toggle buttons. With that second, hidden
    # set the theme binds its click handlers to the hidden buttons and the ones
    # a reader sees do nothing (pydata-sphinx-theme#2451,
    # sphinx-book-theme#988). tests/test_book.py clicks them in Chromium.
    "navbar_start": [],
    "navbar_center": [],
    "navbar_end": [],
    "navbar_persistent": [],
    "footer_content_items": ["copyright.html", "extra-footer.html"],
    "extra_footer": "",  # set below, once the repository link is known
}
if REPOSITORY_URL:
    _source = f'<a href="{REPOSITORY_URL}">the repository</a>'
else:
    _source = "the repository this book was built from"
html_theme_options["extra_footer"] = (
    f"<p>Notebooks, the <code>actlib</code> package and the tests: {_source}. "
    "Every page is a notebook executed when the book was built.</p>"
)
# pydata-sphinx-theme logs "Got invalid theme mode" on every page without it.
html_context = {"default_mode": "auto"}
html_static_path = ["book/_static"]
templates_path = ["book/_templates"]  # layout.html: one title on the landing page
# cjk.css: the bundled Chinese font subset (book/cjk_subset.py);
# book.css: figure sizes, wrapping of long output lines, print layout.
html_css_files = ["cjk.css", "book.css"]
# offline-search.js: from file:// the search page cannot fetch other pages for
# their text snippets, so it asks for none there (make serve shows them).
html_js_files = ["offline-search.js"]
html_copy_source = True

# -- Empty parts of the table of contents -------------------------------------
#
# index.md lists every part of the book as a globbed toctree
# (``notebooks/1_*`` ...). While the book is being written some parts have no
# notebook yet; Sphinx would warn "toctree glob pattern ... didn't match any
# documents" and render an empty caption. That warning has no `type`, so it
# cannot be silenced with `suppress_warnings`. Instead, when index.md is read we
# drop the toctree blocks whose globs match no notebook at all.

_TOCTREE_RE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{toctree\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*\n?",
    re.MULTILINE | re.DOTALL,
)


def _existing_docnames(srcdir: Path) -> list[str]:
    docs = []
    nb_dir = srcdir / "notebooks"
    if nb_dir.is_dir():
        for path in sorted(nb_dir.glob("*.ipynb")):
            docs.append(f"notebooks/{path.stem}")
    return docs


def _prune_empty_toctrees(app, docname, source):  # noqa: ANN001
    if docname != root_doc:
        return
    docs = _existing_docnames(Path(app.srcdir))

    def keep(match: re.Match) -> str:
        entries = [
            line.strip()
            for line in match.group("body").splitlines()
            if line.strip() and not line.strip().startswith(":")
        ]
        if not entries:
            return match.group(0)
        for entry in entries:
            if any(ch in entry for ch in "*?["):
                if any(fnmatch.fnmatch(d, entry) for d in docs):
                    return match.group(0)
            else:
                return match.group(0)  # explicit entry: leave it to Sphinx
        return ""  # every entry is a glob that matches nothing

    source[0] = _TOCTREE_RE.sub(keep, source[0])


# -- Widget state --------------------------------------------------------------
#
# Executing a notebook stores the ipywidgets state (including rendered
# outputs, e.g. base64 PNGs) in its metadata and myst-nb embeds it in the page
# as <script type="application/vnd.jupyter.widget-state+json">. Without the
# (CDN) widget manager that JSON is dead weight, so drop it.


def _drop_widget_state(app, doctree):  # noqa: ANN001
    nb_metadata = getattr(app.env, "nb_metadata", None)
    if not nb_metadata:
        return
    js_files = nb_metadata.get(app.env.docname, {}).get("js_files", {})
    for key in [k for k in js_files if k.startswith("ipywidgets")]:
        del js_files[key]


def _outdated_docs(app, env, added, changed, removed):  # noqa: ANN001
    # The pruning above depends on which notebooks exist, not only on
    # index.md itself, so re-read index.md on every (incremental) build.
    # When the table of contents changes (a notebook added/removed, index.md
    # edited), re-read every page so that no page keeps a stale sidebar;
    # cheap, since executed notebooks come from the jupyter cache.
    if added or removed or root_doc in changed:
        return sorted(env.found_docs)
    return [root_doc, RESULTS_DOC]


# -- Numbers reproduced ----------------------------------------------------------
#
# book/results.md holds a marker that is replaced by a table of every number the
# notebooks recorded (actlib.results, _build/results/*.json). Notebooks record when
# they run, and myst-nb runs them while reading, so the page is read last and on
# every build.

RESULTS_DOC = "book/results"
RESULTS_MARKER = "<!-- results-table -->"


def _results_table(srcdir: Path) -> str:
    import sys

    sys.path.insert(0, str(ROOT))
    from actlib import results

    records = results.load()
    if not records:
        return (
            "No numbers are recorded yet: they appear once the notebooks have run "
            "(`make test` or `make book`)."
        )
    docs = {results.chapter_of(d): d for d in _existing_docnames(srcdir)}
    bib = (srcdir / "book" / "references.bib").read_text(encoding="utf-8")
    bib_keys = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.MULTILINE))
    head = ["chapter", "number", "measured [95 % interval]", "seeds", "published"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in records:
        row = r.as_row()
        chapter = r.chapter
        if chapter in docs:
            chapter = f"{{doc}}`{chapter} </{docs[chapter]}>`"
        published = row["published"] or "—"
        if r.source in bib_keys:
            published += f" {{cite:p}}`{r.source}`"
        elif r.source:
            published += f" ({r.source})"
        cells = [chapter, f"`{r.name}`", row["measured (95 % interval)"], row["seeds"]]
        cells.append(published)
        if r.note:
            cells[1] += f"<br>{r.note}"
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _fill_results(app, docname, source):  # noqa: ANN001
    if docname == RESULTS_DOC and RESULTS_MARKER in source[0]:
        source[0] = source[0].replace(RESULTS_MARKER, _results_table(Path(app.srcdir)))


def _results_last(app, env, docnames):  # noqa: ANN001
    if RESULTS_DOC in docnames:
        docnames.remove(RESULTS_DOC)
        docnames.append(RESULTS_DOC)


def setup(app):  # noqa: ANN001
    app.connect("source-read", _fill_results)
    app.connect("env-before-read-docs", _results_last)
    app.connect("source-read", _prune_empty_toctrees)
    app.connect("env-get-outdated", _outdated_docs)
    app.connect("doctree-read", _drop_widget_state)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
