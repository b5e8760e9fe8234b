"""Shared helpers for the tests that drive headless Chromium with Playwright.

The tests use the system Chromium (Debian's `chromium` package), never a
browser downloaded by `playwright install`, and skip with a clear message when
it is missing::

    from tests.browser import fonts_used, launch, require_chromium

    def test_page(tmp_path):
        require_chromium()
        with sync_playwright() as p:
            browser = launch(p)
            ...
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

# The environment variable that names a Chromium binary (a path or a name on
# PATH) instead of the ones looked up by default.
CHROMIUM_ENV = "CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
# Headless, no sandbox (containers run as root), and nothing that talks to the
# network or does background work the test did not ask for.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "install it with `apt-get install chromium`"


def chromium_path() -> str | None:
    """The Chromium executable to use, or None if there is none.

    $CHROMIUM (a path, or a name looked up on PATH) wins; otherwise the first
    of CHROMIUM_NAMES found on PATH.
    """
    override = os.environ.get(CHROMIUM_ENV, "").strip()
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK):
            return override
        return shutil.which(override)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The Chromium executable; skips the calling test when there is none
    (also usable inside a pytest fixture)."""
    path = chromium_path()
    if path is None:
        override = os.environ.get(CHROMIUM_ENV, "").strip()
        where = (
            f"${CHROMIUM_ENV}={override!r} is not an executable"
            if override
            else f"none of {', '.join(CHROMIUM_NAMES)} is on PATH"
        )
        pytest.skip(f"headless Chromium is needed and {where}; {INSTALL_HINT}")
    return path


def launch(playwright: Any, **kw: Any) -> Any:
    """Launch the system Chromium headless with CHROMIUM_ARGS.

    Keyword arguments go to ``playwright.chromium.launch``; ``args`` are added
    after CHROMIUM_ARGS, and ``env`` (if given) is added to this process's
    environment instead of replacing it. Skips the test if there is no
    Chromium.
    """
    executable = require_chromium()
    args = CHROMIUM_ARGS + list(kw.pop("args", []))
    if "env" in kw:
        kw["env"] = {**os.environ, **kw["env"]}
    return playwright.chromium.launch(executable_path=executable, args=args, **kw)


def fonts_used(page: Any, selector: str) -> list[dict[str, Any]]:
    """The platform fonts Chromium actually used to draw the text of the
    first element matching ``selector``.

    One dict per font, as CSS.getPlatformFontsForNode reports it:
    ``familyName``, ``postScriptName``, ``isCustomFont`` (True for a web font
    from @font-face) and ``glyphCount`` (glyphs drawn with it). Only the
    element's own text nodes count, not those of its child elements. Raises
    LookupError if nothing matches.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})
        if not node.get("nodeId"):
            raise LookupError(f"no element matches {selector!r}")
        result = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
        return list(result.get("fonts", []))
    finally:
        cdp.detach()
