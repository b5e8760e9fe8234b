"""Rewrite the run-time column of README.md's table of contents.

The times come from _build/notebook-times.json.

The times are written by conftest.py during `make test` (each notebook run in a fresh
kernel by nbval, one torch thread, two notebooks at a time on a 2-core machine). Run
`make times` after `make test` to refresh the README.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TIMES = ROOT / "_build" / "notebook-times.json"
ROW = re.compile(r"^(\| \[[^\]]+\]\((notebooks/[^)]+\.ipynb)\) \|[^|]*\|)[^|]*\|\s*$")


def rewrite(text, times):
    """Return README text with each notebook's measured time filled in.

    Each table row's last column is set to the notebook's measured time.
    """
    out = []
    for line in text.splitlines():
        m = ROW.match(line)
        if m:
            t = times.get(m.group(2))
            cell = f" {t['seconds']:.0f} s " if t else " not measured yet "
            line = f"{m.group(1)}{cell}|"
        out.append(line)
    return "\n".join(out) + "\n"


def main():
    if not TIMES.exists():
        sys.exit(f"{TIMES.relative_to(ROOT)} not found: run `make test` first")
    times = json.loads(TIMES.read_text())
    README.write_text(rewrite(README.read_text(), times))
    measured = sorted({v["measured"] for v in times.values()})
    print(
        f"README.md: run times updated for {len(times)} notebooks (measured "
        f"{', '.join(measured)})"
    )


if __name__ == "__main__":
    main()
