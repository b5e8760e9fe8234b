"""Copy a released assignment to a student's folder, never over a student's file.

``python -m actlib.handout a1_activations --to ~/coursework`` copies
``assignments/release/a1_activations/`` (made by ``make assignments``) to
``~/coursework/a1_activations/``. If any file it would write already exists, it copies
nothing, says which file is in the way and how to proceed, and exits with status 1.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parents[1] / "assignments"


class WouldOverwrite(FileExistsError):
    """Raised instead of writing over a file that already exists."""


def released(course=COURSE):
    """Names of the assignments generated into course/release/, sorted."""
    release = Path(course) / "release"
    if not release.is_dir():
        return []
    return sorted(p.name for p in release.iterdir() if p.is_dir())


def copy_release(name, dest, course=COURSE):
    """Copy course/release/name/ to dest/name/ and return the files written.

    Refuses (WouldOverwrite, nothing copied) when any target file exists.
    """
    course = Path(course)
    source = course / "release" / name
    if not source.is_dir():
        known = released(course)
        hint = (
            f"released ones: {', '.join(known)}"
            if known
            else "none is released yet: run `make assignments` first"
        )
        raise FileNotFoundError(f"no released assignment {name!r} in {source}; {hint}")
    target = Path(dest).expanduser() / name
    files = sorted(p for p in source.rglob("*") if p.is_file())
    clashes = [target / p.relative_to(source) for p in files]
    clashes = [p for p in clashes if p.exists() or p.is_symlink()]
    if clashes:
        raise WouldOverwrite(
            f"{clashes[0]} already exists ({len(clashes)} file(s) in the way); nothing "
            f"was copied and your files are unchanged. To start again from the blank "
            f"assignment, rename or move {target} first, or copy to another folder "
            f"with --to."
        )
    written = []
    for p in files:
        out = target / p.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "rb") as src, open(out, "xb") as dst:  # "x": never overwrite
            shutil.copyfileobj(src, dst)
        written.append(out)
    return written


def main(argv=None):
    """Command line: copy one released assignment; status 1 when it refuses."""
    parser = argparse.ArgumentParser(
        prog="python -m actlib.handout", description=__doc__.splitlines()[0]
    )
    parser.add_argument("name", help="assignment name, e.g. a1_activations")
    parser.add_argument("--to", default=".", help="folder to copy into (default: .)")
    parser.add_argument("--course", default=str(COURSE), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        written = copy_release(args.name, args.to, course=args.course)
    except (FileNotFoundError, WouldOverwrite) as err:
        print(f"actlib.handout: {err}", file=sys.stderr)
        return 1
    for p in written:
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
