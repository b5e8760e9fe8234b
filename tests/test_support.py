"""setup(), plotting, exercises and bench: the small helpers every notebook uses."""

import math

import pytest
import torch

import actlib
from actlib import bench, exercises, plotting


def test_setup_seeds_and_reports(capsys, monkeypatch):
    monkeypatch.setenv("ACTLIB_THREADS", "1")
    dev = actlib.setup(seed=5, style=False)
    a = torch.rand(3)
    out = capsys.readouterr().out
    assert "device cpu" in out and "seed 5" in out and "1 CPU thread " in out
    assert dev == actlib.pick_device() and torch.get_num_threads() == 1
    actlib.setup(seed=5, style=False, quiet=True)
    assert torch.equal(torch.rand(3), a) and capsys.readouterr().out == ""


def test_import_stays_light():
    import subprocess
    import sys
    code = "import actlib, sys; print('matplotlib.pyplot' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_colours_are_fixed_distinct_and_stable():
    main = ["relu", "leaky_relu", "elu", "gelu", "silu", "mish", "tanh", "sigmoid", "selu", "softplus"]
    cols = [plotting.color(n) for n in main]
    assert len(set(cols)) == len(cols)
    assert plotting.color("leaky_relu(0.1)") == plotting.color("leaky_relu")
    assert plotting.color("my_new_act") == plotting.color("my_new_act")


def test_figures_have_the_expected_panels():
    import matplotlib
    matplotlib.use("Agg")
    acts = [actlib.get(n) for n in ("relu", "tanh", "gelu")]
    fig = plotting.function_grid(acts, ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 and visible[0].get_title() == "relu" and len(visible[0].lines) == 4
    stats = actlib.diagnostics.record(actlib.train.mlp([4, 8, 8, 2], "tanh"), torch.randn(32, 4))
    fig = plotting.layer_histograms(stats)
    assert len(fig.axes[0].lines) == 2 and "sat." in fig.axes[0].get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="no gradients"):
        plotting.layer_histograms(stats, kind="gradient")


def test_exercise_checks(capsys):
    assert exercises.check("q", exercises.TODO, 1.0) is False and "not answered" in capsys.readouterr().out
    assert exercises.check("q", 0.25000001, 0.25) is True
    with pytest.raises(AssertionError, match=r"\[q\] 0.3 is not right yet. hint"):
        exercises.check("q", 0.3, 0.25, hint="hint")
    assert exercises.check_function("f", torch.tanh, lambda x: 2 * torch.sigmoid(2 * x) - 1)
    with pytest.raises(AssertionError, match="at x = "):
        exercises.check_function("f", torch.sigmoid, torch.tanh)


def test_timeit_reports_median_and_spread():
    t = bench.timeit(lambda: sum(range(1000)), repeats=5, warmup=1)
    assert len(t.samples) == 5 and t.median > 0 and t.iqr >= 0 and math.isfinite(t.median)
    with pytest.raises(ValueError, match="repeats"):
        bench.timeit(lambda: None, repeats=0)
