"""Build the book's own Chinese font: a subset of Noto Sans CJK SC.

The book's text has Chinese terms (e.g. 激活函数) next to the English ones. A
reader whose machine has no CJK font would see boxes, so the book ships the
glyphs it needs: this script collects every CJK character the sources use and
cuts exactly those out of Noto Sans CJK SC Regular (Debian's fonts-noto-cjk),
written as WOFF2 to ``book/_static/fonts/NotoSansSC-subset.woff2``, next to the
font's licence (``OFL.txt``) and a README. ``book/_static/cjk.css`` loads it.

Run it again whenever Chinese text is added (tests/test_cjk_font.py fails and
says so when the subset misses a character)::

    .venv/bin/python book/cjk_subset.py          # (re)write the font
    .venv/bin/python book/cjk_subset.py --check  # only say if it is current

The same sources give the same bytes: the subset keeps the source font's
timestamps and WOFF2 (brotli) compression is deterministic.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "book" / "_static" / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-subset.woff2"
LICENCE_FILE = FONT_DIR / "OFL.txt"
README_FILE = FONT_DIR / "README.md"

SYSTEM_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SYSTEM_FAMILY = "Noto Sans CJK SC"  # the face of the collection we subset
SYSTEM_SUBFAMILY = "Regular"
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
INSTALL_HINT = "apt-get install fonts-noto-cjk"
REGENERATE = ".venv/bin/python book/cjk_subset.py"

# What counts as CJK, here and in tests/test_cjk_font.py and in the
# unicode-range of book/_static/cjk.css (the test compares them): inclusive
# code point ranges.
CJK_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x3000, 0x303F, "CJK Symbols and Punctuation"),
    (0x3400, 0x4DBF, "CJK Unified Ideographs Extension A"),
    (0x4E00, 0x9FFF, "CJK Unified Ideographs"),
    (0xFF00, 0xFFEF, "Halfwidth and Fullwidth Forms"),
)
_CJK_RE = re.compile(
    "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b, _ in CJK_RANGES) + "]"
)

# Name records kept in the subset: family/style/version names plus copyright
# (0), trademark (7), vendor URL (11) and the licence (13, 14), which the OFL
# asks to travel with the font.
KEEP_NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 7, 11, 13, 14]
# Tables the book never needs: vertical writing and baseline data.
DROP_TABLES = ["BASE", "VORG", "vhea", "vmtx"]
# OpenType features whose alternate glyphs the book never shows: vertical
# writing, and locl (Japanese/Korean/Traditional forms for other language
# tags; the SC face's default glyphs are already the Simplified ones).
DROP_FEATURES = ["locl", "valt", "vchw", "vert", "vhal", "vjmo", "vkrn", "vpal"]
DROP_FEATURES += ["vrt2"]


def is_cjk(char: str) -> bool:
    """True if the one-character string ``char`` is in CJK_RANGES."""
    return _CJK_RE.fullmatch(char) is not None


def cjk_chars(text: str) -> set[str]:
    """The set of CJK characters in ``text``."""
    return set(_CJK_RE.findall(text))


def unicode_range_css() -> str:
    """CJK_RANGES written as a CSS unicode-range value."""
    return ", ".join(f"U+{a:04X}-{b:04X}" for a, b, _ in CJK_RANGES)


def python_strings(source: str) -> str:
    """The string literals of Python ``source``, joined by newlines.

    Code that does not tokenize (a notebook cell with IPython magics, say) is
    returned whole, so no character is ever missed.
    """
    kinds = {tokenize.STRING}
    kinds |= {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}  # 3.12+
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return source
    return "\n".join(tok.string for tok in tokens if tok.type in kinds)


def source_files(root: Path = ROOT) -> list[Path]:
    """Every file whose text can reach a page of the book, sorted."""
    patterns = [
        "index.md",
        "notebooks/*.ipynb",
        "book/**/*.md",
        "book/**/*.bib",
        "book/_templates/**/*.html",
        "actlib/**/*.py",
        "conf.py",
    ]
    found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    # Our own README lists no characters, but keep generated files out anyway.
    found.discard(README_FILE)
    return sorted(found)


def file_text(path: Path) -> str:
    """The text of ``path`` that can end up on a page.

    A notebook counts whole (every cell's source, outputs and metadata such as
    figure captions); Python files count by their string literals only.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        # json.dumps(ensure_ascii=False) turns any \\uXXXX escape into the
        # character itself.
        return json.dumps(json.loads(text), ensure_ascii=False)
    if path.suffix == ".py":
        return python_strings(text)
    return text


