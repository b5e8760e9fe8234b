"""The registry: names, parameters, validation and computed properties.

The properties are computed from the functions.
"""

import functools
import math

import mpmath
import pytest
import torch

import actlib
from actlib import functions as fn

CURRICULUM_1_2 = {
    "identity",
    "step",
    "sigmoid",
    "tanh",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "celu",
    "softplus",
    "gelu",
    "silu",
    "swish",
    "mish",
    "hardsigmoid",
    "hardswish",
    "softsign",
}


def test_every_function_of_chapter_1_2_is_registered_and_sorted():
    names = actlib.list_activations()
    assert names == sorted(names)
    assert CURRICULUM_1_2 <= set(names), CURRICULUM_1_2 - set(names)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError) as e:
        actlib.get("gelu2")
    assert "'gelu2'" in str(e.value) and "choose one of: celu, elu, gelu" in str(
        e.value
    )


@pytest.mark.parametrize(
    "name,params,match",
    [
        (
            "relu",
            {"alpha": 1.0},
            "unknown parameter 'alpha' for activation 'relu'; valid parameters: none",
        ),
        ("elu", {"beta": 1.0}, "valid parameters: alpha"),
        (
            "gelu",
            {"approximate": "fast"},
            (
                r"invalid approximate='fast' for activation 'gelu'; it must be 'none' "
                r"or 'tanh'"
            ),
        ),
        ("celu", {"alpha": 0.0}, "it must be a positive finite number"),
        ("softplus", {"beta": -1.0}, "invalid beta=-1.0"),
        ("leaky_relu", {"negative_slope": math.nan}, "a finite number"),
        ("leaky_relu", {"negative_slope": "0.1"}, "invalid negative_slope='0.1'"),
    ],
)
def test_invalid_parameters_raise_with_the_valid_choices(name, params, match):
    with pytest.raises(ValueError, match=match):
        actlib.get(name, **params)


def test_activation_object_api():
    f = actlib.get("leaky_relu", negative_slope=0.1)
    assert f.name == "leaky_relu" and f.params == {"negative_slope": 0.1}
    assert (
        "a x" in f.latex
        and repr(f) == "leaky_relu(negative_slope=0.1)"
        and f.label == "leaky_relu(0.1)"
    )
    assert actlib.get("gelu").label == "gelu" and f.kinks == (0.0,)
    assert actlib.get("elu").kinks == () and actlib.get("elu", alpha=2.0).kinks == (
        0.0,
    )


def test_module_uses_hand_written_backward():
    m = actlib.get("silu").module()
    x = torch.linspace(-4, 4, 9, dtype=torch.float64, requires_grad=True)
    m(x).sum().backward()
    torch.testing.assert_close(x.grad, fn.d_silu(x.detach()))


def props(name, **p):
    return actlib.get(name, **p).properties()


def test_ranges_are_measured():
    assert props("sigmoid")["range"] == pytest.approx((0.0, 1.0))
    assert props("tanh")["range"] == pytest.approx((-1.0, 1.0))
    assert props("softsign")["range"] == pytest.approx((-1.0, 1.0))
    assert props("relu")["range"] == (0.0, math.inf)
    assert props("leaky_relu")["range"] == (-math.inf, math.inf)
    assert props("relu6")["range"] == pytest.approx((0.0, 6.0))
    assert props("elu", alpha=2.0)["range"][0] == pytest.approx(-2.0)
    assert props("selu")["range"][0] == pytest.approx(-fn.SELU_SCALE * fn.SELU_ALPHA)


def test_monotone_and_minima():
    for n in ("sigmoid", "tanh", "relu", "elu", "softplus", "softsign", "leaky_relu"):
        assert props(n)["monotone"], n
    for n in ("gelu", "silu", "mish", "hardswish"):
        assert not props(n)["monotone"], n
    # Published minima: Swish-1 ~ -0.2785 at -1.278; GELU ~ -0.1700 at -0.752; Mish ~
    # -0.30884 at -1.1924.
    for n, (xm, ym) in {
        "silu": (-1.2785, -0.2785),
        "gelu": (-0.7518, -0.1700),
        "mish": (-1.1924, -0.30884),
    }.items():
        x, y = props(n)["minimum"]
        assert x == pytest.approx(xm, abs=2e-4) and y == pytest.approx(ym, abs=1e-4), n


