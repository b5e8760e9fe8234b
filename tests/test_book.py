"""Build the Jupyter book and check the result works offline.

What is checked:

* ``sphinx-build`` succeeds (myst-nb executes every notebook; a cell that
  raises, e.g. a failing ``assert``, fails the build) and emits no warnings;
* static scan of every built HTML page: no script / stylesheet / image / frame
  is loaded from ``http://``, ``https://`` or ``//``, no CSS ``@import`` or
  ``url()`` points to the internet, MathJax comes from ``_static``;
* static per-chapter checks: math in the notebook's markdown was turned into
  math nodes, every figure the executed notebook produced is on the page and
  its image file exists, no traceback / ``...Error:`` in output areas;
* each chapter page (and index.html) is opened in headless Chromium with the
  network disabled: the page must request nothing from the internet (checked
  in Chromium's net log), MathJax must have typeset every formula
  (``mjx-container``, no ``mjx-merror``), figures are present, no errors.
  Skipped when Chromium is not installed (``apt-get install chromium``).

The book is built into ``_build/html`` -- the same place as ``make book`` -- so
the notebook execution cache in ``_build/.jupyter_cache`` is shared.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from nbgrader_regions import ASSIGNMENT_SOURCES, graded_only_lines

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = ROOT / "_build" / "html"
CACHE_DIR = ROOT / "_build" / ".jupyter_cache"  # nb_execution_cache_path in conf.py
NB_DIR = ROOT / "notebooks"

BUILD_CMD = [sys.executable, "-m", "sphinx", "-b", "html", "-E", ".", "_build/html"]
BUILD_TIMEOUT_S = 60 * 60

NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
# docnames of the pages opened in Chromium: the landing page and every chapter
PAGES = ["index"] + [f"notebooks/{nb.stem}" for nb in NOTEBOOKS]

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--mute-audio",
    "--disable-dev-shm-usage",
    # fail every DNS lookup: the book must not need the network, and a
    # page that tries anyway must not hang the test
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
VIRTUAL_TIME_BUDGET_MS = 20_000
CHROMIUM_TIMEOUT_S = 120

IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
HIDDEN_OUTPUT_TAGS = {"remove-output", "remove-cell"}
REMOTE_RE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
ERROR_RES = [
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"\b[A-Za-z_]\w*(Error|Exception):"),
]
# inline $...$, display $$...$$ and amsmath environments in notebook markdown
MATH_SOURCE_RE = re.compile(
    r"(?<![\\$])\$(?!\s)[^$\n]+(?<!\s)\$(?!\d)|\$\$.+?\$\$|\\begin\{[a-z]+\*?\}",
    re.DOTALL,
)
CSS_REMOTE_RE = re.compile(
    r"""(@import\s+(url\()?\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//)""",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
    "meta", "source", "track", "wbr",
}  # fmt: skip


class PageParser(HTMLParser):
    """Collect what the checks need from one HTML page (static or Chromium DOM)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, bool]] = []  # (tag, inside a cell output)
        self.remote: list[str] = []  # remote resources, as "<tag attr=url>"
        self.scripts: list[str] = []  # every <script src=...>
        self.imgs: list[tuple[str, bool]] = []  # (src, inside a cell output)
        self.math_nodes = 0  # Sphinx math nodes (span/div class="math")
        self.mjx_containers = 0
        self.mjx_errors: list[str] = []
        self.output_text: list[str] = []  # text inside cell output areas
        self.style_text: list[str] = []  # inline <style> contents
        self._in_style = False
        self._in_merror = 0

    @property
    def in_output(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self._start(tag, attrs, push=tag not in VOID_TAGS)

    def handle_startendtag(self, tag, attrs):  # noqa: ANN001
        self._start(tag, attrs, push=False)  # <img ... /> has no end tag

    def _start(self, tag: str, attrs: list, push: bool) -> None:
        a = {k: (v or "") for k, v in attrs}
        classes = a.get("class", "").split()
        self._check_resource(tag, a)
        if tag == "img":
            self.imgs.append((a.get("src", ""), self.in_output))
        if tag in ("span", "div") and "math" in classes:
            self.math_nodes += 1
        if tag == "mjx-container":
            self.mjx_containers += 1
        if tag == "mjx-merror":
            self._in_merror += 1
            self.mjx_errors.append(a.get("data-mjx-error", ""))
        if tag == "style":
            self._in_style = True
        if push:
            inside = self.in_output or "cell_output" in classes
            self._stack.append((tag, inside))

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "style":
            self._in_style = False
        if tag == "mjx-merror" and self._in_merror:
            self._in_merror -= 1
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):  # noqa: ANN001
        if self._in_style:
            self.style_text.append(data)
        if self.in_output:
            self.output_text.append(data)
        if self._in_merror and self.mjx_errors and not self.mjx_errors[-1]:
            self.mjx_errors[-1] = data.strip()

    def _check_resource(self, tag: str, a: dict[str, str]) -> None:
        urls: list[tuple[str, str]] = []
        if tag == "script" and "src" in a:
            self.scripts.append(a["src"])
            urls.append(("src", a["src"]))
        elif tag == "link":
            rel = a.get("rel", "").lower().split()
            if set(rel) & {
                "stylesheet",
                "preload",
                "modulepreload",
                "icon",
                "prefetch",
            }:
                urls.append(("href", a.get("href", "")))
        elif tag in ("img", "iframe", "embed", "source", "audio", "video", "track"):
            urls.append(("src", a.get("src", "")))
        elif tag == "object":
            urls.append(("data", a.get("data", "")))
        if "style" in a and CSS_REMOTE_RE.search(a["style"]):
            urls.append(("style", a["style"]))
        for attr, url in urls:
            if REMOTE_RE.match(url) or (attr == "style"):
                self.remote.append(f"<{tag} {attr}={url!r}>")


def parse_html(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    for css in parser.style_text:
        if CSS_REMOTE_RE.search(css):
            parser.remote.append(f"<style> {CSS_REMOTE_RE.search(css).group(0)!r}")
    return parser


def page_path(docname: str) -> Path:
    return HTML_DIR / f"{docname}.html"


def local_target(page: Path, src: str) -> Path | None:
    """File that a relative src on `page` points to (None for data:/remote)."""
    if not src or src.startswith("data:") or REMOTE_RE.match(src):
        return None
    path = unquote(urlsplit(src).path)
    return (page.parent / path).resolve()


def executed_notebook(stem: str) -> nbformat.NotebookNode | None:
    """The notebook with the outputs myst-nb got when executing it (from the
    jupyter cache; _build/jupyter_execute/*.ipynb does not always hold them).
    None if it was not executed (e.g. excluded via nb_execution_excludepatterns)."""
    from jupyter_cache import get_cache

    nb = nbformat.read(NB_DIR / f"{stem}.ipynb", as_version=4)
    try:
        _, merged = get_cache(str(CACHE_DIR)).merge_match_into_notebook(nb)
    except KeyError:
        return None
    return merged


def expected_figures(stem: str) -> list[int]:
    """Indices of code cells whose (visible) outputs include an image."""
    cells: list[int] = []
    nb = executed_notebook(stem)
    for i, cell in enumerate(nb.cells if nb is not None else []):
        if cell.cell_type != "code":
            continue
        if HIDDEN_OUTPUT_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if any(
            any(m in out.get("data", {}) for m in IMAGE_MIMES)
            for out in cell.get("outputs", [])
        ):
            cells.append(i)
    return cells


def source_has_math(nb_path: Path) -> bool:
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"```.*?```|`[^`\n]*`", "", cell.source, flags=re.DOTALL)
        if MATH_SOURCE_RE.search(text):
            return True
    return False


def error_snippets(texts: list[str]) -> list[str]:
    text = "".join(texts)
    hits = []
    for rx in ERROR_RES:
        for m in rx.finditer(text):
            hits.append(text[max(0, m.start() - 60) : m.end() + 60].replace("\n", " "))
    return hits


def check_page(
    docname: str, page: Path, html: str, what: str
) -> tuple[PageParser, list[str]]:
    """Checks shared by the static scan and the Chromium DOM."""
    parsed = parse_html(html)
    problems = []
    if parsed.remote:
        problems.append(f"{what}: loads remote resources: {parsed.remote}")
    for src, _ in parsed.imgs:
        target = local_target(page, src)
        if target is not None and not target.is_file():
            problems.append(f"{what}: <img src={src!r}> but {target} does not exist")
    errors = error_snippets(parsed.output_text)
    if errors:
        problems.append(f"{what}: error/traceback in cell output: {errors[:3]}")
    if docname.startswith("notebooks/"):
        stem = docname.split("/", 1)[1]
        fig_cells = expected_figures(stem)
        out_imgs = [s for s, in_out in parsed.imgs if in_out]
        if len(out_imgs) < len(fig_cells):
            problems.append(
                f"{what}: notebook cells {fig_cells} produce figures, but only "
                f"{len(out_imgs)} <img> in output areas: {out_imgs}"
            )
    return parsed, problems


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------


class BuildResult:
    def __init__(self, returncode: int, log: str, seconds: float) -> None:
        self.returncode = returncode
        self.log = log
        self.seconds = seconds

    @property
    def warnings(self) -> list[str]:
        # Sphinx warnings look like "path:line: WARNING: ..." or "WARNING: ...";
        # kernel chatter such as "[IPKernelApp] WARNING | ..." is not one.
        return [
            line
            for line in self.log.splitlines()
            if re.search(r"(^|: )(WARNING|ERROR|CRITICAL):", line)
        ]


@pytest.fixture(scope="session")
def build() -> BuildResult:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    start = time.monotonic()
    proc = subprocess.run(
        BUILD_CMD,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    return BuildResult(proc.returncode, proc.stdout, time.monotonic() - start)


@pytest.fixture(scope="session")
def book(build: BuildResult) -> Path:
    """The built book; errors out if the build failed (no testing of stale HTML)."""
    if build.returncode != 0:
        pytest.fail("the book did not build, see test_build_succeeds", pytrace=False)
    return HTML_DIR


ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def test_build_succeeds(build: BuildResult) -> None:
    log = ANSI_RE.sub("", build.log)
    # the failing notebook + cell + Python error, as reported by myst-nb
    failures = re.findall(
        r"^(\S*: WARNING: Executing notebook failed.*?)(?:\[mystnb\.exec\]|\Z)",
        log,
        flags=re.MULTILINE | re.DOTALL,
    )
    details = [
        f.split("An error occurred while executing the following cell:", 1)[-1].strip()
        for f in failures
    ]
    header = [f.splitlines()[0] for f in failures]
    tail = "\n".join(log.splitlines()[-40:])
    assert build.returncode == 0, (
        f"`python {' '.join(BUILD_CMD[1:])}` exited with {build.returncode} "
        f"after {build.seconds:.0f} s (a notebook cell that raises fails the build).\n"
        + "".join(f"\n{h}\n{d}\n" for h, d in zip(header, details))
        + f"\nLog tail:\n{tail}"
    )
    assert (HTML_DIR / "index.html").is_file()


def test_build_has_no_warnings(build: BuildResult, book: Path) -> None:
    assert not build.warnings, "Sphinx warnings:\n" + "\n".join(build.warnings)


def test_every_notebook_became_a_page(book: Path) -> None:
    missing = [d for d in PAGES if not page_path(d).is_file()]
    assert not missing, (
        f"no HTML page for {missing}: is the notebook in index.md's toctree?"
    )


# --------------------------------------------------------------------------
# static checks
# --------------------------------------------------------------------------


def current_pages(book: Path) -> list[Path]:
    """Every built HTML page, minus leftovers of deleted/renamed notebooks
    (Sphinx never removes those from _build/html; `make clean` does)."""
    pages = []
    for page in sorted(book.rglob("*.html")):
        rel = page.relative_to(book)
        if (
            rel.parts[0] == "notebooks"
            and not (NB_DIR / rel.with_suffix(".ipynb").name).exists()
        ):
            continue
        pages.append(page)
    return pages


def test_no_remote_assets_in_any_page(book: Path) -> None:
    pages = current_pages(book)
    assert pages, "no HTML pages built"
    problems = []
    for page in pages:
        parsed = parse_html(page.read_text(encoding="utf-8"))
        if parsed.remote:
            problems.append(f"{page.relative_to(book)}: {parsed.remote}")
    assert not problems, "pages load scripts/styles from the internet:\n" + "\n".join(
        problems
    )


def test_no_remote_urls_in_css(book: Path) -> None:
    problems = []
    for css in sorted((book / "_static").rglob("*.css")):
        for m in CSS_REMOTE_RE.finditer(
            css.read_text(encoding="utf-8", errors="replace")
        ):
            problems.append(f"{css.relative_to(book)}: {m.group(0)!r}")
    assert not problems, "stylesheets import from the internet:\n" + "\n".join(problems)


def test_mathjax_is_served_locally(book: Path) -> None:
    for docname in PAGES:
        page = page_path(docname)
        parsed = parse_html(page.read_text(encoding="utf-8"))
        mathjax = [s for s in parsed.scripts if "mathjax" in s.lower()]
        if parsed.math_nodes == 0:
            continue
        assert mathjax, (
            f"{docname}.html has {parsed.math_nodes} formulas but no MathJax script"
        )
        for src in mathjax:
            target = local_target(page, src)
            assert target is not None, (
                f"{docname}.html: MathJax from the internet: {src}"
            )
            assert target.is_file(), f"{docname}.html: MathJax script {target} missing"
            assert target.is_relative_to(book / "_static"), f"{docname}.html: {src}"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chapter_page_static(book: Path, nb_path: Path) -> None:
    docname = f"notebooks/{nb_path.stem}"
    page = page_path(docname)
    assert page.is_file(), f"{docname}.html was not built"
    parsed, problems = check_page(
        docname, page, page.read_text(encoding="utf-8"), page.name
    )
    if source_has_math(nb_path) and parsed.math_nodes == 0:
        problems.append(
            f"{nb_path.name}: markdown contains $...$ math but {page.name} has no math "
            "nodes (myst dollarmath/amsmath not enabled?)"
        )
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# in the browser
# --------------------------------------------------------------------------


def find_chromium() -> str | None:
    override = os.environ.get("CHROMIUM")
    if override:
        return shutil.which(override)
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def remote_requests_in_netlog(netlog: Path) -> list[str]:
    """URLs the *page* (not the browser itself) requested from the network."""
    raw = netlog.read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(raw)
    except json.JSONDecodeError:  # unterminated log: close the events list
        log = json.loads(raw.rstrip().rstrip(",") + "]}")
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        url = params.get("url", "")
        if types.get(event.get("type")) != "URL_REQUEST_START_JOB":
            continue
        if not re.match(r"^(https?|wss?):", url):
            continue
        # Chromium's own background requests (update checks, ...) have no
        # initiating origin; requests from our file:// pages do.
        nik = params.get("network_isolation_key", "")
        if params.get("initiator", "") != "not an origin" or "file://" in nik:
            urls.append(url)
    return sorted(set(urls))


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(
            "Chromium not found (tried: " + ", ".join(CHROMIUM_CANDIDATES) + "); "
            "install it with `apt-get install chromium` "
            "(or set CHROMIUM=/path/to/browser) "
            "to run the in-browser checks"
        )
    return path


@pytest.mark.parametrize("docname", PAGES)
def test_page_in_chromium(
    book: Path, chromium: str, docname: str, tmp_path: Path
) -> None:
    page = page_path(docname)
    assert page.is_file(), f"{docname}.html was not built"
    netlog = tmp_path / "netlog.json"
    cmd = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
        f"--log-net-log={netlog}",
        "--dump-dom",
        page.as_uri(),
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S
    )
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom, (
        f"Chromium could not render {page}: exit {proc.returncode}\n"
        f"{proc.stderr[-2000:]}"
    )

    static = parse_html(page.read_text(encoding="utf-8"))
    parsed, problems = check_page(docname, page, dom, f"{docname}.html (Chromium DOM)")

    if netlog.exists():
        remote = remote_requests_in_netlog(netlog)
        if remote:
            problems.append(f"{docname}.html requested from the network: {remote}")
    else:
        problems.append(f"Chromium wrote no net log for {docname}.html")

    nb_path = NB_DIR / f"{docname.split('/', 1)[1]}.ipynb" if "/" in docname else None
    wants_math = static.math_nodes > 0 or (
        nb_path is not None and source_has_math(nb_path)
    )
    if wants_math and parsed.mjx_containers == 0:
        problems.append(
            f"{docname}.html: {static.math_nodes} formulas but MathJax typeset none "
            "(no <mjx-container> in the DOM): is _static/mathjax there and loading?"
        )
    elif parsed.mjx_containers < static.math_nodes:
        problems.append(
            f"{docname}.html: MathJax typeset {parsed.mjx_containers} of "
            f"{static.math_nodes} formulas"
        )
    if parsed.mjx_errors:
        problems.append(f"{docname}.html: MathJax/TeX errors: {parsed.mjx_errors}")

    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# as a reader uses it: Playwright driving the system Chromium
# --------------------------------------------------------------------------

# Playwright adds --headless itself; the served-search test needs 127.0.0.1.
PLAYWRIGHT_ARGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    if f.startswith("--host-resolver-rules")
    else f
    for f in CHROMIUM_FLAGS
    if f != "--headless"
]
SCREENSHOT_DIR = ROOT / "_build" / "screenshots"
PHONE, LAPTOP, DESKTOP = 390, 1100, 1400
ZOO = "notebooks/1_2_activation_zoo"


@pytest.fixture(scope="session")
def browser(chromium: str):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "playwright is not installed: `make install` installs requirements.txt"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=PLAYWRIGHT_ARGS)
        yield b
        b.close()


class Reader:
    """One page at one window width; records console errors and any request
    that leaves this machine (those are aborted: the book must need none)."""

    def __init__(self, browser, width: int) -> None:  # noqa: ANN001
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message) -> None:  # noqa: ANN001
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            self.errors.append(f"{message.text} [{url}]")

    def _route(self, route) -> None:  # noqa: ANN001
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "http://127.0.0.1")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def open(self, target: str) -> None:
        url = target if "://" in target else page_path(target).as_uri()
        self.page.goto(url, wait_until="load")

    def visible_links(self, selector: str) -> int:
        """How many links matching selector are drawn inside the window."""
        return self.page.evaluate(
            """(sel) => [...document.querySelectorAll(sel)].filter((a) => {
                const r = a.getBoundingClientRect();
                const s = getComputedStyle(a);
                return r.width > 0 && r.height > 0 && r.right > 0
                    && r.left < window.innerWidth && s.visibility !== "hidden";
            }).length""",
            selector,
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader(browser):  # noqa: ANN001
    made: list[Reader] = []

    def make(width: int) -> Reader:
        made.append(Reader(browser, width))
        return made[-1]

    yield make
    for r in made:
        r.close()


SIDEBARS = {
    # toggle button -> links in the sidebar it shows (or in its phone dialog)
    "primary": (
        "#pst-primary-sidebar a.reference, #pst-primary-sidebar-modal a.reference"
    ),
    "secondary": (
        "#pst-secondary-sidebar a.reference, #pst-secondary-sidebar-modal a.reference"
    ),
}


@pytest.mark.parametrize("width", [PHONE, LAPTOP, DESKTOP])
@pytest.mark.parametrize("sidebar", ["primary", "secondary"])
def test_sidebar_buttons_work(book: Path, reader, sidebar: str, width: int) -> None:  # noqa: ANN001
    """Click the ☰ / Contents button a reader sees: its sidebar must appear
    (or, on a wide screen where the navigation is already shown, disappear)."""
    r = reader(width)
    r.open(ZOO)
    buttons = r.page.locator(f".{sidebar}-toggle").filter(visible=True)
    links = SIDEBARS[sidebar]
    before = r.visible_links(links)
    if sidebar == "secondary" and width >= 1200 and before:
        return  # the contents are on the page, there is no button to press
    assert buttons.count() == 1, (
        f"{width} px: {buttons.count()} visible {sidebar} sidebar buttons, expected 1"
    )
    buttons.first.click()
    r.page.wait_for_timeout(300)
    after = r.visible_links(links)
    assert after != before and (after if before == 0 else after == 0), (
        f"{width} px: clicking the {sidebar} sidebar button changed nothing: "
        f"{before} navigation links visible before, {after} after"
    )
    assert not r.errors, f"console errors: {r.errors}"


@pytest.mark.parametrize("docname", ["index", ZOO])
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_screenshots_for_review(book: Path, reader, docname: str, width: int) -> None:  # noqa: ANN001
    """Screenshots (in _build/screenshots) of the pages a reviewer looks at
    first; the page must load without errors or requests off the machine."""
    r = reader(width)
    r.open(docname)
    r.page.wait_for_function("() => !window.MathJax || MathJax.startup?.promise")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{docname.replace('/', '_')}-{width}px.png"
    r.page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=False)
    assert not r.remote, f"requests off the machine: {r.remote}"
    assert not r.errors, f"console errors: {r.errors}"


def test_one_search_box_and_a_title_once(book: Path, reader) -> None:  # noqa: ANN001
    r = reader(DESKTOP)
    r.open("index")
    boxes = r.page.locator(
        ".search-button-field, .search-button, form.bd-search, input[type=search]"
    ).filter(visible=True)
    assert boxes.count() == 1, f"{boxes.count()} search boxes on the landing page"
    title = r.page.title()
    assert title.count("Activation Functions in Deep Learning") == 1, title


def _search(r: Reader, base: str, query: str = "sigmoid") -> tuple[int, int]:
    r.open(f"{base}/search.html?q={query}")
    results = r.page.locator("#search-results li")
    results.first.wait_for(timeout=20_000)
    r.page.wait_for_timeout(500)  # snippets arrive one fetch per result
    return results.count(), r.page.locator("#search-results p.context").count()


def test_search_works_from_disk(book: Path, reader) -> None:  # noqa: ANN001
    r = reader(DESKTOP)
    found, _ = _search(r, book.as_uri())
    assert found > 0, "no search results for 'sigmoid' from file://"
    assert not r.errors, f"searching from disk logs errors: {r.errors[:3]}"


def test_search_shows_snippets_when_served(book: Path, reader) -> None:  # noqa: ANN001
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    handler = functools.partial(Quiet, directory=str(book))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            r = reader(DESKTOP)
            found, snippets = _search(r, f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
    assert found > 0 and snippets > 0, (
        f"served search: {found} results, {snippets} with a text snippet"
    )
    assert not r.errors, f"console errors: {r.errors[:3]}"


def test_code_cells_have_a_copy_button(book: Path, reader) -> None:  # noqa: ANN001
    r = reader(DESKTOP)
    r.open(ZOO)
    r.page.locator("button.copybtn").first.wait_for(state="attached", timeout=10_000)
    code = r.page.locator("div.cell_input div.highlight pre").count()
    buttons = r.page.locator("div.cell_input button.copybtn").count()
    assert code > 0 and buttons == code, f"{buttons} copy buttons for {code} code cells"


def test_figures_are_sharp_captioned_and_shown_full_size(book: Path, reader) -> None:  # noqa: ANN001
    """Every figure of every chapter at 1400 px: shown at (nearly) its own size,
    twice the pixels (retina), alt text that says what it shows, a numbered
    caption."""
    r = reader(DESKTOP)
    problems = []
    for nb in NOTEBOOKS:
        r.open(f"notebooks/{nb.stem}")
        figures = r.page.evaluate(
            """() => [...document.querySelectorAll("div.cell_output img")]
            .map((img) => ({
                src: img.getAttribute("src"), alt: img.getAttribute("alt") || "",
                natural: img.naturalWidth, shown: img.clientWidth,
                intended: Number(img.getAttribute("width")) || img.naturalWidth,
                caption: img.closest("figure")?.querySelector("figcaption")
                    ?.textContent.trim() || "",
            }))"""
        )
        for f in figures:
            where = f"{nb.stem}: {f['src'].rsplit('/', 1)[-1][:12]}…"
            if len(f["alt"]) < 25 or re.search(r"\.(png|svg)|[0-9a-f]{16}", f["alt"]):
                problems.append(f"{where}: alt text {f['alt']!r} does not describe it")
            if not re.match(r"Figure \d+", f["caption"]):
                problems.append(f"{where}: no numbered caption ({f['caption'][:40]!r})")
            if f["natural"] < 1.9 * f["intended"]:
                problems.append(
                    f"{where}: {f['natural']} px of image for {f['intended']} px of "
                    "page: not a retina figure"
                )
            if f["shown"] < 0.9 * f["intended"]:
                problems.append(
                    f"{where}: drawn for {f['intended']} px, shown at {f['shown']} px "
                    f"(wider than {8} in? its text shrinks)"
                )
    assert not problems, f"{len(problems)} figure problems:\n" + "\n".join(problems)


# --------------------------------------------------------------------------
# static checks of what the pages say
# --------------------------------------------------------------------------


def test_markdown_tables_from_code_are_tables(book: Path) -> None:
    page = page_path(ZOO).read_text(encoding="utf-8")
    parsed = parse_html(page)
    raw = [
        line
        for line in "".join(parsed.output_text).splitlines()
        if re.match(r"^\s*\|[\s:-]*-{3}", line)
    ]
    assert not raw, f"a Markdown table printed as raw pipes: {raw[:2]}"
    assert re.search(r'class="cell_output[^"]*".*?<table', page, flags=re.DOTALL), (
        "1.2's table of measured properties is not an HTML table"
    )


def test_no_stderr_in_any_page(book: Path, build: BuildResult) -> None:
    problems = []
    for nb in NOTEBOOKS:
        executed = executed_notebook(nb.stem)
        for i, cell in enumerate(executed.cells if executed is not None else []):
            for out in cell.get("outputs", []):
                if out.get("name") == "stderr":
                    problems.append(
                        f"{nb.stem} cell {i}: {out.get('text', '')[:160]!r}"
                    )
    for page in current_pages(book):
        if re.search(r'class="[^"]*\bstderr\b', page.read_text(encoding="utf-8")):
            problems.append(f"{page.relative_to(book)} shows stderr output")
    if "without encryption" in build.log:
        problems.append(
            "the build log has ipykernel's TCP warning (conf.py's IPYTHONDIR)"
        )
    assert not problems, "stray output:\n" + "\n".join(problems)


def test_landing_page_for_readers(book: Path) -> None:
    html = page_path("index").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    code_text = re.sub(r"<[^>]+>", "", html)  # keeps "make lab" in a code block whole
    problems = []
    for nb in NOTEBOOKS:
        if f'href="notebooks/{nb.stem}.html"' not in html:
            problems.append(f"no link to {nb.stem} in the chapter list")
    for needed in ("Who it is for", "How to run it", "make lab", "actlib"):
        if needed not in text and needed not in code_text:
            problems.append(f"the landing page does not say {needed!r}")
    for page in ("book/glossary", "book/bibliography"):
        if f'href="{page}.html"' not in html:
            problems.append(f"no link to {page}")
    if (
        re.search(r"\bBy\s+Activation Functions", text)
        or "authors" in text.split("©")[-1]
    ):
        problems.append("placeholder author footer")
    if "repository" not in text.split("Notebooks, the")[-1]:
        problems.append("the footer does not say where the source is")
    if re.search(r"in preparation", text, flags=re.IGNORECASE):
        problems.append("the landing page promises chapters 'in preparation'")
    assert not problems, "\n".join(problems)


def test_glossary_and_bibliography_pages(book: Path) -> None:
    glossary = page_path("book/glossary").read_text(encoding="utf-8")
    terms = re.findall(r'<dt id="term-', glossary)
    assert len(terms) >= 80 * 2, f"{len(terms)} glossary terms (English + Chinese)"
    bib = page_path("book/bibliography").read_text(encoding="utf-8")
    entries = len(
        re.findall(
            r'class="citation"|<div class="citation"|role="doc-biblioentry"', bib
        )
    )
    cited = sum(
        page_path(f"notebooks/{nb.stem}")
        .read_text(encoding="utf-8")
        .count("bibliography.html#id")
        for nb in NOTEBOOKS
    )
    assert entries > 0 and cited > 0, (
        f"{entries} bibliography entries, {cited} citations"
    )


# The headline numbers issue 10 asks for, and the chapter that records each.
REQUIRED_RESULTS = {
    "mnist1d/logreg/test_acc": "1.3",
    "mnist1d/mlp/test_acc": "0",
    "mnist1d/cnn/test_acc": "4.3",
    "mnist1d/gru/test_acc": "4.4",
    "digits/cnn/test_acc": "4.3",
}


def test_results_page_shows_every_recorded_number(book: Path) -> None:
    from html import unescape

    from actlib import results

    records = results.load()
    assert records, "no numbers recorded in _build/results: did the notebooks run?"
    page = unescape(re.sub(r"<[^>]+>", " ", page_path("book/results").read_text()))
    page = re.sub(r"\s+", " ", page)
    missing = [
        r.name
        for r in records
        if r.name not in page or r.as_row()["measured (95 % interval)"] not in page
    ]
    assert not missing, f"recorded but not on the results page: {missing}"
    # each chapter that exists records what it must, and nothing stale is shown
    chapters = {results.chapter_of(nb) for nb in NOTEBOOKS}
    names = {r.name for r in records}
    owed = [
        n for n, ch in REQUIRED_RESULTS.items() if ch in chapters and n not in names
    ]
    assert not owed, f"chapters that exist do not record {owed}"
    stale = sorted({r.chapter for r in records} - chapters)
    assert not stale, f"records of chapters that no longer exist: {stale}"


def test_solution_regions_are_found(tmp_path: Path) -> None:
    # the control for the test below: its extractor finds what a solution hides
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n"
            "    return torch.where(x > 0, x, 0.01 * x)  # leaky\n"
            "    ### END SOLUTION\n"
        ),
        nbformat.v4.new_code_cell(
            "assert f(1) == 1\n### BEGIN HIDDEN TESTS\n"
            "assert torch.allclose(f(torch.tensor(-2.0)), torch.tensor(-0.02))\n"
            "### END HIDDEN TESTS\n"
        ),
    ]
    path = tmp_path / "a.ipynb"
    nbformat.write(nb, path)
    assert graded_only_lines(path) == [
        "return torch.where(x > 0, x, 0.01 * x)  # leaky",
        "assert torch.allclose(f(torch.tensor(-2.0)), torch.tensor(-0.02))",
    ]


@pytest.mark.skipif(not ASSIGNMENT_SOURCES, reason="no assignments yet")
def test_book_never_contains_assignment_solutions(book: Path) -> None:
    from html import unescape

    lines = {line for nb in ASSIGNMENT_SOURCES for line in graded_only_lines(nb)}
    assert lines, "the solution regions of the assignments yielded no lines to look for"
    leaks = []
    for page in sorted(book.rglob("*.html")):
        text = unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        leaks += [f"{page.relative_to(book)}: {ln}" for ln in lines if ln in text]
    assert not leaks, "solution or hidden-test code in the book:\n" + "\n".join(leaks)
    assert not list(book.rglob("*assignments*")), (
        "assignment files copied into the book"
    )


def test_check_cells_are_collapsed(book: Path) -> None:
    problems = []
    for nb in NOTEBOOKS:
        cells = nbformat.read(nb, as_version=4).cells
        tagged = sum(
            "hide-input" in c.get("metadata", {}).get("tags", []) for c in cells
        )
        html = page_path(f"notebooks/{nb.stem}").read_text(encoding="utf-8")
        collapsed = len(re.findall(r'<details class="[^"]*\babove-input\b', html))
        shown = html.count("Show the check")
        if collapsed != tagged or shown < tagged:
            problems.append(
                f"{nb.stem}: {tagged} cells tagged hide-input, {collapsed} collapsed, "
                f"{shown} 'Show the check' prompts"
            )
    assert not problems, "\n".join(problems)


# the sidebar's "Part 1 Theory (理论基础)": the second part caption
CAPTION_WITH_CHINESE = "nav.bd-links p.caption:nth-of-type(2) span.caption-text"


def test_built_pages_draw_chinese_with_the_bundled_font(
    book: Path,
    browser,
    chromium: str,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    """On a machine whose only fonts are DejaVu (a fontconfig file that lists
    nothing else), the built glossary page draws its Chinese with the font the
    book carries (tests/test_cjk_font.py has the control without it)."""
    from browser import fonts_used

    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip(f"{dejavu} is missing; `apt-get install fonts-dejavu-core`")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><dir>{dejavu}</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    # A second Chromium from the session's Playwright driver (a second
    # sync_playwright() cannot start while the session fixture's is running),
    # seeing only the fonts that fonts.conf lists.
    b = browser.browser_type.launch(
        executable_path=chromium,
        args=PLAYWRIGHT_ARGS,
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
    )
    try:
        page = b.new_page(viewport={"width": DESKTOP, "height": 900})
        page.goto(page_path("book/glossary").as_uri())
        page.evaluate("document.fonts.ready")
        used = {
            sel: fonts_used(page, sel)
            for sel in ("article section h1", CAPTION_WITH_CHINESE)
        }
    finally:
        b.close()
    for sel, fonts in used.items():
        custom = [f for f in fonts if f["isCustomFont"]]
        assert custom and all("CJK SC" in f["familyName"] for f in custom), (
            f"{sel}: Chinese not drawn with the bundled font: {fonts}"
        )
