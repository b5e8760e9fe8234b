"""Plotting: fixed colours per activation and the common figures."""

import pytest
import torch

import actlib
from actlib import plotting


def test_colours_are_fixed_distinct_and_stable():
    main = [
        "relu",
        "leaky_relu",
        "elu",
        "gelu",
        "silu",
        "mish",
        "tanh",
        "sigmoid",
        "selu",
        "softplus",
    ]
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
    assert (
        len(visible) == 3
        and visible[0].get_title() == "relu"
        and len(visible[0].lines) == 4
    )
    stats = actlib.diagnostics.record(
        actlib.nets.mlp([4, 8, 8, 2], "tanh"), torch.randn(32, 4)
    )
    fig = plotting.layer_histograms(stats)
    assert (
        len(fig.axes[0].lines) == 2
        and "sat." in fig.axes[0].get_legend().get_texts()[0].get_text()
    )
    with pytest.raises(ValueError, match="no gradients"):
        plotting.layer_histograms(stats, kind="gradient")


def test_mean_band_accepts_array_colours():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots()
    plotting.mean_band(
        ax, torch.arange(3), torch.rand(3, 4), color_=np.array([0.1, 0.2, 0.3, 1.0])
    )
    assert len(ax.lines) == 1
    plt.close(fig)


def test_explorer_figure_has_three_panels_per_setting():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plotting.explorer_figure(
        [("relu", {}), ("swish", {"beta": 4.0})], input_std=2.0
    )
    assert len(fig.axes) == 6
    assert (
        fig.axes[0].get_title() == "relu: f(x)"
        and fig.axes[3].get_title() == "swish(4): f(x)"
    )
    assert "N(0, 2²)" in fig.axes[2].get_title()
    with pytest.raises(ValueError, match="unknown activation"):
        plotting.explorer_figure([("relu7", {})])
    plt.close("all")


def test_grids_fit_the_book_column_and_a_phone():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from actlib.env import FIGURE_MAX_WIDTH_IN

    acts = [actlib.get(n) for n in actlib.list_activations()]
    fig = plotting.function_grid(acts)
    width = fig.get_size_inches()[0]
    columns = {round(ax.get_position().x0, 3) for ax in fig.axes if ax.get_visible()}
    assert width <= FIGURE_MAX_WIDTH_IN and len(columns) <= plotting.MAX_COLUMNS, (
        width,
        columns,
    )
    titles = [ax.title.get_fontsize() for ax in fig.axes if ax.get_visible()]
    assert min(titles) >= 13, f"panel titles should be drawn large, got {titles}"
    with pytest.raises(ValueError, match="choose 1 to 3 columns"):
        plotting.function_grid(acts, ncols=6)

    fig = plotting.explorer_figure([("relu", {}), ("tanh", {})])
    assert fig.get_size_inches()[0] <= FIGURE_MAX_WIDTH_IN
    # the histogram's title is split over two lines so that it fits a third of 8 in
    assert all(len(line) <= 28 for line in fig.axes[2].get_title().splitlines())
    plt.close("all")
