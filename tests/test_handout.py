"""actlib.handout copies a released assignment and never overwrites a student's file."""

import subprocess
import sys

import pytest

from actlib import handout


@pytest.fixture
def course(tmp_path):
    release = tmp_path / "course" / "release" / "a9_demo"
    (release / "data").mkdir(parents=True)
    (release / "a9_demo.ipynb").write_text('{"blank": true}')
    (release / "data" / "notes.txt").write_text("hello")
    return tmp_path / "course"


def test_copies_every_file(course, tmp_path):
    written = handout.copy_release("a9_demo", tmp_path / "student", course=course)
    target = tmp_path / "student" / "a9_demo"
    assert sorted(written) == [target / "a9_demo.ipynb", target / "data" / "notes.txt"]
    assert (target / "a9_demo.ipynb").read_text() == '{"blank": true}'


def test_refuses_and_keeps_the_students_work(course, tmp_path):
    target = tmp_path / "student" / "a9_demo"
    target.mkdir(parents=True)
    (target / "a9_demo.ipynb").write_text("my answers")
    with pytest.raises(handout.WouldOverwrite, match="nothing was copied") as err:
        handout.copy_release("a9_demo", tmp_path / "student", course=course)
    assert "rename or move" in str(err.value)
    assert (target / "a9_demo.ipynb").read_text() == "my answers"
    # nothing at all was copied, not even the files that were not in the way
    assert not (target / "data").exists()


def test_unknown_name_lists_what_is_released(course, tmp_path):
    with pytest.raises(FileNotFoundError, match="released ones: a9_demo"):
        handout.copy_release("a1_nope", tmp_path, course=course)
    with pytest.raises(FileNotFoundError, match="make assignments"):
        handout.copy_release("a9_demo", tmp_path, course=tmp_path / "empty")


def test_command_line_exit_status(course, tmp_path):
    def run():
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "actlib.handout",
                "a9_demo",
                "--to",
                str(tmp_path / "s"),
                "--course",
                str(course),
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    assert "wrote" in first.stdout
    second = run()
    assert second.returncode == 1
    assert "already exists" in second.stderr
