"""Code is formatted to 88 columns, so that it fits the book's column and Lab's.

`ruff format` (configured in pyproject.toml) formats the notebooks, actlib, the
tests and conf.py; it does not split long strings or comments, so E501 is checked
separately. Fix a failure with `.venv/bin/ruff format .` and by splitting the
lines it lists.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["notebooks", "actlib", "tests", "conf.py", "conftest.py", "book"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    try:
        import ruff  # noqa: F401
    except ImportError:
        pytest.fail("ruff is not installed: `make install` installs requirements.txt")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_code_is_ruff_formatted() -> None:
    proc = ruff("format", "--check", *TARGETS)
    assert proc.returncode == 0, (
        "these files are not formatted (run `.venv/bin/ruff format .`):\n"
        + proc.stdout
        + proc.stderr
    )


def test_no_line_over_88_columns() -> None:
    proc = ruff(
        "check", "--select", "E501", "--line-length", "88", "--output-format",
        "concise", "--no-cache", *TARGETS,
    )  # fmt: skip
    assert proc.returncode == 0, (
        "lines over 88 columns (split strings and comments; readers of the book "
        "and of Lab would have to scroll sideways):\n" + proc.stdout[-6000:]
    )


def test_the_check_catches_a_long_line(tmp_path: Path) -> None:
    # the control: the same command flags a 100-column line
    bad = tmp_path / "bad.py"
    bad.write_text("x = '" + "a" * 100 + "'\n", encoding="utf-8")
    proc = ruff(
        "check", "--select", "E501", "--line-length", "88", "--no-cache", str(bad)
    )
    assert proc.returncode != 0 and "E501" in proc.stdout
