"""The book carries its own Chinese font (book/cjk_subset.py, book/_static/cjk.css).

Readers without a CJK font would otherwise see boxes instead of the Chinese
terms. These tests check that the bundled subset covers every CJK character of
the sources, that its licence travels with it, that the stylesheet loads it
for CJK code points only, and, in headless Chromium on a "machine" whose only
fonts are DejaVu, that the Chinese is really drawn with it (while the same
page without the stylesheet cannot draw it at all).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from browser import fonts_used, launch, require_chromium
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "book" / "_static"
CSS_FILE = STATIC / "cjk.css"
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FAMILY = "Book Noto Sans SC"  # the @font-face family in cjk.css
# What Chromium reports for the bundled face: its internal (name table) family.
INTERNAL_FAMILY = "Noto Sans CJK SC"
THEME_VARIABLES = {
    "--pst-font-family-base": "var(--pst-font-family-base-system)",
    "--pst-font-family-heading": "var(--pst-font-family-base-system)",
    "--pst-font-family-monospace": "var(--pst-font-family-monospace-system)",
}


def _load_cjk_subset():
    """book/cjk_subset.py as a module (book/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "cjk_subset", ROOT / "book" / "cjk_subset.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cjk_subset = _load_cjk_subset()
FONT_FILE = cjk_subset.FONT_FILE


@pytest.fixture(scope="module")
def book_chars() -> dict[str, list[str]]:
    """Every CJK character of the book's sources -> the files using it."""
    return cjk_subset.collect()


def _cmap(path: Path) -> dict[int, str]:
    return TTFont(str(path))["cmap"].getBestCmap()


def test_cjk_ranges():
    """CJK_RANGES holds ideographs, CJK punctuation and fullwidth forms only."""
    assert all(cjk_subset.is_cjk(c) for c in "激活函数。，（）㐀")
    assert not any(cjk_subset.is_cjk(c) for c in "aZ9 ,.()éσ—“”")
    assert cjk_subset.cjk_chars("ReLU (修正线性单元)") == set("修正线性单元")


def test_subset_covers_every_cjk_character_the_book_uses(book_chars):
    where = book_chars
    assert "激" in where, "the collector found none of the book's Chinese text"
    assert FONT_FILE.is_file(), (
        f"{FONT_FILE.relative_to(ROOT)} is missing; run {cjk_subset.REGENERATE}"
    )
    cmap = _cmap(FONT_FILE)
    missing = {c: files for c, files in where.items() if ord(c) not in cmap}
    lines = [
        f"  {c} (U+{ord(c):04X}) in {', '.join(files)}" for c, files in missing.items()
    ]
    assert not missing, (
        f"the bundled Chinese font lacks {len(missing)} characters the book uses "
        f"({''.join(missing)}); readers without a CJK font would see boxes. "
        f"Regenerate it with `{cjk_subset.REGENERATE}` (needs "
        f"`{cjk_subset.INSTALL_HINT}`) and commit book/_static/fonts/:\n"
        + "\n".join(lines)
    )


def test_font_is_woff2_with_its_licence_next_to_it():
    data = FONT_FILE.read_bytes()
    assert data[:4] == b"wOF2", f"{FONT_FILE.name} is not a WOFF2 file"
    assert TTFont(str(FONT_FILE)).flavor == "woff2"
    licence = cjk_subset.LICENCE_FILE
    assert licence.is_file(), (
        f"{licence.relative_to(ROOT)} (the font's licence) is missing"
    )
    text = licence.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Adobe" in text, "OFL.txt lacks the font's copyright notice"
    readme = cjk_subset.README_FILE.read_text(encoding="utf-8")
    assert "cjk_subset.py" in readme and "Noto Sans CJK SC" in readme


def _font_face(css: str) -> str:
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == 1, f"expected one @font-face in {CSS_FILE.name}"
    return faces[0]


def test_stylesheet_loads_the_font_for_cjk_only_and_keeps_the_theme_fonts():
    css = re.sub(
        r"/\*.*?\*/", "", CSS_FILE.read_text(encoding="utf-8"), flags=re.DOTALL
    )
    face = _font_face(css)
    urls = re.findall(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)", face)
    assert urls, f"the @font-face in {CSS_FILE.name} has no src url()"
    for url in urls:
        target = CSS_FILE.parent / url
        assert target.is_file(), (
            f"{CSS_FILE.name} points to {url}, which does not exist"
        )
        assert target.resolve() == FONT_FILE.resolve()
    assert re.search(r"font-display\s*:\s*swap", face)
    assert re.search(rf"font-family\s*:\s*\"{FAMILY}\"", face)
    unicode_range = re.search(r"unicode-range\s*:\s*([^;]+);", face)
    assert unicode_range, "the @font-face has no unicode-range: it would draw Latin too"
    assert unicode_range.group(1).strip() == cjk_subset.unicode_range_css(), (
        "the unicode-range in cjk.css differs from CJK_RANGES in book/cjk_subset.py"
    )
    for variable, theme_default in THEME_VARIABLES.items():
        stack = re.search(rf"{variable}\s*:\s*([^;]+);", css)
        assert stack, f"{CSS_FILE.name} does not set {variable}"
        families = [f.strip() for f in stack.group(1).split(",")]
        assert families[0] == f'"{FAMILY}"', f"{variable} must start with our face"
        assert families[1] == theme_default, (
            f"{variable} must keep the theme's default stack right after ours"
        )
    # The variables we build on still exist in the installed theme.
    theme_css = _theme_css().read_text(encoding="utf-8")
    for name in ("--pst-font-family-base-system", "--pst-font-family-monospace-system"):
        assert f"{name}:" in theme_css, f"pydata-sphinx-theme no longer defines {name}"


def _theme_css() -> Path:
    """The installed pydata-sphinx-theme stylesheet (found without importing
    the package, which would import Sphinx)."""
    spec = importlib.util.find_spec("pydata_sphinx_theme")
    assert spec and spec.origin, "pydata-sphinx-theme is not installed"
    return (
        Path(spec.origin).parent
        / "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css"
    )


# The Chinese text of the browser check: characters the book uses.
ZH = "激活函数梯度消失"
LATIN = "Activation functions"


def _page(path: Path, with_cjk_css: bool) -> Path:
    """A small page styled like the book: the theme's stylesheet, and ours."""
    link = f'<link rel="stylesheet" href="{CSS_FILE.as_uri()}">' if with_cjk_css else ""
    path.write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="{_theme_css().as_uri()}">{link}
</head><body>
<p id="zh">{ZH}</p>
<p id="latin">{LATIN}</p>
<h2 id="heading">{ZH}</h2>
<pre><code id="code">{ZH}</code></pre>
</body></html>
""",
        encoding="utf-8",
    )
    return path


def _dejavu_fonts() -> dict[str, Path]:
    """PostScript name -> file of every font in DEJAVU_DIR."""
    fonts = {}
    for path in sorted(DEJAVU_DIR.glob("*.ttf")):
        fonts[TTFont(str(path), lazy=True)["name"].getDebugName(6)] = path
    return fonts


def test_chromium_draws_the_chinese_with_the_bundled_font(tmp_path, book_chars):
    """On a machine whose only fonts are DejaVu, our stylesheet makes Chromium
    draw the Chinese with the bundled face; without it the glyphs are missing."""
    require_chromium()
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    assert set(ZH) <= set(book_chars), "ZH must be text the book uses"
    if not DEJAVU_DIR.is_dir():
        pytest.skip(f"{DEJAVU_DIR} is missing; `apt-get install fonts-dejavu-core`")
    dejavu = _dejavu_fonts()
    # Fontconfig sees only DejaVu: the system's CJK fonts are invisible.
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{DEJAVU_DIR}</dir>"
        f"<cachedir>{tmp_path / 'fontconfig-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    with_css = _page(tmp_path / "with.html", with_cjk_css=True)
    without_css = _page(tmp_path / "without.html", with_cjk_css=False)
    used: dict[tuple[bool, str], list[dict]] = {}
    with sync_playwright() as p:
        browser = launch(p, env={"FONTCONFIG_FILE": str(fonts_conf)})
        try:
            for ours, page_file in ((True, with_css), (False, without_css)):
                page = browser.new_page()
                page.goto(page_file.as_uri())
                page.evaluate("document.fonts.ready")
                for selector in ("#zh", "#latin", "#heading", "#code"):
                    used[ours, selector] = fonts_used(page, selector)
                page.close()
        finally:
            browser.close()
    report = json.dumps({f"{k[0]} {k[1]}": v for k, v in used.items()}, indent=1)

    # With cjk.css: every Chinese glyph comes from our file, none is missing.
    for selector in ("#zh", "#heading", "#code"):
        fonts = used[True, selector]
        assert fonts == [
            {
                "familyName": INTERNAL_FAMILY,
                "postScriptName": "NotoSansCJKsc-Regular",
                "isCustomFont": True,
                "glyphCount": len(ZH),
            }
        ], f"{selector} is not drawn (only) with the bundled font:\n{report}"
    # Latin text keeps the theme's (system) fonts.
    latin = used[True, "#latin"]
    assert latin and not any(f["isCustomFont"] for f in latin), report

    # The control: without cjk.css only DejaVu is there, and it has no glyph
    # for the Chinese (Chromium draws .notdef boxes), so the check above can
    # fail.
    for selector in ("#zh", "#heading", "#code"):
        fonts = used[False, selector]
        assert fonts and not any(f["isCustomFont"] for f in fonts), report
        for font in fonts:
            assert font["postScriptName"] in dejavu, (
                f"a font other than DejaVu is visible to Chromium, so this is not a "
                f"machine without CJK fonts:\n{report}"
            )
            cmap = _cmap(dejavu[font["postScriptName"]])
            assert not any(ord(c) in cmap for c in ZH), report


def test_no_cjk_text_goes_into_matplotlib_figures():
    """Figures are drawn by matplotlib, which does not see the web font: a CJK
    string in a code cell or in actlib would be drawn as boxes in a figure."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            chars = cjk_subset.cjk_chars(cjk_subset.python_strings(source))
            if chars:
                found.append(f"{path.name} cell {index}: {''.join(sorted(chars))}")
    for path in sorted((ROOT / "actlib").rglob("*.py")):
        text = cjk_subset.python_strings(path.read_text(encoding="utf-8"))
        chars = cjk_subset.cjk_chars(text)
        if chars:
            found.append(f"{path.relative_to(ROOT)}: {''.join(sorted(chars))}")
    assert not found, (
        "code passes CJK text to Python, e.g. to matplotlib titles, labels or "
        "legends. The book's CJK font is a web font (book/_static/cjk.css) and "
        "matplotlib does not see it, so on a machine without a CJK font such "
        "figure text is drawn as boxes. Either keep CJK text out of figures (in "
        "the markdown instead), or register a TTF/OTF subset with matplotlib "
        "(matplotlib.font_manager.fontManager.addfont) and extend this test. "
        "Found:\n" + "\n".join(found)
    )
