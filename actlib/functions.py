"""Activation functions written from scratch with torch tensor ops.

Each has a hand-written derivative.

Every function takes a floating-point tensor and returns one of the same dtype and
shape. Half-precision inputs (float16, bfloat16) are computed in float32 and cast
back, which is what PyTorch's own kernels do. Formulas are arranged so that no
intermediate overflows for any finite input (exp is only taken of non-positive
numbers). At +/-inf they return the mathematical limit (PyTorch's built-ins can give nan
there: -inf * 0 in x * sigmoid(x)-style formulas, inf / inf in softsign), and nan gives
nan.

The derivative functions (``d_<name>``) return f'(x) elementwise. At kinks (e.g. 0
for ReLU) the value is a convention; at nan they return nan; at +/-inf they return
the limit of f'(x).
"""

import math

import torch

SQRT_2 = math.sqrt(2.0)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_TANH_COEF = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _check_float(x):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(
            f"expected a floating-point tensor, got dtype {x.dtype}; convert with "
            "x.float()"
        )


def opmath(fn):
    """Wrap fn so half-precision inputs are computed in float32.

    The result is cast back to the input dtype.
    """

    def wrapped(x, *args, **kwargs):
        _check_float(x)
        if x.dtype in _LOW_PRECISION:
            return fn(x.float(), *args, **kwargs).to(x.dtype)
        return fn(x, *args, **kwargs)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    wrapped.__wrapped__ = fn
    return wrapped


def _nan_where_nan(x, y):
    """Return y with nan wherever x is nan.

    Comparisons such as x > 0 are False for nan.
    """
    return torch.where(torch.isnan(x), x, y)


def _zero_at_neg_inf(x, y):
    """Return y with 0 at x = -inf: the limit of x * g(x) where g(x) -> 0 fast.

    There y has -inf * 0.
    """
    return torch.where(torch.isneginf(x), torch.zeros_like(y), y)


# ----------------------------------------------------------------------- identity, step


@opmath
def identity(x):
    """Return x unchanged (a copy)."""
    return x.clone()


@opmath
def d_identity(x):
    """Return 1 everywhere (nan at nan)."""
    return _nan_where_nan(x, torch.ones_like(x))


@opmath
def step(x):
    """Return the Heaviside step: 1 for x > 0, 0 otherwise (nan at nan)."""
    return _nan_where_nan(x, (x > 0).to(x.dtype))


@opmath
def d_step(x):
    """Return 0 everywhere: the step is flat except at 0, where it has no derivative."""
    return _nan_where_nan(x, torch.zeros_like(x))


# ---------------------------------------------------------------------- logistic family


@opmath
def sigmoid(x):
    """Return the logistic function 1 / (1 + exp(-x))."""
    e = torch.exp(-x.abs())  # in (0, 1]: never overflows
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@opmath
def d_sigmoid(x):
    """Return sigma(x) * (1 - sigma(x))."""
    e = torch.exp(-x.abs())
    return e / (1.0 + e) ** 2  # symmetric in x, no cancellation


@opmath
def tanh(x):
    """Return the hyperbolic tangent.

    Computed from expm1 so small inputs keep full precision.
    """
    m = torch.expm1(-2.0 * x.abs())  # in (-1, 0]
    return torch.sign(x) * (-m / (2.0 + m))


@opmath
def d_tanh(x):
    """Return 1 - tanh(x)^2 = 4 e^{-2|x|} / (1 + e^{-2|x|})^2."""
    e = torch.exp(-2.0 * x.abs())
    return 4.0 * e / (1.0 + e) ** 2


@opmath
def softsign(x):
    """Return x / (1 + |x|).

    At +/-inf, where the formula is inf / inf, return its limit +/-1.
    """
    return torch.where(torch.isinf(x), torch.sign(x), x / (1.0 + x.abs()))


@opmath
def d_softsign(x):
    """Return 1 / (1 + |x|)^2."""
    return 1.0 / (1.0 + x.abs()) ** 2


@opmath
def hardsigmoid(x):
    """Return the piecewise-linear sigmoid clamp((x + 3) / 6, 0, 1)."""
    # (x + 3) / 6, not x / 6 + 1/2, which cancels near x = -3 (x + 3 is exact there).
    return torch.clamp((x + 3.0) / 6.0, 0.0, 1.0)


@opmath
def d_hardsigmoid(x):
    """Return 1/6 on (-3, 3) and 0 outside."""
    inside = (x > -3.0) & (x < 3.0)
    return _nan_where_nan(x, inside.to(x.dtype) / 6.0)


# --------------------------------------------------------------------------- rectifiers


@opmath
def relu(x):
    """Return max(0, x)."""
    return torch.clamp(x, min=0.0)