def test_zero_centred_at_standard_normal_input():
    assert props("tanh")["zero_centred"] and props("softsign")["zero_centred"]
    assert props("selu")[
        "zero_centred"
    ]  # SELU's constants make E[selu(Z)] = 0 for Z ~ N(0, 1)
    assert props("relu")["mean_at_N01"] == pytest.approx(
        1 / math.sqrt(2 * math.pi), abs=1e-6
    )
    assert not props("sigmoid")["zero_centred"] and not props("relu")["zero_centred"]


def test_smoothness_and_saturation():
    assert (
        props("gelu")["smooth"]
        and props("elu")["smooth"]
        and not props("elu", alpha=2.0)["smooth"]
    )
    assert not props("relu")["smooth"] and props("relu")["continuous"]
    assert not props("step")["continuous"] and props("step")["max_slope"] == math.inf
    assert (
        props("sigmoid")["saturating"] == "both sides"
        and props("relu")["saturating"] == "negative side"
    )
    assert (
        props("leaky_relu")["saturating"] == "no"
        and props("softsign")["saturating"] == "both sides"
    )


def test_max_slopes():
    assert props("sigmoid")["max_slope"] == pytest.approx(0.25)
    assert props("tanh")["max_slope"] == pytest.approx(1.0)
    assert props("hardsigmoid")["max_slope"] == pytest.approx(1 / 6)
    assert props("selu")["max_slope"] == pytest.approx(
        fn.SELU_SCALE * fn.SELU_ALPHA, rel=1e-3
    )


# ----------------------------------------------------------- every property, every case

# The case list and the mpmath references (f, f') are shared with test_functions.py.
from test_functions import CASES, IDS, case_id, mp_functions  # noqa: E402

INF = math.inf
# SELU's lambda * alpha: its lower bound, and its slope just left of 0
SA = 1.7580993408473768
MIN = "the minimum of f, found with mpmath"  # sentinels in the table below
MAXD = "the maximum of f', found with mpmath"
PROPERTIES = {
    "range",
    "monotone",
    "mean_at_N01",
    "zero_centred",
    "continuous",
    "smooth",
    "saturating",
    "max_slope",
    "minimum",
}
# range (low, high), monotone, zero_centred (|E f(Z)| < 0.05), continuous, smooth (C^1),
# saturating, kinks, max_slope (sup |f'|), minimum ((x, f(x)) at a strict interior
# minimum or None)
_NEG, _BOTH = "negative side", "both sides"
_SMOOTH_DIP = (
    (MIN, INF),
    False,
    False,
    True,
    True,
    _NEG,
    (),
    MAXD,
    MIN,
)  # gelu, silu, mish, ...
_SOFTPLUS = ((0.0, INF), True, False, True, True, _NEG, (), 1.0, None)
_LEAKY = ((-INF, INF), True, False, True, False, "no", (0.0,), 1.0, None)
EXPECTED = {
    "identity": ((-INF, INF), True, True, True, True, "no", (), 1.0, None),
    "step": ((0.0, 1.0), True, False, False, False, _BOTH, (0.0,), INF, None),
    "sigmoid": ((0.0, 1.0), True, False, True, True, _BOTH, (), 0.25, None),
    "tanh": ((-1.0, 1.0), True, True, True, True, _BOTH, (), 1.0, None),
    "softsign": ((-1.0, 1.0), True, True, True, True, _BOTH, (), 1.0, None),
    "hardsigmoid": (
        (0.0, 1.0),
        True,
        False,
        True,
        False,
        _BOTH,
        (-3.0, 3.0),
        1 / 6,
        None,
    ),
    "relu": ((0.0, INF), True, False, True, False, _NEG, (0.0,), 1.0, None),
    "relu6": ((0.0, 6.0), True, False, True, False, _BOTH, (0.0, 6.0), 1.0, None),
    "leaky_relu": _LEAKY,
    "leaky_relu-negative_slope=0.2": _LEAKY,
    # -0.5 x on the left: a V with its minimum at the kink
    "leaky_relu-negative_slope=-0.5": (
        (0.0, INF),
        False,
        False,
        True,
        False,
        "no",
        (0.0,),
        1.0,
        (0.0, 0.0),
    ),
    "elu": (
        (-1.0, INF),
        True,
        False,
        True,
        True,
        _NEG,
        (),
        1.0,
        None,
    ),  # C^1 only for alpha = 1
    "elu-alpha=0.5": ((-0.5, INF), True, False, True, False, _NEG, (0.0,), 1.0, None),
    "selu": ((-SA, INF), True, True, True, False, _NEG, (0.0,), SA, None),
    "celu": ((-1.0, INF), True, False, True, True, _NEG, (), 1.0, None),
    "celu-alpha=2.0": (
        (-2.0, INF),
        True,
        False,
        True,
        True,
        _NEG,
        (),
        1.0,
        None,
    ),  # C^1 always
    "softplus": _SOFTPLUS,
    "softplus-beta=2.0-threshold=10.0": _SOFTPLUS,
    "softplus-beta=0.5": _SOFTPLUS,
    "gelu": _SMOOTH_DIP,
    "gelu-approximate=tanh": _SMOOTH_DIP,
    "silu": _SMOOTH_DIP,  # mean 0.2066: not zero-centred
    "swish": _SMOOTH_DIP,
    "swish-beta=1.7": _SMOOTH_DIP,
    "swish-beta=0.0": (
        (-INF, INF),
        True,
        True,
        True,
        True,
        "no",
        (),
        0.5,
        None,
    ),  # x / 2
    "mish": _SMOOTH_DIP,
    "hardswish": (
        (-0.375, INF),
        False,
        False,
        True,
        False,
        _NEG,
        (-3.0, 3.0),
        1.5,
        (-1.5, -0.375),
    ),
}


