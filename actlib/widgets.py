"""Interactive explorers for JupyterLab (ipywidgets); the book shows static figures instead."""

from .plotting import explorer_panels
from .registry import get, list_activations

# Slider ranges for the numeric parameters the explorer lets you move.
_SLIDERS = {
    "negative_slope": (-0.5, 1.0, 0.01),
    "alpha": (0.1, 3.0, 0.05),
    "beta": (0.1, 10.0, 0.1),
}


def explorer(initial="gelu"):
    """Return an ipywidgets box: pick an activation and its parameter, see f, f' and the output histogram for Gaussian input."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    if initial not in list_activations():
        raise ValueError(
            f"unknown activation {initial!r}; choose one of: {', '.join(list_activations())}"
        )
    name_box = w.Dropdown(
        options=list_activations(), value=initial, description="activation"
    )
    param_box = w.FloatSlider(
        description="parameter", continuous_update=False, readout_format=".2f"
    )
    std_box = w.FloatLogSlider(
        value=1.0,
        base=10,
        min=-1,
        max=1,
        step=0.05,
        description="input std",
        continuous_update=False,
    )
    out = w.Output()
    with out:
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
        plt.show(block=False)

    def numeric_param(name):
        for pname, default in get(name).params.items():
            if pname in _SLIDERS:
                return pname, default
        return None, None

    def on_name(change=None):
        pname, default = numeric_param(name_box.value)
        param_box.disabled = pname is None
        if pname is not None:
            lo, hi, step = _SLIDERS[pname]
            param_box.min, param_box.max, param_box.step = lo, hi, step
            param_box.value = default
            param_box.description = pname
        else:
            param_box.description = "(none)"
        redraw()

    def redraw(change=None):
        pname, _ = numeric_param(name_box.value)
        params = {} if pname is None else {pname: float(param_box.value)}
        explorer_panels(axes, get(name_box.value, **params), input_std=std_box.value)
        out.clear_output(wait=True)
        with out:
            from IPython.display import display

            display(fig)

    name_box.observe(on_name, names="value")
    param_box.observe(redraw, names="value")
    std_box.observe(redraw, names="value")
    plt.close(fig)
    on_name()
    return w.VBox([w.HBox([name_box, param_box, std_box]), out])
