"""Every registry activation against PyTorch's built-in and autograd, over wide ranges, special values and dtypes."""

import math
import warnings

import pytest
import torch

import actlib
from actlib import functions as fn

# Every activation with default parameters, plus non-default parameters where it has some.
CASES = [(name, {}) for name in actlib.list_activations()] + [
    ("leaky_relu", {"negative_slope": 0.2}), ("leaky_relu", {"negative_slope": -0.5}),
    ("elu", {"alpha": 0.5}), ("celu", {"alpha": 2.0}), ("softplus", {"beta": 2.0, "threshold": 10.0}),
    ("softplus", {"beta": 0.5}), ("gelu", {"approximate": "tanh"}), ("swish", {"beta": 1.7}),
    ("swish", {"beta": 0.0}),
]
IDS = [n + "".join(f"-{k}={v}" for k, v in p.items()) for n, p in CASES]
DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16]
# PyTorch's float64 backward of these uses the float32 constant 1/6 (error ~3e-8); ours is exact.
REF_SLACK = {"hardsigmoid": 1e-7, "hardswish": 1e-7}
TOL = {torch.float64: (1e-12, 1e-12), torch.float32: (2e-6, 2e-6),
       torch.float16: (2e-3, 2e-3), torch.bfloat16: (1.6e-2, 1.6e-2)}


def wide_inputs(dtype):
    """Dense near 0, sparse out to ±1e4, plus ±inf and nan."""
    parts = [torch.linspace(-12, 12, 2401, dtype=torch.float64),
             torch.linspace(-1e4, 1e4, 2001, dtype=torch.float64),
             torch.tensor([-1e4, -300.0, -90.0, -30.0, 30.0, 90.0, 300.0, 1e4, 0.0, -0.0, 1e-30, -1e-30],
                          dtype=torch.float64),
             torch.tensor([math.inf, -math.inf, math.nan], dtype=torch.float64)]
    return torch.cat(parts).to(dtype)


def assert_same_specials(ours, ref, label):
    assert torch.equal(torch.isnan(ours), torch.isnan(ref)), f"{label}: nan where PyTorch gives a number, or back"
    inf_ref = torch.isinf(ref)
    assert torch.equal(torch.isinf(ours), inf_ref), f"{label}: inf pattern differs from PyTorch"
    assert torch.equal(ours[inf_ref], ref[inf_ref]), f"{label}: wrong sign of inf"


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_forward_matches_pytorch(name, params, dtype):
    act = actlib.get(name, **params)
    x = wide_inputs(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = act(x)
    assert ours.dtype == dtype and ours.shape == x.shape
    ref = act.reference(x)
    if name == "step":  # torch.heaviside maps nan to 0; a step of nan is nan here
        keep = ~torch.isnan(x)
        assert torch.isnan(ours[~keep]).all()
        ours, ref = ours[keep], ref[keep]
    assert_same_specials(ours, ref, f"{act!r} {dtype}")
    fin = torch.isfinite(ref)
    rtol, atol = TOL[dtype]
    torch.testing.assert_close(ours[fin].double(), ref[fin].double(), rtol=rtol, atol=atol,
                               msg=lambda m: f"{act!r} {dtype}: {m}")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_no_overflow_at_1e4(name, params, dtype):
    act = actlib.get(name, **params)
    x = torch.tensor([-1e4, 1e4], dtype=dtype)
    for out in (act(x), act.derivative(x)):
        assert torch.isfinite(out).all(), f"{act!r} overflows at ±1e4 in {dtype}: {out.tolist()}"


def _away_from_kinks(act, x, gap=1e-3):
    keep = torch.isfinite(x)
    for k in act.kinks:
        keep &= (x - k).abs() > gap
    return x[keep]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_derivative_matches_autograd_of_builtin(name, params, dtype):
    act = actlib.get(name, **params)
    if name == "step":
        pytest.skip("the step function has no useful autograd derivative in PyTorch (heaviside has none)")
    x = _away_from_kinks(act, wide_inputs(dtype)).requires_grad_(True)
    (ref,) = torch.autograd.grad(act.reference(x).sum(), x)
    ours = act.derivative(x.detach())
    assert ours.dtype == dtype
    rtol, atol = TOL[dtype]
    slack = REF_SLACK.get(name, 0.0)
    torch.testing.assert_close(ours, ref, rtol=rtol * 10 + slack, atol=atol * 10 + slack,
                               msg=lambda m: f"{act!r}: {m}")


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_gradcheck_hand_written_backward(name, params):
    act = actlib.get(name, **params)
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(200, generator=g, dtype=torch.float64) * 4,
                   torch.tensor([-25.0, -8.0, 8.0, 25.0], dtype=torch.float64)])
    x = _away_from_kinks(act, x, gap=1e-2).requires_grad_(True)
    assert torch.autograd.gradcheck(act, (x,), eps=1e-6, atol=1e-5, rtol=1e-4)
    assert torch.autograd.gradgradcheck(act, (x,), eps=1e-6, atol=1e-4, rtol=1e-3) or name == "step"


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_derivative_at_inf_is_its_limit_and_nan_gives_nan(name, params):
    act = actlib.get(name, **params)
    d = act.derivative(torch.tensor([-math.inf, math.inf, math.nan], dtype=torch.float64))
    far = act.derivative(torch.tensor([-1e4, 1e4], dtype=torch.float64))
    torch.testing.assert_close(d[:2], far, atol=1e-6, rtol=0)
    assert torch.isnan(d[2])


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_shape_and_dtype_preserved_on_batches(name, params):
    act = actlib.get(name, **params)
    x = torch.randn(3, 4, 5, dtype=torch.float16)
    assert act(x).shape == (3, 4, 5) and act(x).dtype == torch.float16
    assert act.derivative(x).shape == (3, 4, 5) and act.derivative(x).dtype == torch.float16


