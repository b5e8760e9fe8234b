"""Collects each notebook's run time during `pytest --nbval-lax`.

It prints a table of the times at the end.
"""

import json
import time
from collections import defaultdict
from pathlib import Path

_times = defaultdict(float)
BUDGET_S = 60.0
TIMES_FILE = Path(__file__).parent / "_build" / "notebook-times.json"


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration  # setup (kernel start) + every cell + teardown


def pytest_terminal_summary(terminalreporter):
    if not _times:
        return
    tr = terminalreporter
    tr.section("notebook run times (fresh kernel, this machine)")
    for path, secs in sorted(_times.items()):
        flag = "  <-- over the 60 s budget" if secs > BUDGET_S else ""
        tr.write_line(f"{secs:7.1f} s  {path}{flag}")
    tr.write_line(f"{sum(_times.values()):7.1f} s  total")
    TIMES_FILE.parent.mkdir(exist_ok=True)
    old = json.loads(TIMES_FILE.read_text()) if TIMES_FILE.exists() else {}
    old.update(
        {
            p: {"seconds": round(s, 1), "measured": time.strftime("%Y-%m-%d")}
            for p, s in _times.items()
        }
    )
    TIMES_FILE.write_text(json.dumps(old, indent=1, sort_keys=True))
