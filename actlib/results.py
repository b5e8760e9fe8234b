"""The numbers the book measured, in one place.

A chapter records its headline numbers as it computes them::

    rec = actlib.results.Recorder("4.2")
    rec.add(
        "mnist1d/mlp/test_acc", 100 * acc.mean(), interval=(100 * lo, 100 * hi),
        seeds=10, unit="%", published=68, source="greydanus2020scaling",
    )

Each Recorder writes one JSON file per chapter, ``_build/results/<chapter>.json``
(``$ACTLIB_RESULTS_DIR`` instead, if set); creating it empties that chapter's file, so a
rerun never mixes old and new numbers. ``python -m actlib.results`` prints every
recorded number as a table (``--markdown`` for a Markdown table); the book's page
"Numbers reproduced" is made from the same files.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS_ENV = "ACTLIB_RESULTS_DIR"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.+-]*(/[a-z0-9][a-z0-9_.+-]*)*$")
_CHAPTER_RE = re.compile(r"^(0|[1-5]\.[1-9]|A-[a-z]+)$")


def chapter_of(notebook: str | os.PathLike) -> str:
    """Return the chapter id a notebook records under: '4_2_x.ipynb' -> '4.2',
    '0_start_here' -> '0', 'A_faq' -> 'A-faq'."""
    head = Path(notebook).stem.split("_")
    if head[0] == "A" and len(head) > 1:
        return f"A-{head[1]}"
    if len(head) > 1 and head[1].isdigit():
        return f"{head[0]}.{head[1]}"
    return head[0]


def results_dir() -> Path:
    """Where the records go: $ACTLIB_RESULTS_DIR, else _build/results in the repo."""
    override = os.environ.get(RESULTS_ENV, "").strip()
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "_build" / "results"


def _number(value, what):
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a real number, got {value!r}")
    if not isinstance(value, (int, float)):
        try:  # numpy and torch scalars
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be a real number, got {value!r}") from None
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value


@dataclass
class Record:
    """One measured number with what it is compared with."""

    chapter: str
    name: str
    value: float
    interval: tuple[float, float] | None = None
    seeds: int | None = None
    unit: str = ""
    published: float | str | None = None
    source: str = ""
    note: str = ""
    digits: int = 4
    extra: dict = field(default_factory=dict)

    def as_row(self, digits: int | None = None) -> dict[str, str]:
        """The record as strings for a table (``digits`` significant digits, by
        default the record's own)."""
        digits = self.digits if digits is None else digits

        def fmt(v):
            return f"{v:.{digits}g}"

        unit = self.unit.strip()
        unit = unit if unit in ("", "%") else f" {unit}"
        value = fmt(self.value) + unit
        if self.interval is not None:
            value += f" [{fmt(self.interval[0])}, {fmt(self.interval[1])}]"
        published = self.published
        if isinstance(published, float | int):
            published = fmt(published) + unit
        return {
            "chapter": self.chapter,
            "number": self.name,
            "measured (95 % interval)": value,
            "seeds": "" if self.seeds is None else str(self.seeds),
            "published": published or "",
            "source": self.source,
        }


class Recorder:
    """Records one chapter's numbers into ``<results_dir>/<chapter>.json``.

    Creating a Recorder empties the chapter's file. ``add`` validates the record,
    rewrites the file at once (so a notebook stopped half way keeps what it measured)
    and returns the Record.
    """

    def __init__(self, chapter: str, directory: str | os.PathLike | None = None):
        if not isinstance(chapter, str) or not _CHAPTER_RE.match(chapter):
            raise ValueError(
                f"chapter must look like '4.2', '0' or 'A-faq', got {chapter!r}"
            )
        self.chapter = chapter
        self.directory = Path(directory) if directory is not None else results_dir()
        self.records: dict[str, Record] = {}
        self._write()

    @property
    def path(self) -> Path:
        return self.directory / f"{self.chapter}.json"

    def add(
        self,
        name,
        value,
        interval=None,
        seeds=None,
        unit="",
        published=None,
        source="",
        note="",
        digits=4,
        **extra,
    ) -> Record:
        """Record one number; a second add with the same name replaces the first.

        ``digits`` is how many significant digits the tables show.
        """
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(
                "name must be lower-case words joined by '/', like "
                f"'mnist1d/mlp/test_acc', got {name!r}"
            )
        value = _number(value, f"{name}: value")
        if interval is not None:
            try:
                lo, hi = interval
            except (TypeError, ValueError):
                raise TypeError(
                    f"{name}: interval must be a pair (low, high), got {interval!r}"
                ) from None
            lo, hi = _number(lo, f"{name}: interval low"), _number(hi, f"{name}: high")
            if not lo <= value <= hi:
                raise ValueError(
                    f"{name}: the interval [{lo}, {hi}] does not contain the value "
                    f"{value}"
                )
            interval = (lo, hi)
        if seeds is not None:
            if isinstance(seeds, bool) or int(seeds) != seeds or seeds < 1:
                raise ValueError(
                    f"{name}: seeds must be a positive count, got {seeds!r}"
                )
            seeds = int(seeds)
        if published is not None and not isinstance(published, str):
            published = _number(published, f"{name}: published")
        record = Record(
            self.chapter,
            name,
            value,
            interval,
            seeds,
            str(unit),
            published,
            str(source),
            str(note),
            int(digits),
            {k: v for k, v in extra.items()},
        )
        self.records[name] = record
        self._write()
        return record

    def _write(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {
            "chapter": self.chapter,
            "records": [asdict(r) for r in self.records.values()],
        }
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
        tmp.replace(self.path)


def _chapter_key(chapter: str):
    if chapter.startswith("A-"):
        return (9, 0, chapter)
    part, _, sub = chapter.partition(".")
    return (int(part), int(sub or 0), "")


def load(directory: str | os.PathLike | None = None) -> list[Record]:
    """Every record in the directory, in chapter order, then in recorded order."""
    directory = Path(directory) if directory is not None else results_dir()
    found = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for r in data.get("records", []):
            interval = tuple(r["interval"]) if r.get("interval") else None
            found.append(Record(**{**r, "interval": interval}))
    return sorted(found, key=lambda r: _chapter_key(r.chapter))


def table(
    records: list[Record], markdown: bool = False, digits: int | None = None
) -> str:
    """The records as a plain-text table, or a Markdown table."""
    rows = [r.as_row(digits) for r in records]
    if not rows:
        return "no numbers recorded yet: run the notebooks (make test) first"
    head = list(rows[0])
    if markdown:
        esc = [{k: v.replace("|", "\\|") for k, v in row.items()} for row in rows]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row[h] for h in head) + " |" for row in esc]
        return "\n".join(lines)
    width = {h: max(len(h), *(len(row[h]) for row in rows)) for h in head}
    lines = ["  ".join(h.ljust(width[h]) for h in head).rstrip()]
    lines.append("  ".join("-" * width[h] for h in head))
    lines += ["  ".join(row[h].ljust(width[h]) for h in head).rstrip() for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    unknown = [a for a in argv if a not in ("--markdown",)]
    if unknown:
        print(
            f"usage: python -m actlib.results [--markdown]; unknown: {unknown}",
            file=sys.stderr,
        )
        return 2
    print(f"numbers recorded in {results_dir()}:")
    print(table(load(), markdown="--markdown" in argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