def collect(root: Path = ROOT) -> dict[str, list[str]]:
    """Every CJK character the book's sources use, mapped to the files (paths
    relative to ``root``) that use it."""
    where: dict[str, list[str]] = {}
    for path in source_files(root):
        rel = path.relative_to(root).as_posix()
        for char in sorted(cjk_chars(file_text(path))):
            where.setdefault(char, []).append(rel)
    return dict(sorted(where.items()))


def find_face(collection_path: Path = SYSTEM_FONT) -> int:
    """The index of the Noto Sans CJK SC Regular face in the collection, found
    by its name table (the order of faces in the .ttc is not guaranteed)."""
    from fontTools.ttLib import TTCollection

    if not collection_path.is_file():
        raise SystemExit(
            f"error: the system font {collection_path} is missing; the book's "
            f"Chinese font is cut from it. Install it with `{INSTALL_HINT}`."
        )
    collection = TTCollection(str(collection_path), lazy=True)
    names = []
    for index, face in enumerate(collection.fonts):
        name = face["name"]
        family = name.getDebugName(16) or name.getDebugName(1)
        style = name.getDebugName(17) or name.getDebugName(2)
        names.append(f"{family} {style}")
        if family == SYSTEM_FAMILY and style == SYSTEM_SUBFAMILY:
            return index
    raise SystemExit(
        f"error: {collection_path} has no '{SYSTEM_FAMILY} {SYSTEM_SUBFAMILY}' "
        f"face (it has: {', '.join(names)}). Reinstall it: `{INSTALL_HINT}`."
    )


def build_font(chars: set[str], collection_path: Path = SYSTEM_FONT) -> bytes:
    """WOFF2 bytes of the SC face cut down to ``chars``, without hinting,
    vertical metrics or glyph names."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    index = find_face(collection_path)
    font = TTFont(str(collection_path), fontNumber=index, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True  # compresses better under brotli
    options.glyph_names = False
    options.name_IDs = KEEP_NAME_IDS
    options.drop_tables = sorted(set(options.drop_tables) | set(DROP_TABLES))
    options.layout_features = [
        f for f in options.layout_features if f not in DROP_FEATURES
    ]
    options.recalc_timestamp = False  # head.modified stays the source's
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def font_version(collection_path: Path = SYSTEM_FONT) -> str:
    """The SC face's version string, e.g. 'Version 2.004;hotconv ...'."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(collection_path), fontNumber=find_face(collection_path))
    return font["name"].getDebugName(5) or f"{font['head'].fontRevision:.3f}"


