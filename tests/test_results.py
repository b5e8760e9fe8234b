"""actlib.results: validation, one file per chapter, reruns replace, tables, CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from actlib import results


def test_add_writes_the_chapters_file_at_once(tmp_path):
    rec = results.Recorder("4.2", directory=tmp_path)
    rec.add(
        "mnist1d/mlp/test_acc",
        np.float64(66.5),
        interval=(65.0, torch.tensor(68.0)),
        seeds=10,
        unit="%",
        published=68,
        source="greydanus2020scaling",
    )
    data = json.loads((tmp_path / "4.2.json").read_text())
    assert data["chapter"] == "4.2"
    (row,) = data["records"]
    assert row["value"] == 66.5 and row["interval"] == [65.0, 68.0]
    assert row["seeds"] == 10 and row["published"] == 68.0


def test_a_new_recorder_empties_the_chapter_and_same_name_replaces(tmp_path):
    rec = results.Recorder("1.2", directory=tmp_path)
    rec.add("gelu/tanh_max_error", 1.0)
    rec.add("gelu/tanh_max_error", 2.0)
    assert [r.value for r in results.load(tmp_path)] == [2.0]
    results.Recorder("1.2", directory=tmp_path)
    assert results.load(tmp_path) == []


def test_load_orders_chapters_numerically(tmp_path):
    for chapter in ("A-faq", "4.5", "0", "1.3", "3.1"):
        results.Recorder(chapter, directory=tmp_path).add("x", 1)
    assert [r.chapter for r in results.load(tmp_path)] == [
        "0",
        "1.3",
        "3.1",
        "4.5",
        "A-faq",
    ]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"name": "Bad Name", "value": 1}, ValueError),
        ({"name": "x", "value": float("nan")}, ValueError),
        ({"name": "x", "value": float("inf")}, ValueError),
        ({"name": "x", "value": "1.0x"}, TypeError),
        ({"name": "x", "value": True}, TypeError),
        ({"name": "x", "value": 5, "interval": (1, 2)}, ValueError),
        ({"name": "x", "value": 1, "interval": 3}, TypeError),
        ({"name": "x", "value": 1, "seeds": 0}, ValueError),
        ({"name": "x", "value": 1, "seeds": 2.5}, ValueError),
        ({"name": "x", "value": 1, "published": float("nan")}, ValueError),
    ],
)
def test_add_refuses_what_is_not_a_measurement(tmp_path, kwargs, error):
    rec = results.Recorder("2.3", directory=tmp_path)
    with pytest.raises(error):
        rec.add(**kwargs)
    assert results.load(tmp_path) == []  # nothing half-written


@pytest.mark.parametrize("chapter", ["4", "4.0", "six", "A-", 42])
def test_chapter_names_are_checked(tmp_path, chapter):
    with pytest.raises(ValueError, match="chapter"):
        results.Recorder(chapter, directory=tmp_path)


def test_tables_show_value_interval_published_and_source(tmp_path):
    rec = results.Recorder("0", directory=tmp_path)
    rec.add(
        "mnist1d/mlp/test_acc",
        64.123,
        interval=(61.8, 66.4),
        seeds=5,
        unit="%",
        published=68,
        source="greydanus2020scaling",
    )
    rec.add("selu/lambda", 1.0507009873554805, digits=10, published="1.0507")
    plain = results.table(results.load(tmp_path))
    assert "64.12% [61.8, 66.4]" in plain and "68%" in plain
    assert "1.050700987" in plain and "greydanus2020scaling" in plain
    md = results.table(results.load(tmp_path), markdown=True).splitlines()
    assert md[0].startswith("| chapter |") and set(md[1]) <= set("|-")
    assert len(md) == 4 and all(line.count("|") == md[0].count("|") for line in md)
    assert "no numbers recorded" in results.table([])


def test_command_line_prints_the_table_and_rejects_unknown_flags(tmp_path):
    results.Recorder("3.2", directory=tmp_path).add("dead/fraction", 0.25, unit="")
    env = {"ACTLIB_RESULTS_DIR": str(tmp_path), "PATH": ""}
    run = [sys.executable, "-m", "actlib.results"]
    ok = subprocess.run([*run, "--markdown"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "| 3.2 | dead/fraction | 0.25 |" in ok.stdout
    bad = subprocess.run([*run, "--html"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr


@pytest.mark.parametrize(
    "notebook, chapter",
    [
        ("notebooks/4_2_benchmarking_activations.ipynb", "4.2"),
        ("0_start_here.ipynb", "0"),
        ("A_faq.ipynb", "A-faq"),
        ("5_4_open_problems", "5.4"),
    ],
)
def test_chapter_of_a_notebook(notebook, chapter, tmp_path):
    assert results.chapter_of(notebook) == chapter
    results.Recorder(results.chapter_of(notebook), directory=tmp_path)  # a valid id


@pytest.mark.parametrize("unit", ["points", " points", "points "])
def test_a_unit_is_separated_by_exactly_one_space(tmp_path, unit):
    # the book's page collapses whitespace; a doubled space made a row unfindable there
    rec = results.Recorder("5.4", directory=tmp_path)
    rec.add("normalisation/spread", 21.1, unit=unit, published=20)
    row = results.load(tmp_path)[0].as_row()
    assert row["measured (95 % interval)"] == "21.1 points"
    assert row["published"] == "20 points"
