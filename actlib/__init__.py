"""actlib: the helper package of the activation-functions book."""

__version__ = "0.1.0"

from . import bench, data, diagnostics, exercises, functions, modules, plotting, registry, train  # noqa: E402
from .env import pick_device, seed_everything, setup  # noqa: E402
from .functions import glu, log_softmax, softmax  # noqa: E402
from .registry import Activation, get, list_activations  # noqa: E402

__all__ = ["Activation", "bench", "data", "diagnostics", "exercises", "functions", "get", "glu", "list_activations",
           "log_softmax", "modules", "pick_device", "plotting", "registry", "seed_everything", "setup", "softmax", "train"]
