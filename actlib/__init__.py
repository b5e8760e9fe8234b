"""actlib: the helper package of the activation-functions book.

``import actlib`` loads the core (functions, registry, env) and makes every submodule
reachable as ``actlib.<name>``, each imported on first use (PEP 562), so that it never
imports matplotlib.pyplot or ipywidgets and ``python -m actlib.bench`` runs without a
double import.

The submodules form layers; a module imports only from layers below it (a test walks the
imports):

0. leaves: ``_version``, ``functions``, ``numerics`` (local slope, Gaussian quadrature),
   ``validate``, ``stats``, ``env``
1. ``registry``
2. ``modules``, ``data``
3. ``diagnostics``, ``initialisation``, ``nets``, ``train``
4. chapter helpers: ``depth``, ``fitting``, ``regions``, ``sweeps``, ``bench``,
   ``plotting``, ``widgets``
5. ``answers`` (the exercise key, which uses the helpers), ``exercises``

``results`` (a leaf) records the numbers a chapter measured;
``python -m actlib.results`` prints them.
"""

import importlib

from ._version import __version__
from .env import pick_device, seed_everything, setup
from .functions import glu, log_softmax, softmax
from .registry import Activation, get, list_activations, register

SUBMODULES = (
    "answers",
    "bench",
    "cnn",
    "data",
    "depth",
    "diagnostics",
    "env",
    "exercises",
    "fitting",
    "handout",
    "functions",
    "initialisation",
    "kernels",
    "learnable",
    "modules",
    "nets",
    "numerics",
    "plotting",
    "recurrent",
    "regions",
    "registry",
    "results",
    "search",
    "stats",
    "sweeps",
    "train",
    "transformer",
    "validate",
    "widgets",
)

__all__ = [
    "Activation",
    "get",
    "glu",
    "list_activations",
    "log_softmax",
    "pick_device",
    "register",
    "seed_everything",
    "setup",
    "softmax",
    *SUBMODULES,
]


def __getattr__(name):
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(
        f"module 'actlib' has no attribute {name!r}; its submodules are: "
        f"{', '.join(SUBMODULES)}"
    )


def __dir__():
    return sorted(set(globals()) | set(SUBMODULES))
