"""Chapter 1.2 in JupyterLab, driven in headless Chromium the way a learner uses it.

The server is started like `make lab` (``.venv/bin/jupyter lab``, ``--allow-root`` as
root) plus what a test needs: no browser, a free port on 127.0.0.1, a random token, and
everything it writes under a temporary directory: its root is a COPY of notebooks/ (so
autosave never writes outputs into the committed notebooks), and the Jupyter config,
data, runtime, workspaces and settings directories. News, update checks and the PyPI
extension manager are off, and the browser aborts every request that does not go to
the server, so nothing talks to the network.

Checked: Run > Run All Cells runs every cell of 1.2 without an error output; the
explorer renders as controls (a dropdown and sliders, not a text repr); choosing
another activation and dragging or key-pressing the std slider change the figure;
the parameter slider is hidden for relu and shown for leaky_relu; a 60 px drag of the
std slider moves it by a small factor, not across most of its range.

Skipped when Chromium is not installed (``apt-get install chromium``). The server and
the browser start once per module; the kernel and the server are shut down even when
a test fails.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
NOTEBOOK = "1_2_activation_zoo.ipynb"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous but bounded (two busy cores, another pytest worker beside this one).
SERVER_START_S = 90
PAGE_LOAD_S = 90
RUN_ALL_S = 240
REDRAW_S = 30
# User settings a learner would click away: no news feed, no update check.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
SHOTS = Path(os.environ.get("LAB_TEST_SHOTS", "/tmp"))  # screenshots on a timeout
TIMES: dict[str, float] = {}  # phase -> seconds, printed at the end of the module

pytest.importorskip("playwright", reason="the venv lacks playwright (requirements.txt)")
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright


def free_port() -> int:
    """A TCP port nobody listens on now (the server retries others if it gets taken)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on a copy of notebooks/, in its own temporary directories."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.root = tmp / "notebooks"
        shutil.copytree(
            ROOT / "notebooks",
            self.root,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        )
        strip_outputs(self.root / NOTEBOOK)  # so "[ ]:" means "not run by this test"
        self.token = secrets.token_hex(24)
        self.log_path = tmp / "server.log"
        settings = tmp / "settings"
        for rel, values in SETTINGS.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(values))
        env = dict(os.environ)
        for var in ("CONFIG", "DATA", "RUNTIME"):
            env[f"JUPYTER_{var}_DIR"] = str(tmp / var.lower())
        env["IPYTHONDIR"] = str(tmp / "ipython")
        env["ACTLIB_THREADS"] = "1"  # the kernel shares two cores with other tests
        env.pop("JUPYTER_PORT", None)
        self.runtime = Path(env["JUPYTER_RUNTIME_DIR"])
        cmd = [
            str(JUPYTER),
            "lab",
            "--no-browser",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={free_port()}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.terminals_enabled=False",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            f"--LabApp.user_settings_dir={settings}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            cmd, cwd=tmp, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = ""

    def log_tail(self, n=40) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text().splitlines()[-n:])

    def wait_ready(self, timeout=SERVER_START_S) -> str:
        """Wait until the server answers /api/status; return its base URL."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"jupyter lab exited with {self.proc.returncode}:\n"
                    + self.log_tail()
                )
            info = sorted(self.runtime.glob(f"jpserver-{self.proc.pid}.json"))
            if info:
                url = json.loads(info[0].read_text())["url"].rstrip("/")
                try:
                    self.api("GET", "/api/status", base=url)
                except (OSError, urllib.error.URLError):
                    pass
                else:
                    self.url = url
                    return url
            time.sleep(0.2)
        pytest.fail(f"jupyter lab not ready after {timeout} s:\n{self.log_tail()}")

    def api(self, method, path, base=None, timeout=10):
        """Call the server's REST API with the token; return the JSON reply or None."""
        req = urllib.request.Request(
            (base or self.url) + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method in ("POST", "DELETE") else None,
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def stop(self):
        """Shut down the server and its kernels; kill what does not stop in time.

        /api/shutdown is the server's own clean exit: it shuts down every kernel first.
        """
        if self.proc.poll() is None and self.url:
            try:
                self.api("POST", "/api/shutdown")
            except (OSError, urllib.error.URLError) as e:
                print(f"clean shutdown of jupyter lab failed ({e}); terminating it")
        for stop in (None, self.proc.terminate, self.proc.kill):
            if stop is not None:
                stop()
            try:
                self.proc.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


def strip_outputs(path: Path):
    """Remove outputs and execution counts from a notebook file (the temporary copy)."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(
            "Chromium is not installed: install it with `apt-get install chromium` "
            "to run the JupyterLab test"
        )
    return path


@pytest.fixture(scope="module")
def page(chromium, tmp_path_factory):
    """Chapter 1.2 open in JupyterLab in Chromium, after Run > Run All Cells ended."""
    t0 = time.monotonic()
    lab = Lab(tmp_path_factory.mktemp("lab"))
    try:
        with sync_playwright() as p:
            # Chromium starts while the server boots.
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            try:
                base = lab.wait_ready()
                TIMES["server ready"] = time.monotonic() - t0
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                blocked = []
                host = urlsplit(base).netloc

                def only_the_server(route):
                    if urlsplit(route.request.url).netloc == host:
                        route.continue_()
                    else:
                        blocked.append(route.request.url)
                        route.abort()

                context.route(re.compile(r"^(https?|wss?)://"), only_the_server)
                pg = context.new_page()
                pg.set_default_timeout(REDRAW_S * 1000)
                pg.goto(f"{base}/lab/tree/{NOTEBOOK}?reset&token={lab.token}")
                open_and_run_all(pg, t0)
                TIMES["notebook run"] = time.monotonic() - t0
                yield pg
                TIMES["tests done"] = time.monotonic() - t0
                assert not blocked, f"JupyterLab tried to reach the network: {blocked}"
            finally:
                browser.close()
    finally:
        lab.stop()
        TIMES["total, with shutdown"] = time.monotonic() - t0
        print(
            "\nJupyterLab test times (s since start): "
            + ", ".join(f"{k} {v:.1f}" for k, v in TIMES.items())
        )


# JS: the state of every code cell of the open notebook (prompt, error output).
CELL_STATE_JS = """() => {
  const nb = document.querySelector(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (!nb) return null;
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {
    kernel: status ? status.getAttribute('data-status') : null,
    cells: [...nb.querySelectorAll('.jp-CodeCell')].map(c => ({
      prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
      source: ((c.querySelector('.jp-InputArea-editor') || {}).textContent || '')
        .slice(0, 60),
      error: [...c.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
      )].map(o => o.textContent).filter(t => /Traceback|Error\\b/.test(t)).join('\\n'),
    })),
  };
}"""


# JS: true when the notebook's kernel has started and is idle ("Run All" before that
# opens a "Select Kernel" dialog; the status dot reads idle even with no kernel).
KERNEL_READY_JS = """() => {
  const name = document.querySelector('.jp-NotebookPanel .jp-KernelName');
  const dot = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!name && !!dot && name.textContent.trim() !== 'No Kernel'
    && dot.getAttribute('data-status') === 'idle';
}"""

# JS: true when Run All has finished: the kernel is idle and every code cell shows
# "[n]:", or a cell has an error output (Run All stops there) and none is "[*]:".
DONE_JS = (
    "() => { const s = ("
    + CELL_STATE_JS
    + """)();
  if (!s || s.kernel !== 'idle') return false;
  const prompts = s.cells.map(c => c.prompt.trim());
  if (prompts.some(p => p === '[*]:')) return false;
  return (prompts.every(p => /^\\[\\d+\\]:$/.test(p))
          || s.cells.some(c => c.error));
}"""
)


def cell_states(pg):
    """Prompt, first characters of the source and error text of every code cell."""
    return pg.evaluate(CELL_STATE_JS)


def open_and_run_all(pg, t0):
    """Wait for the notebook and its kernel, click Run > Run All Cells, wait for it."""
    pg.locator(".jp-NotebookPanel .jp-CodeCell").first.wait_for(
        timeout=PAGE_LOAD_S * 1e3
    )
    TIMES["notebook shown"] = time.monotonic() - t0
    pg.wait_for_function(KERNEL_READY_JS, timeout=PAGE_LOAD_S * 1e3, polling=200)
    TIMES["kernel ready"] = time.monotonic() - t0
    pg.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    pg.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    try:
        pg.wait_for_function(DONE_JS, timeout=RUN_ALL_S * 1e3, polling=250)
    except PlaywrightTimeout:
        shot = SHOTS / "run-all-timeout.png"
        pg.screenshot(path=shot)
        pytest.fail(
            f"Run All did not finish within {RUN_ALL_S} s; cell states (prompt, error):"
            f" {cell_states(pg)}; screenshot {shot}"
        )


def test_run_all_runs_every_cell_without_error(page):
    cells = cell_states(page)["cells"]
    errors = [(i, c) for i, c in enumerate(cells) if c["error"]]
    assert not errors, "\n".join(
        f"code cell {i} (0-based, prompt {c['prompt'].strip()}, starting "
        f"{c['source']!r}) of {NOTEBOOK} has an error output:\n{c['error'][-1500:]}"
        for i, c in errors
    )
    prompts = [c["prompt"].strip() for c in cells]
    assert prompts == [f"[{n}]:" for n in range(1, len(cells) + 1)], prompts


@pytest.fixture(scope="module")
def explorer(page):
    """The output area of the cell that displays the explorer.

    If Run All stopped at an error before it (test_run_all_... reports that), the cell
    is run on its own (click, Shift+Enter), so that the explorer is still checked.
    """
    cell = page.locator(".jp-CodeCell", has_text="explorer(")
    expect(cell).to_have_count(1)
    prompt = cell.locator(".jp-InputArea-prompt")
    if not re.fullmatch(r"\[\d+\]:", prompt.inner_text().strip()):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        ran = re.compile(r"^\[\d+\]:$")
        expect(prompt).to_have_text(ran, timeout=RUN_ALL_S * 1e3)
    return cell.locator(".jp-Cell-outputArea")


def slider(explorer, label):
    return explorer.locator(
        ".widget-hslider",
        has=explorer.page.locator(
            ".widget-label", has_text=re.compile(f"^{re.escape(label)}$")
        ),
    )


def figure_src(explorer) -> str:
    img = explorer.locator(".widget-output img")
    img.wait_for()
    return img.get_attribute("src")


def expect_new_figure(explorer, old: str, what: str):
    """Wait until the explorer's figure differs from old (condition-based, bounded)."""
    img = explorer.locator(".widget-output img")
    try:
        expect(img).not_to_have_attribute("src", old, timeout=REDRAW_S * 1e3)
        changed = True
    except AssertionError:  # its message holds the whole base64 image: not shown
        changed = False
    if not changed:
        pytest.fail(f"the explorer's figure did not change within {REDRAW_S} s {what}")
    return figure_src(explorer)