def test_non_float_and_non_tensor_inputs_are_rejected_with_a_hint():
    with pytest.raises(TypeError, match="floating-point"):
        actlib.get("relu")(torch.arange(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        fn.relu([1.0, 2.0])


def test_small_inputs_keep_relative_precision():
    x = torch.tensor([1e-6, 1e-20], dtype=torch.float32)
    torch.testing.assert_close(fn.tanh(x), x, rtol=1e-6, atol=0)
    torch.testing.assert_close(fn.elu(-x), -x, rtol=1e-5, atol=0)


def test_gelu_tail_is_accurate_where_one_plus_erf_cancels():
    x = torch.tensor([-10.0], dtype=torch.float64)
    exact = x * 0.5 * torch.special.erfc(-x / math.sqrt(2))
    assert float(fn.gelu(x)) != 0.0 and torch.allclose(fn.gelu(x), exact, rtol=1e-12)


# ----------------------------------------------------------------------------- softmax, log_softmax, glu

@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_softmax_and_log_softmax_match_torch_for_huge_logits(dtype):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(6, 10, generator=g) * torch.tensor([1, 10, 100, 1e3, 1e4, 3e4]).unsqueeze(1)).to(dtype)
    rtol, atol = TOL[dtype]
    for ours, ref in ((actlib.softmax(x, 1), torch.softmax(x, 1)), (actlib.log_softmax(x, 1), torch.log_softmax(x, 1))):
        assert ours.dtype == dtype and not torch.isnan(ours).any()
        assert_same_specials(ours, ref, f"softmax {dtype}")  # log-probabilities below float16's range are -inf
        fin = torch.isfinite(ref)
        torch.testing.assert_close(ours[fin].double(), ref[fin].double(), rtol=rtol * 10, atol=atol * 10)
    s = actlib.softmax(x.double(), 1).sum(1)
    torch.testing.assert_close(s, torch.ones_like(s))


def test_softmax_special_rows():
    x = torch.tensor([[-math.inf, 0.0, 1.0], [math.inf, 0.0, 1.0], [-math.inf, -math.inf, -math.inf],
                      [math.nan, 0.0, 1.0]])
    ours, ref = actlib.softmax(x, -1), torch.softmax(x, -1)
    assert torch.equal(torch.isnan(ours), torch.isnan(ref))
    fin = ~torch.isnan(ref)
    torch.testing.assert_close(ours[fin], ref[fin])
    torch.testing.assert_close(actlib.log_softmax(x[:1], -1), torch.log_softmax(x[:1], -1))


@pytest.mark.parametrize("gate,ref", [
    ("sigmoid", lambda a, b: a * torch.sigmoid(b)), ("relu", lambda a, b: a * torch.relu(b)),
    ("gelu", lambda a, b: a * torch.nn.functional.gelu(b)), ("silu", lambda a, b: a * torch.nn.functional.silu(b)),
    ("identity", lambda a, b: a * b)])
def test_glu_family(gate, ref):
    x = torch.randn(4, 8, dtype=torch.float64)
    a, b = x.chunk(2, -1)
    torch.testing.assert_close(actlib.glu(x, -1, gate), ref(a, b))
    if gate == "sigmoid":
        torch.testing.assert_close(actlib.glu(x, -1), torch.nn.functional.glu(x, -1))


def test_glu_errors_name_the_choices():
    with pytest.raises(ValueError, match="choose one of: gelu, identity, relu, sigmoid, silu"):
        actlib.glu(torch.randn(2, 4), gate="swish2")
    with pytest.raises(ValueError, match="even size"):
        actlib.glu(torch.randn(2, 5))
