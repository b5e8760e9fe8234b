"""Interactive explorers for JupyterLab (ipywidgets); the book shows static figures.

``explorer(name)`` returns a box with three controls (the activation, its numeric
parameter, the input standard deviation) above a figure of f, f' and the histogram of
f(z) for Gaussian z. The figure is redrawn once per change of a control.
"""

from .plotting import explorer_panels
from .registry import get, list_activations

# Slider ranges (min, max, step) for the numeric parameters the explorer lets you move.
_SLIDERS = {
    "negative_slope": (-0.5, 1.0, 0.01),
    "alpha": (0.1, 3.0, 0.05),
    "beta": (0.1, 10.0, 0.1),
}

# The input-std slider is logarithmic, 10**-1 .. 10**1. Its step (log10 units) and its
# width go together: a step of 0.005 (a factor of 1.012) on a track of about 400 px is
# one step per pixel, so a drag moves the value smoothly instead of jumping.
STD_LOG_RANGE = (-1.0, 1.0)
STD_LOG_STEP = 0.005
STD_WIDTH = "580px"  # the whole widget: label 80 px, track ~400 px, readout and margins
PARAM_WIDTH = "360px"


def numeric_param(name):
    """Return (parameter name, default) of the first parameter of name with a slider.

    (None, None) when the activation has no numeric parameter the explorer can move
    (relu, or gelu, whose only parameter is the string ``approximate``).
    """
    for pname, default in get(name).params.items():
        if pname in _SLIDERS:
            return pname, default
    return None, None


def explorer(initial="gelu"):
    """Return an ipywidgets box to pick an activation, its parameter and the input std.

    Below the controls it shows f, f' and the histogram of f(z) for z ~ N(0, std²).
    The parameter slider is hidden for activations without a numeric parameter.
    ``box.children[0].children`` are the three controls (dropdown, parameter, std).
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    names = list_activations()
    if initial not in names:
        raise ValueError(
            f"unknown activation {initial!r}; choose one of: {', '.join(names)}"
        )
    label = {"description_width": "80px"}
    name_box = w.Dropdown(
        options=names, value=initial, description="activation", style=label
    )
    param_box = w.FloatSlider(
        description="parameter",
        continuous_update=False,
        readout_format=".2f",
        style={"description_width": "initial"},  # "negative_slope" in full
        layout=w.Layout(width=PARAM_WIDTH),
    )
    lo, hi = STD_LOG_RANGE
    std_box = w.FloatLogSlider(
        value=1.0,
        base=10,
        min=lo,
        max=hi,
        step=STD_LOG_STEP,
        description="input std",
        readout_format=".2f",
        continuous_update=False,
        style=label,
        layout=w.Layout(width=STD_WIDTH),
    )
    out = w.Output()
    # pyplot only to get the backend's canvas; closing the figure at once keeps the
    # inline backend from showing it a second time when the cell ends.
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    plt.close(fig)
    updating = False  # True while on_name moves the parameter slider itself

    def redraw(change=None):
        if updating:
            return
        pname, _ = numeric_param(name_box.value)
        params = {} if pname is None else {pname: float(param_box.value)}
        explorer_panels(axes, get(name_box.value, **params), input_std=std_box.value)
        out.clear_output(wait=True)
        with out:
            display(fig)

    def on_name(change=None):
        nonlocal updating
        pname, default = numeric_param(name_box.value)
        if pname is None:
            param_box.layout.display = "none"
        else:
            p_lo, p_hi, p_step = _SLIDERS[pname]
            updating = True
            try:
                # Widen first so that neither min > max nor a clamped default can occur.
                param_box.max = max(p_hi, param_box.max)
                param_box.min = p_lo
                param_box.max = p_hi
                param_box.step = p_step
                param_box.value = default
                param_box.description = pname
            finally:
                updating = False
            param_box.layout.display = None  # back to the default: visible
        redraw()

    name_box.observe(on_name, names="value")
    param_box.observe(redraw, names="value")
    std_box.observe(redraw, names="value")
    on_name()
    controls = w.HBox(
        [name_box, param_box, std_box], layout=w.Layout(flex_flow="row wrap")
    )
    return w.VBox([controls, out])