def test_explorer_renders_as_controls(explorer):
    expect(explorer.locator(".jp-OutputArea-output").first).to_be_attached()
    text = explorer.inner_text()
    assert "VBox(" not in text, f"the explorer rendered as text: {text[:200]!r}"
    expect(explorer.locator(".widget-dropdown select")).to_have_count(1)
    expect(explorer.locator(".widget-hslider")).to_have_count(2)  # parameter, std
    expect(slider(explorer, "input std")).to_be_visible()
    assert figure_src(explorer).startswith("data:image/png;base64,")


def test_choosing_an_activation_redraws_and_shows_its_parameter(explorer):
    select = explorer.locator(".widget-dropdown select")
    param = explorer.locator(".widget-hslider").first
    src = figure_src(explorer)
    select.select_option("relu")
    src = expect_new_figure(explorer, src, "after choosing relu")
    expect(param).to_be_hidden()  # relu has no parameter
    select.select_option("leaky_relu")
    src = expect_new_figure(explorer, src, "after choosing leaky_relu")
    expect(param).to_be_visible()
    expect(param.locator(".widget-label")).to_have_text("negative_slope")
    expect(param.locator(".widget-readout")).to_have_text("0.01")


def test_dragging_and_key_pressing_the_std_slider_redraws(explorer):
    std = slider(explorer, "input std")
    readout = std.locator(".widget-readout")
    handle = std.locator(".noUi-handle")
    src = figure_src(explorer)
    before = float(readout.inner_text())
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mouse = explorer.page.mouse
    mouse.move(x, y)
    mouse.down()
    mouse.move(x + 60, y, steps=6)
    mouse.up()
    src = expect_new_figure(explorer, src, "after dragging the std slider by 60 px")
    after_drag = float(readout.inner_text())
    # Smooth: 60 px is a small part of the two decades (it used to jump 1.00 -> 8.91).
    assert before < after_drag < 4 * before, (before, after_drag)
    handle.focus()
    explorer.page.keyboard.press("ArrowRight")
    expect_new_figure(explorer, src, "after pressing ArrowRight on the std slider")
    after_key = float(readout.inner_text())
    assert after_drag < after_key < 1.05 * after_drag, (after_drag, after_key)
