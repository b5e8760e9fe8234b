"""The interactive explorer, without a browser: its controls, and one redraw per change.

tests/test_lab.py checks the same explorer rendered in JupyterLab in Chromium.
"""

import matplotlib
import pytest

matplotlib.use("Agg")

from actlib import widgets


@pytest.fixture
def draws(monkeypatch):
    """Record (activation name, params, input_std) for each redraw of the explorer."""
    calls = []
    real = widgets.explorer_panels

    def recording(axes, act, input_std=1.0, **kw):
        calls.append((act.name, dict(act.params), input_std))
        return real(axes, act, input_std=input_std, **kw)

    monkeypatch.setattr(widgets, "explorer_panels", recording)
    return calls


def controls(box):
    """The explorer's (dropdown, parameter slider, std slider)."""
    return box.children[0].children


def test_parameter_slider_follows_the_activation():
    name_box, param_box, _ = controls(widgets.explorer("leaky_relu"))
    assert (param_box.description, param_box.value) == ("negative_slope", 0.01)
    assert (param_box.min, param_box.max, param_box.step) == (-0.5, 1.0, 0.01)
    name_box.value = "elu"
    assert (param_box.description, param_box.value) == ("alpha", 1.0)
    assert (param_box.min, param_box.max, param_box.step) == (0.1, 3.0, 0.05)
    name_box.value = "swish"
    assert (param_box.description, param_box.value) == ("beta", 1.0)


@pytest.mark.parametrize("start", ["gelu", "leaky_relu"])
def test_parameter_slider_is_hidden_without_a_parameter(start):
    """Hidden (not greyed out as "(none) 0.00") for relu and gelu, shown again after."""
    name_box, param_box, _ = controls(widgets.explorer(start))
    shown = start == "leaky_relu"
    assert param_box.layout.display == (None if shown else "none")
    name_box.value = "relu"
    assert param_box.layout.display == "none"
    name_box.value = "leaky_relu"
    assert param_box.layout.display is None
    assert not param_box.disabled
    name_box.value = "gelu"  # its only parameter, approximate, is a string
    assert param_box.layout.display == "none"


def test_std_slider_is_wide_and_fine_with_two_decimals():
    _, _, std_box = controls(widgets.explorer("tanh"))
    assert (std_box.base, std_box.min, std_box.max, std_box.value) == (10, -1, 1, 1.0)
    assert std_box.readout_format == ".2f"
    # At most a 2 % change per step: a drag moves smoothly, not 1.00 -> 1.12 -> ...
    assert 10**std_box.step <= 1.02
    assert int(std_box.layout.width.removesuffix("px")) >= 400
    assert not std_box.continuous_update  # one redraw per release, not per pixel


def test_each_change_redraws_once_with_the_new_setting(draws):
    name_box, param_box, std_box = controls(widgets.explorer("leaky_relu"))
    assert draws == [("leaky_relu", {"negative_slope": 0.01}, 1.0)]
    draws.clear()
    std_box.value = 3.0
    assert draws == [("leaky_relu", {"negative_slope": 0.01}, 3.0)]
    param_box.value = 0.2
    assert draws[1:] == [("leaky_relu", {"negative_slope": 0.2}, 3.0)]
    name_box.value = "elu"  # moves min, max and value of the slider, draws once
    assert draws[2:] == [("elu", {"alpha": 1.0}, 3.0)]
    name_box.value = "relu"
    assert draws[3:] == [("relu", {}, 3.0)]
    assert len(draws) == 4


def test_redraw_puts_the_new_figure_in_the_output(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    _, _, std_box = controls(widgets.explorer("relu"))
    assert len(shown) == 1 and shown[0].axes[0].get_title() == "relu: f(x)"
    std_box.value = 10**0.5
    assert len(shown) == 2 and "N(0, 3.16²)" in shown[1].axes[2].get_title()


def test_explorer_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown activation 'gelu2'; choose one of"):
        widgets.explorer("gelu2")