def test_the_expected_table_covers_every_case():
    assert set(EXPECTED) == set(IDS) and {n for n, _ in CASES} == set(
        actlib.list_activations()
    )


@functools.lru_cache(maxsize=None)
def _mp_extrema(cid):
    """Return ((x, f(x)) at f's interior minimum, sup f'), with mpmath.

    Used for the dipping cases.
    """
    name, params = CASES[IDS.index(cid)]
    f, d = mp_functions(actlib.get(name, **params))
    with mpmath.workdps(30):
        xmin = mpmath.findroot(d, -1.0)  # f' = 0 left of 0
        xinf = mpmath.findroot(lambda t: mpmath.diff(d, t), 1.5)  # f'' = 0 right of 0
        return (float(xmin), float(f(xmin))), float(d(xinf))


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_every_property_of_every_activation(name, params):
    act = actlib.get(name, **params)
    p = act.properties()
    cid = case_id(name, params)
    rng, monotone, zero, continuous, smooth, saturating, kinks, slope, minimum = (
        EXPECTED[cid]
    )
    if MIN in (rng[0], minimum) or slope == MAXD:
        mp_min, mp_slope = _mp_extrema(cid)
        rng = (mp_min[1], rng[1]) if rng[0] == MIN else rng
        minimum = mp_min if minimum == MIN else minimum
        slope = mp_slope if slope == MAXD else slope
    assert set(p) == PROPERTIES, (
        f"{act!r}: properties changed; add the new ones to this table"
    )
    for end, want in zip(p["range"], rng):
        assert (
            end == want if math.isinf(want) else end == pytest.approx(want, abs=1e-6)
        ), f"{act!r} range {p['range']}, expected {rng}"
    assert p["monotone"] == monotone, f"{act!r} monotone"
    assert p["zero_centred"] == zero == (abs(p["mean_at_N01"]) < 0.05), (
        f"{act!r} zero_centred {p['zero_centred']}, mean {p['mean_at_N01']}"
    )
    assert p["continuous"] == continuous, f"{act!r} continuous"
    assert p["smooth"] == smooth == (continuous and not kinks), f"{act!r} smooth"
    assert p["saturating"] == saturating, f"{act!r} saturating"
    assert act.kinks == kinks, f"{act!r} kinks {act.kinks}, expected {kinks}"
    assert (
        p["max_slope"] == slope
        if math.isinf(slope)
        else p["max_slope"] == pytest.approx(slope, rel=1e-3)
    ), f"{act!r} max_slope {p['max_slope']}, expected {slope}"
    if minimum is None:
        assert p["minimum"] is None, (
            f"{act!r} has no strict interior minimum, got {p['minimum']}"
        )
    else:
        assert p["minimum"] is not None, f"{act!r} minimum missing, expected {minimum}"
        assert p["minimum"][0] == pytest.approx(minimum[0], abs=2e-4), f"{act!r} argmin"
        assert p["minimum"][1] == pytest.approx(minimum[1], abs=1e-8), (
            f"{act!r} min value"
        )