def font_copyright(collection_path: Path = SYSTEM_FONT) -> str:
    """The SC face's copyright notice (name ID 0)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(collection_path), fontNumber=find_face(collection_path))
    return font["name"].getDebugName(0) or ""


def debian_version() -> str:
    """The installed fonts-noto-cjk package version, or '' if unknown."""
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "fonts-noto-cjk"],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def ofl_text() -> str:
    """The SIL OFL 1.1 text, taken from Debian's copyright file of
    fonts-noto-cjk (its 'License: SIL-1.1' paragraph, deb822-unfolded)."""
    if not DEBIAN_COPYRIGHT.is_file():
        raise SystemExit(
            f"error: {DEBIAN_COPYRIGHT} (the font's licence text) is missing. "
            f"Install it with `{INSTALL_HINT}`."
        )
    # Each "License: SIL-1.1" field is followed by its (possibly empty) body
    # of indented lines; the one with the full text is the stand-alone one.
    lines = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").splitlines()
    text = ""
    for start, line in enumerate(lines):
        if not line.startswith("License: SIL-1.1"):
            continue
        body: list[str] = []
        for follow in lines[start + 1 :]:
            if not follow.startswith(" "):  # the next field or paragraph
                break
            body.append("" if follow.strip() == "." else follow[1:])
        text = "\n".join(body).strip("\n")
        if "SIL OPEN FONT LICENSE Version 1.1" in text:
            break
    if "SIL OPEN FONT LICENSE Version 1.1" not in text:
        raise SystemExit(
            f"error: no SIL OFL 1.1 text found in {DEBIAN_COPYRIGHT}; "
            f"reinstall it with `{INSTALL_HINT}`."
        )
    return text + "\n"


def readme_text(chars: set[str], glyphs: int, size: int) -> str:
    """The README next to the font: what it is, where from, how to rebuild."""
    package = debian_version()
    package_line = f" (Debian package version {package})" if package else ""
    return f"""# The book's Chinese font

`NotoSansSC-subset.woff2` is a subset of **Noto Sans CJK SC Regular**
(font version "{font_version()}"),
taken from Debian's `fonts-noto-cjk`{package_line},
file `{SYSTEM_FONT}` (the face is picked by its name).
Upstream: https://github.com/notofonts/noto-cjk

It holds only the {len(chars)} CJK characters the book's sources use
({glyphs} glyphs, {size} bytes), without hinting and vertical metrics, so that
readers without a Chinese font see the Chinese terms instead of boxes.
`book/_static/cjk.css` loads it for CJK code points only (unicode-range);
Latin text keeps the theme's fonts.

Licence: SIL Open Font License 1.1, see `OFL.txt` (copyright: {font_copyright()}).

Regenerate (after adding Chinese text; needs `{INSTALL_HINT}`):

    {REGENERATE}

The script is deterministic: the same sources give the same bytes.
"""


def _missing(font_path: Path, chars: set[str]) -> list[str]:
    """The characters of ``chars`` that the font at ``font_path`` lacks."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path))["cmap"].getBestCmap()
    return sorted(c for c in chars if ord(c) not in cmap)


def main(argv: list[str] | None = None) -> int:
    """Write the subset, licence and README, or with --check say if the
    existing subset covers every character."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the subset misses a character",
    )
    args = parser.parse_args(argv)
    where = collect()
    chars = set(where)
    if args.check:
        if not FONT_FILE.is_file():
            print(f"{FONT_FILE} is missing; run {REGENERATE}", file=sys.stderr)
            return 1
        missing = _missing(FONT_FILE, chars)
        if missing:
            print(
                f"{len(missing)} characters missing from {FONT_FILE.name}: "
                f"{''.join(missing)}; run {REGENERATE}",
                file=sys.stderr,
            )
            return 1
        print(f"{FONT_FILE.name} covers all {len(chars)} CJK characters")
        return 0
    data = build_font(chars)
    FONT_DIR.mkdir(parents=True, exist_ok=True)
    FONT_FILE.write_bytes(data)
    from fontTools.ttLib import TTFont

    glyphs = len(TTFont(str(FONT_FILE)).getGlyphOrder())
    copyright_line = font_copyright()
    LICENCE_FILE.write_text(
        f"Noto Sans CJK SC: {copyright_line}\n\n{ofl_text()}", encoding="utf-8"
    )
    README_FILE.write_text(readme_text(chars, glyphs, len(data)), encoding="utf-8")
    files = {f for names in where.values() for f in names}
    print(
        f"{FONT_FILE.relative_to(ROOT)}: {len(chars)} CJK characters from "
        f"{len(files)} files, {glyphs} glyphs, {len(data)} bytes "
        f"({len(data) / 1024:.1f} KiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
