"""actlib: the helper package of the activation-functions book."""

__version__ = "0.1.0"

from . import data, diagnostics, exercises, functions, modules, plotting, registry, train  # noqa: E402
from .env import pick_device, seed_everything, setup  # noqa: E402
from .functions import glu, log_softmax, softmax  # noqa: E402
from .registry import Activation, get, list_activations  # noqa: E402

__all__ = ["Activation", "bench", "data", "diagnostics", "exercises", "functions", "get", "glu", "list_activations",
           "log_softmax", "modules", "pick_device", "plotting", "registry", "seed_everything", "setup", "softmax", "train"]


def __getattr__(name):
    # actlib.bench is imported on first use, so that `python -m actlib.bench` runs without a double import.
    if name == "bench":
        import importlib

        return importlib.import_module(".bench", __name__)
    raise AttributeError(f"module 'actlib' has no attribute {name!r}")