@opmath
def d_relu(x):
    """Return 1 for x > 0 and 0 otherwise (0 at the kink x = 0, as PyTorch does)."""
    return _nan_where_nan(x, (x > 0).to(x.dtype))


@opmath
def relu6(x):
    """Return min(max(0, x), 6)."""
    return torch.clamp(x, 0.0, 6.0)


@opmath
def d_relu6(x):
    """Return 1 on (0, 6) and 0 outside."""
    return _nan_where_nan(x, ((x > 0) & (x < 6.0)).to(x.dtype))


@opmath
def leaky_relu(x, negative_slope=0.01):
    """Return x for x > 0 and negative_slope * x otherwise."""
    return torch.where(x > 0, x, x * negative_slope)


@opmath
def d_leaky_relu(x, negative_slope=0.01):
    """Return 1 for x > 0 and negative_slope otherwise."""
    ones = torch.ones_like(x)
    return _nan_where_nan(x, torch.where(x > 0, ones, ones * negative_slope))


# -------------------------------------------------------------------- exponential units


@opmath
def elu(x, alpha=1.0):
    """Return x for x > 0 and alpha * (exp(x) - 1) otherwise."""
    return torch.where(x > 0, x, alpha * torch.expm1(torch.clamp(x, max=0.0)))


@opmath
def d_elu(x, alpha=1.0):
    """Return 1 for x > 0 and alpha * exp(x) otherwise."""
    return _nan_where_nan(
        x,
        torch.where(
            x > 0, torch.ones_like(x), alpha * torch.exp(torch.clamp(x, max=0.0))
        ),
    )


@opmath
def selu(x):
    """Return scale * elu(x, alpha) with the self-normalising constants.

    The constants are those of Klambauer et al. (2017).
    """
    return SELU_SCALE * torch.where(
        x > 0, x, SELU_ALPHA * torch.expm1(torch.clamp(x, max=0.0))
    )


@opmath
def d_selu(x):
    """Return scale for x > 0 and scale * alpha * exp(x) otherwise."""
    neg = SELU_ALPHA * torch.exp(torch.clamp(x, max=0.0))
    return _nan_where_nan(x, SELU_SCALE * torch.where(x > 0, torch.ones_like(x), neg))


