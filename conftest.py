"""Collects each notebook's run time during `pytest --nbval-lax`.

It prints a table of the times at the end.
"""

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest

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


# --------------------------------------------------------------------------
# The book reuses these runs. nbval keeps each cell's outputs
# (``item.test_outputs``); when every code cell of a notebook has passed, the
# executed notebook goes into the book's jupyter-cache (``nb_execution_cache_path``
# in conf.py), so that ``make test``'s book build does not execute the notebooks
# a second time. A notebook whose code changes no longer matches the cache and
# is executed by the book build as usual.
# --------------------------------------------------------------------------

BOOK_CACHE = Path(__file__).parent / "_build" / ".jupyter_cache"
_cells_seen = defaultdict(int)  # notebook path -> code cells that passed


def _code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _cache_executed(path: Path, nb, seconds: float) -> None:
    import fcntl

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    BOOK_CACHE.mkdir(parents=True, exist_ok=True)
    # two xdist workers may finish a notebook at the same moment
    with open(BOOK_CACHE.parent / ".jupyter_cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        get_cache(str(BOOK_CACHE)).cache_notebook_bundle(
            CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
            check_validity=False,
            overwrite=True,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    outs = getattr(item, "test_outputs", None)
    if call.when != "call" or outs is None or not hasattr(item, "cell_num"):
        return
    nb = item.parent.nb
    key = item.parent.nodeid
    if not report.passed:
        _cells_seen[key] = -(10**9)  # never cached
        return
    _cells_seen[key] += 1
    item.cell.outputs = list(outs)
    item.cell.execution_count = item.cell_num + 1
    for out in item.cell.outputs:
        if out.get("output_type") == "execute_result":
            out["execution_count"] = item.cell_num + 1
    if _cells_seen[key] == len(_code_cells(nb)):
        try:
            _cache_executed(Path(str(item.parent.fspath)), nb, _times.get(key, 0.0))
        except Exception as exc:  # noqa: BLE001 - the cache is an optimisation
            print(f"note: could not cache {key} for the book: {exc!r}")
