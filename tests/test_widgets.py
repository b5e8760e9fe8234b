"""The interactive explorer builds, follows the chosen activation, and refuses unknown names."""

import matplotlib
import pytest

matplotlib.use("Agg")

from actlib import widgets  # noqa: E402


def test_explorer_switches_parameter_slider_with_the_activation():
    box = widgets.explorer("leaky_relu")
    name_box, param_box, std_box = box.children[0].children
    assert (
        param_box.description == "negative_slope"
        and param_box.value == 0.01
        and not param_box.disabled
    )
    name_box.value = "elu"
    assert param_box.description == "alpha" and param_box.value == 1.0
    name_box.value = "relu"
    assert param_box.disabled
    std_box.value = 3.0  # redraws without error


def test_explorer_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown activation 'gelu2'; choose one of"):
        widgets.explorer("gelu2")
