"""One validator per kind of argument, shared by every public entry point of actlib.

Each returns the (normalised) value or raises ValueError / TypeError whose message names
the argument, shows the value and says what is accepted, e.g. ``invalid lr=-0.1; it must
be a finite number >= 0``. A bool is never accepted as a number.
"""

import math
import numbers
import os

import torch


def _is_real(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def real(name, value, low=-math.inf, high=math.inf, low_open=False, high_open=False):
    """Return value as a float if it is a finite real number in the given interval.

    Else raise.
    """
    lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
    if math.isinf(low) and math.isinf(high):
        what = "a finite number"
    elif math.isinf(high):
        what = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif math.isinf(low):
        what = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        what = f"a number in {lo}{low:g}, {high:g}{hi}"
    if not _is_real(value):
        raise TypeError(
            f"invalid {name}={value!r} ({type(value).__name__}); it must be {what}"
        )
    v = float(value)
    ok = (
        math.isfinite(v)
        and (v > low if low_open else v >= low)
        and (v < high if high_open else v <= high)
    )
    if not ok:
        raise ValueError(f"invalid {name}={value!r}; it must be {what}")
    return v


def count(name, value, minimum=1):
    """Return value if it is an integer >= minimum (not a bool), else raise."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(
            f"invalid {name}={value!r} ({type(value).__name__}); it must be an "
            f"integer >= {minimum}"
        )
    if value < minimum:
        raise ValueError(
            f"invalid {name}={value!r}; it must be an integer >= {minimum}"
        )
    return int(value)


def choice(name, value, choices):
    """Return value if it is one of choices, else raise naming them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"unknown {name} {value!r}; choose one of: {', '.join(choices)}"
        )
    return value


def confidence(value):
    """Return a confidence level strictly between 0 and 1."""
    return real("confidence", value, 0.0, 1.0, low_open=True, high_open=True)


def learning_rate(value, k=None):
    """Return a learning rate >= 0 (0 freezes the weights: a control).

    For k models it may be a (k,) tensor of them.
    """
    return _per_model("lr", value, k, 0.0)


def weight_decay(value, k=None):
    """Return a weight decay >= 0, or a (k,) tensor of them for k models."""
    return _per_model("weight_decay", value, k, 0.0)


def clip_norm(value, k=None):
    """Return None (no clipping) or a clipping threshold > 0.

    For k models it may be a (k,) tensor of thresholds.

    0 and negative thresholds are refused: 0 would freeze training and a negative one
    reverse the step.
    """
    if value is None:
        return None
    return _per_model("clip_norm", value, k, 0.0, low_open=True)


def _per_model(name, value, k, low, low_open=False):
    rule = f"{'>' if low_open else '>='} {low:g}"
    if (
        k is None
        or _is_real(value)
        or (isinstance(value, torch.Tensor) and value.dim() == 0)
    ):
        v = real(
            name,
            value.item() if isinstance(value, torch.Tensor) else value,
            low,
            low_open=low_open,
        )
        return v if k is None else torch.full((k,), v)
    if isinstance(value, (str, bytes, bool)) or not hasattr(value, "__len__"):
        raise TypeError(
            f"invalid {name}={value!r}; it must be a number {rule}, or a sequence "
            f"of {k} such numbers (one per model)"
        )
    if len(value) != k:
        raise ValueError(
            f"{name} must be a number or a sequence of {k} numbers (one per "
            f"model), got {len(value)}"
        )
    vals = [
        real(
            f"{name}[{i}]",
            v.item() if isinstance(v, torch.Tensor) else v,
            low,
            low_open=low_open,
        )
        for i, v in enumerate(value)
    ]
    return torch.tensor(vals)


def seeds(value):
    """Return seeds as a non-empty list of integers.

    a single integer is refused with a hint (use range(n)).
    """
    if isinstance(value, numbers.Integral):
        raise TypeError(
            f"invalid seeds={value!r}; give a sequence of integer seeds, e.g. "
            f"range({value}) or [{value}]"
        )
    try:
        out = list(value)
    except TypeError:
        raise TypeError(
            f"invalid seeds={value!r} ({type(value).__name__}); give a sequence "
            "of integers, e.g. range(5)"
        ) from None
    if not out:
        raise ValueError("seeds is empty; give at least one seed, e.g. range(5)")
    for s in out:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 0:
            raise ValueError(
                f"invalid seed {s!r} in seeds; every seed must be an integer >= 0"
            )
    return [int(s) for s in out]