@opmath
def celu(x, alpha=1.0):
    """Return max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return torch.where(x > 0, x, alpha * torch.expm1(torch.clamp(x, max=0.0) / alpha))


@opmath
def d_celu(x, alpha=1.0):
    """Return 1 for x > 0 and exp(x / alpha) otherwise."""
    return _nan_where_nan(
        x,
        torch.where(
            x > 0, torch.ones_like(x), torch.exp(torch.clamp(x, max=0.0) / alpha)
        ),
    )


# -------------------------------------------------------------------- smooth rectifiers


def _softplus1(z):
    """log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|))."""
    return torch.clamp(z, min=0.0) + torch.log1p(torch.exp(-z.abs()))


@opmath
def softplus(x, beta=1.0, threshold=20.0):
    """Return log(1 + exp(beta * x)) / beta.

    Where beta * x > threshold, return x itself (as PyTorch does).
    """
    z = beta * x
    return torch.where(z > threshold, x, _softplus1(z) / beta)


@opmath
def d_softplus(x, beta=1.0, threshold=20.0):
    """Return sigmoid(beta * x), and 1 where beta * x > threshold."""
    z = beta * x
    return torch.where(z > threshold, torch.ones_like(x), sigmoid(z))


@opmath
def gelu(x, approximate="none"):
    """Return x * Phi(x) (Gaussian CDF).

    With approximate='tanh', return its tanh approximation.
    """
    if approximate == "tanh":
        u = SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x)
        # (1 + tanh(u)) / 2 = sigmoid(2u), which does not cancel to 0 in the negative
        # tail.
        return _zero_at_neg_inf(x, x * sigmoid(2.0 * u))
    if approximate != "none":
        raise ValueError(
            f"unknown approximate={approximate!r} for gelu; choose one of: "
            "'none', 'tanh'"
        )
    # erfc keeps Phi(x) accurate far into the negative tail, where 1 + erf(x) would
    # cancel to 0.
    return _zero_at_neg_inf(x, x * 0.5 * torch.special.erfc(-x / SQRT_2))


@opmath
def d_gelu(x, approximate="none"):
    """Return d/dx [x Phi(x)] = Phi(x) + x phi(x).

    With approximate='tanh', return the derivative of the tanh form.
    """
    if approximate == "tanh":
        u = SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x)
        du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * x * x)
        # x * du * sech^2(u): sech^2 underflows to 0 long before x * du overflows in
        # float32/64.
        tail = torch.where(
            torch.isinf(x), torch.zeros_like(x), 0.5 * x * d_tanh(u) * du
        )
        return (
            sigmoid(2.0 * u) + tail
        )  # sigmoid(2u) = (1 + tanh(u)) / 2 without the cancellation
    if approximate != "none":
        raise ValueError(
            f"unknown approximate={approximate!r} for gelu; choose one of: "
            "'none', 'tanh'"
        )
    cdf = 0.5 * torch.special.erfc(-x / SQRT_2)
    pdf = INV_SQRT_2PI * torch.exp(-0.5 * x * x)
    tail = torch.where(torch.isinf(x), torch.zeros_like(x), x * pdf)
    return cdf + tail


@opmath
def swish(x, beta=1.0):
    """Return x * sigmoid(beta * x) (Ramachandran et al. 2017).

    beta = 1 is SiLU, beta = 0 is x / 2.

    At the infinity where beta * x = -inf the formula is inf * 0; the limit, 0, is
    returned there. beta may be a tensor (a learned or per-model parameter, as in
    actlib.modules.Swish): then the formula is one fused sigmoid kernel, differentiable
    in beta and fast under vmap (the training path: it keeps PyTorch's nan at that
    infinity instead of the limit).
    """
    if isinstance(beta, torch.Tensor):
        return x * torch.sigmoid(beta.to(x.dtype) * x)
    if beta == 0:
        return 0.5 * x
    z = beta * x
    return torch.where(torch.isneginf(z), torch.zeros_like(x), x * sigmoid(z))


@opmath
def d_swish(x, beta=1.0):
    """Return sigmoid(bx) + b x sigmoid(bx) (1 - sigmoid(bx))."""
    if beta == 0:
        return _nan_where_nan(x, torch.full_like(x, 0.5))
    s = sigmoid(beta * x)
    tail = torch.where(
        torch.isinf(x), torch.zeros_like(x), beta * x * d_sigmoid(beta * x)
    )
    return s + tail


@opmath
def silu(x):
    """Return x * sigmoid(x) (Swish with beta = 1)."""
    return swish(x, 1.0)


@opmath
def d_silu(x):
    """Return sigmoid(x) * (1 + x * (1 - sigmoid(x)))."""
    return d_swish(x, 1.0)


@opmath
def mish(x):
    """Return x * tanh(softplus(x)) (Misra 2019)."""
    return _zero_at_neg_inf(x, x * tanh(_softplus1(x)))


@opmath
def d_mish(x):
    """Return tanh(sp(x)) + x * sech^2(sp(x)) * sigmoid(x), with sp the softplus."""
    sp = _softplus1(x)
    tail = torch.where(torch.isinf(x), torch.zeros_like(x), x * d_tanh(sp) * sigmoid(x))
    return tanh(sp) + tail


@opmath
def hardswish(x):
    """Return x * hardsigmoid(x) = x * relu6(x + 3) / 6 (Howard et al. 2019)."""
    return _zero_at_neg_inf(x, x * torch.clamp(x + 3.0, 0.0, 6.0) / 6.0)


@opmath
def d_hardswish(x):
    """Return 0 below -3, (2x + 3) / 6 on [-3, 3], and 1 above 3."""
    mid = (2.0 * x + 3.0) / 6.0
    out = torch.where(
        x < -3.0, torch.zeros_like(x), torch.where(x > 3.0, torch.ones_like(x), mid)
    )
    return _nan_where_nan(x, out)


# ------------------------------------------------------------------------ vector-valued


def softmax(x, dim=-1):
    """Return exp(x) / sum(exp(x)) along dim.

    Computed after subtracting the max so it never overflows.
    """
    return torch.exp(log_softmax(x, dim))


def log_softmax(x, dim=-1):
    """Return x - logsumexp(x) along dim, stable for any finite logits."""
    _check_float(x)
    work = x.float() if x.dtype in _LOW_PRECISION else x
    shifted = work - work.amax(
        dim=dim, keepdim=True
    )  # the largest logit becomes 0: exp never overflows
    out = shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))
    return out.to(x.dtype)


_GLU_GATES = {
    "sigmoid": sigmoid,
    "relu": relu,
    "gelu": gelu,
    "silu": silu,
    "identity": identity,
}


def glu(x, dim=-1, gate="sigmoid"):
    """Return a * gate(b) where x is split in half along dim.

    GLU (sigmoid), ReGLU, GEGLU, SwiGLU (silu), bilinear.
    """
    if gate not in _GLU_GATES:
        raise ValueError(
            f"unknown gate {gate!r} for glu; choose one of: "
            f"{', '.join(sorted(_GLU_GATES))}"
        )
    if x.shape[dim] % 2:
        raise ValueError(f"glu needs an even size along dim {dim}, got {x.shape[dim]}")
    a, b = x.chunk(2, dim=dim)
    return a * _GLU_GATES[gate](b)
