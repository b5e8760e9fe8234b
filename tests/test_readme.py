"""The README is the front door: every notebook is listed, links resolve.

CI runs the README's test command.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_notebook_is_in_the_table_of_contents():
    listed = set(re.findall(r"\]\((notebooks/[^)]+\.ipynb)\)", README))
    present = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")
    }
    assert present - listed == set(), (
        f"notebooks missing from README's table: {sorted(present - listed)}"
    )
    assert listed - present == set(), (
        f"README links to notebooks that do not exist: {sorted(listed - present)}"
    )


def test_ci_runs_the_readme_test_command_exactly():
    commands = re.findall(r"^make (\w+)\s+#", README, flags=re.M)
    assert "test" in commands and "lab" in commands
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "make test" in [line.strip() for line in ci], (
        ".ci/run must call the README's `make test`"
    )


def test_readme_times_rewrites_only_the_time_column():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "readme_times", ROOT / "tests" / "readme_times.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (
        "| [0 Start](notebooks/0_a.ipynb) | teaches x | not measured yet |\n| other | "
        "row | kept |\n"
    )
    out = mod.rewrite(
        text, {"notebooks/0_a.ipynb": {"seconds": 12.4, "measured": "2026-01-01"}}
    )
    assert (
        out.splitlines()[0] == "| [0 Start](notebooks/0_a.ipynb) | teaches x | 12 s |"
    )
    assert out.splitlines()[1] == "| other | row | kept |"


def test_each_actlib_module_has_its_test_file():
    modules = sorted(
        p.stem for p in (ROOT / "actlib").glob("*.py") if not p.stem.startswith("_")
    )
    missing = [m for m in modules if not (ROOT / "tests" / f"test_{m}.py").exists()]
    assert not missing, (
        f"tests mirror modules; add tests/test_<module>.py for: {missing}"
    )