def seed(value, name="seed"):
    """Return a single integer seed >= 0."""
    return count(name, value, minimum=0)


def device(value):
    """Return a torch.device that exists on this machine.

    a CUDA or MPS request without one raises.
    """
    try:
        dev = torch.device(value)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"invalid device={value!r}; give 'cpu', 'cuda', 'cuda:0', 'mps' or a "
            "torch.device"
        ) from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={value!r} was asked for, but PyTorch sees no CUDA GPU here; "
                "use device=None (picks the best available) or 'cpu'"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={value!r}: only {torch.cuda.device_count()} CUDA "
                "device(s) present"
            )
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(
                f"device={value!r} was asked for, but Apple's MPS is not "
                "available here; use 'cpu'"
            )
    return dev


def threads_from_env(var="ACTLIB_THREADS"):
    """Return the integer (>= 1) in the environment variable var.

    Return None when it is unset.
    """
    raw = os.environ.get(var)
    if raw is None:
        return None
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(
            f"invalid {var}={raw!r} in the environment; it must be a positive "
            f"integer, e.g. {var}=2"
        ) from None
    if n < 1:
        raise ValueError(
            f"invalid {var}={raw!r} in the environment; it must be a positive integer"
        )
    return n


def model_with_parameters(model):
    """Return the model's first parameter.

    Raise if it is not an nn.Module or has no parameters.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")
    first = next(model.parameters(), None)
    if first is None:
        raise ValueError(
            f"the model ({type(model).__name__}) has no parameters to train; "
            "build it with at least one nn.Linear or other layer with weights"
        )
    return first


def split(data):
    """Check a Split-like object.

    It needs x_train, y_train, x_test, y_test tensors with matching lengths.
    """
    for attr in ("x_train", "y_train", "x_test", "y_test"):
        if not isinstance(getattr(data, attr, None), torch.Tensor):
            raise TypeError(
                "expected a data Split with tensor fields x_train, y_train, "
                f"x_test, y_test; got {type(data).__name__} without a tensor "
                f"{attr}"
            )
    for part in ("train", "test"):
        x, y = getattr(data, f"x_{part}"), getattr(data, f"y_{part}")
        if len(x) != len(y):
            raise ValueError(f"x_{part} has {len(x)} rows but y_{part} has {len(y)}")
        if len(x) == 0:
            raise ValueError(f"the {part} set is empty")
        if not x.is_floating_point():
            raise TypeError(
                f"x_{part} has dtype {x.dtype}; inputs must be floating point "
                "(use .float())"
            )


def inputs_match(data, dtype):
    """Check that both input sets of a Split have the model's floating-point dtype."""
    for part in ("train", "test"):
        x = getattr(data, f"x_{part}")
        if x.dtype != dtype:
            raise TypeError(
                f"x_{part} has dtype {x.dtype} but the model's weights are {dtype}; "
                f"convert one of them (data.x_{part}.to({dtype}) or model.to(x.dtype))"
            )


def labels_for_output(data, model_out, task):
    """Check a Split's labels against the task and a model's output for one row.

    model_out is the (1, C) output.

    task 'classify': integer labels in [0, C), C the model's output width; 'regress':
    one output and floating-point targets.
    """
    width = model_out.shape[-1] if model_out.dim() > 1 else 1
    for part in ("train", "test"):
        y = getattr(data, f"y_{part}")
        if task == "classify":
            if y.is_floating_point() or y.dtype == torch.bool:
                raise TypeError(
                    f"y_{part} has dtype {y.dtype}; classification needs integer "
                    "class labels (torch.long); for real-valued targets use "
                    "task='regress'"
                )
            lo, hi = int(y.min()), int(y.max())
            if lo < 0 or hi >= width:
                raise ValueError(
                    f"y_{part} has labels from {lo} to {hi}, but the model "
                    f"outputs {width} class scores, so labels must lie in "
                    f"0..{width - 1}"
                )
        else:
            if width != 1:
                raise ValueError(
                    "task='regress' needs a model with one output, this one has "
                    f"{width}"
                )
            if not y.is_floating_point():
                raise TypeError(
                    f"y_{part} has dtype {y.dtype}; regression targets must be "
                    "floating point"
                )