_KINK_GRID = torch.linspace(-30.0, 30.0, 120_001, dtype=torch.float64)  # step 5e-4


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_declared_kinks_are_where_f_or_the_derivative_jumps(name, params):
    """Between neighbours 5e-4 apart a smooth f' moves < 1e-3 here.

    Every kink jumps >= 1/6.

    f itself is checked too: the step's kink is a jump of f (its f' is 0 on both sides).
    Softplus's threshold (f' jumps by sigmoid(-threshold) < 5e-5) does not count as a
    kink.
    """
    act = actlib.get(name, **params)
    x = _KINK_GRID
    jump = (act.derivative(x).diff().abs() > 1e-2) | (
        act.forward_only(x).diff().abs() > 1e-2
    )
    idx = torch.nonzero(jump).flatten().tolist()
    # [lo, hi] brackets, adjacent jumps merged (a kink on a grid point can jump twice)
    found = []
    for i in idx:
        if found and i == found[-1][2] + 1:
            found[-1][1:] = [float(x[i + 1]), i]
        else:
            found.append([float(x[i]), float(x[i + 1]), i])
    brackets = [(lo, hi) for lo, hi, _ in found]
    ok = len(brackets) == len(act.kinks) and all(
        lo <= k <= hi for (lo, hi), k in zip(brackets, sorted(act.kinks))
    )
    assert ok, f"{act!r}: declared kinks {act.kinks}, jumps measured in {brackets}"


def _mp_mean(act):
    f, _ = mp_functions(act)
    breaks = set(act.kinks) | {0.0}
    if act.name == "softplus":  # the threshold is a (tiny) jump
        breaks.add(act.params["threshold"] / act.params["beta"])
    with mpmath.workdps(20):
        return float(
            mpmath.quad(
                lambda t: f(t) * mpmath.npdf(t),
                [-mpmath.inf, *sorted(breaks), mpmath.inf],
            )
        )


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_mean_at_N01_matches_an_mpmath_integral(name, params):
    act = actlib.get(name, **params)
    mean = act.properties()["mean_at_N01"]
    want = _mp_mean(act)
    assert mean == pytest.approx(want, abs=1e-7), (
        f"{act!r}: E f(Z) = {mean}, mpmath {want}"
    )
    assert act.properties()["zero_centred"] == (abs(want) < 0.05)


def test_silu_mean_is_not_zero_centred():
    assert props("silu")["mean_at_N01"] == pytest.approx(0.2066, abs=1e-4)
    assert not props("silu")["zero_centred"]


# ------------------------------------------------------- registering a new activation


def _square_plus(x, b=4.0):  # (x + sqrt(x^2 + b)) / 2, a smooth ReLU
    return 0.5 * (x + torch.sqrt(x * x + b))


def _d_square_plus(x, b=4.0):
    return 0.5 * (1 + x / torch.sqrt(x * x + b))


def test_a_registered_activation_works_in_every_helper():
    from actlib import modules, nets

    try:
        act = actlib.register(
            "squareplus", _square_plus, _d_square_plus, params={"b": 4.0}
        )
        assert "squareplus" in actlib.list_activations()
        x = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(actlib.get("squareplus", b=1.0), (x,))
        assert act.properties()["monotone"] and act.properties()["smooth"]
        net = nets.mlp([4, 8, 2], "squareplus", b=2.0, seed=0)
        assert any(getattr(m, "act", None) is not None for m in net.modules())
        assert isinstance(modules.make("squareplus"), torch.nn.Module)
        with pytest.raises(ValueError, match="registered already"):
            actlib.register("squareplus", _square_plus, _d_square_plus)
        with pytest.raises(ValueError, match="invalid b"):
            actlib.get("squareplus", b=float("nan"))
    finally:
        actlib.registry.unregister("squareplus")
    assert "squareplus" not in actlib.list_activations()


def test_register_refuses_a_wrong_derivative_and_the_books_names():
    with pytest.raises(ValueError, match="disagrees with autograd"):
        actlib.register("bad_act", _square_plus, lambda x, b=4.0: 0.5 + 0 * x)
    assert "bad_act" not in actlib.list_activations()
    with pytest.raises(ValueError, match="book's activations"):
        actlib.register("relu", torch.relu, lambda x: (x > 0).to(x.dtype))
    with pytest.raises(ValueError, match="it stays"):
        actlib.registry.unregister("gelu")
    with pytest.raises(ValueError, match="lower-case"):
        actlib.register("My Act", _square_plus, _d_square_plus)


def test_register_skips_declared_kinks_when_checking_the_derivative():
    try:
        act = actlib.register(
            "shifted_relu",
            lambda x: torch.relu(x - 1),
            lambda x: (x > 1).to(x.dtype),
            kinks=(1.0,),
        )
        assert act.kinks == (1.0,)
    finally:
        actlib.registry.unregister("shifted_relu")
