"""The answer key of every chapter's exercises, and the kinds of answer it can check.

Each entry is ``_add("2.1-3", rule)`` in its chapter's section below; a rule is a
Number, Function, Choice or Names, holding the expected answer (a value, or a function
computing it from actlib) and a hint that nudges without solving.
``actlib.exercises.check`` looks answers up here, so no notebook ever holds an expected
value. ``rule.solution()`` is the expected answer; the tests feed it back through
``check`` for every entry.
"""

import functools
import math
import numbers
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from scipy import stats as _scipy_stats
from torch import nn

from . import (
    bench,
    cnn,
    data,
    depth,
    fitting,
    functions,
    initialisation,
    kernels,
    learnable,
    nets,
    regions,
    registry,
    search,
    stats,
    train,
    transformer,
)


class _Unanswered:
    def __repr__(self):
        return "TODO"


TODO = _Unanswered()  # the placeholder learners replace with their answer


def _todo(v):
    return v is TODO or v is None or v is Ellipsis


def _lazy(v):
    return v() if callable(v) else v


@dataclass
class Number:
    """A numeric answer within tol of expected (a value or a function).

    The tolerance is relative, with an absolute floor of tol.
    """

    expected: object
    hint: str
    tol: float = 1e-6
    integer: bool = False

    def solution(self):
        return _lazy(self.expected)

    def judge(self, answer):
        if isinstance(answer, torch.Tensor):
            if answer.numel() != 1:
                return f"give one number, not a tensor of shape {tuple(answer.shape)}."
            answer = answer.item()
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return f"give a number, not {type(answer).__name__} ({answer!r})."
        if math.isnan(answer):
            return (
                "your answer is nan; something in the computation is undefined (0/0, "
                "inf - inf, log of a negative)."
            )
        if self.integer and answer != int(answer):
            return "give a whole number."
        want = float(self.solution())
        if abs(answer - want) <= self.tol * max(1.0, abs(want)):
            return None
        return self.hint


@dataclass
class Function:
    """A function answer, checked against a reference function.

    Compared with reference on inputs (a tensor or a function returning one), within
    tol.
    """

    reference: object
    hint: str
    inputs: object = None
    tol: float = 1e-5

    def solution(self):
        return self.reference

    def _x(self):
        x = _lazy(self.inputs) if self.inputs is not None else None
        return torch.linspace(-8, 8, 1601, dtype=torch.float64) if x is None else x

    def judge(self, answer):
        if not callable(answer):
            return f"give a function (def ...), not {type(answer).__name__}."
        x = self._x()
        try:
            got = answer(x.clone())
        except Exception as e:  # a learner's bug: report it as a hint, not a traceback
            return (
                f"calling your function on a float64 tensor of {x.numel()} inputs "
                f"raised {type(e).__name__}: {e}. Use tensor operations "
                "(torch.exp, torch.log, ...), not math.* functions, which take "
                "one number."
            )
        if _todo(got):
            return "TODO"
        try:
            got = torch.as_tensor(got, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError):
            return (
                f"your function returned {type(got).__name__}; it should return a "
                "tensor."
            )
        want = torch.as_tensor(self.reference(x.clone()), dtype=torch.float64)
        if got.shape != want.shape:
            if want.shape == x.shape:
                return (
                    f"your function returned shape {tuple(got.shape)} for an "
                    f"input of shape {tuple(x.shape)}; it should work elementwise."
                )
            return (
                f"your function returned shape {tuple(got.shape)}; the answer has "
                f"shape {tuple(want.shape)}."
            )
        err = (got - want).abs()
        bad = ~(err <= self.tol * (1 + want.abs()))
        if bad.any():
            i = int(
                torch.argmax(
                    torch.where(bad, err, torch.zeros_like(err)).nan_to_num(
                        nan=math.inf
                    )
                )
            )
            if (
                want.shape == x.shape and x.dim() == 1
            ):  # elementwise: name the input where it goes wrong
                return (
                    f"at x = {float(x[i]):.4g} you return "
                    f"{float(got.flatten()[i]):.6g}, which is off. {self.hint}"
                )
            return (
                f"your result is off (entry {i} of {want.numel()} is "
                f"{float(got.flatten()[i]):.6g}). {self.hint}"
            )
        return None


@dataclass
class Choice:
    """One of several options (strings); a wrong option gets its own hint."""

    # an option, or a function computing it (for answers that come from a measurement)
    correct: object
    options: (
        dict  # option -> hint shown when it is chosen wrongly ("" for the correct one)
    )

    def solution(self):
        return _lazy(self.correct)

    def judge(self, answer):
        if not isinstance(answer, str) or answer not in self.options:
            return f"answer with one of: {', '.join(repr(o) for o in self.options)}."
        return None if answer == self.solution() else self.options[answer]


@dataclass
class Names:
    """A set of names (e.g. activations); order does not matter."""

    expected: object
    hint: str
    universe: object = (
        None  # the names allowed, a collection or a function returning one
    )

    def solution(self):
        return sorted(_lazy(self.expected))

    def judge(self, answer):
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            return 'give a list of names, e.g. ["relu", "tanh"].'
        got = set(answer)
        allowed = set(_lazy(self.universe)) if self.universe is not None else None
        if allowed is not None and not got <= allowed:
            return f"{sorted(got - allowed)} are not among the names in question."
        want = set(self.solution())
        if got == want:
            return None
        missing, extra = len(want - got), len(got - want)
        return f"{missing} missing and {extra} that do not belong. {self.hint}"


@dataclass
class Exercise:
    """One entry of the answer key: what is checked, and where the exercise is."""

    id: str
    rule: object  # Number, Function, Choice or Names
    chapter: str = ""
    extra: dict = field(default_factory=dict)


KEY = {}


def _add(exercise_id, rule, chapter):
    if exercise_id in KEY:
        raise ValueError(f"exercise {exercise_id!r} is in the key twice")
    KEY[exercise_id] = Exercise(exercise_id, rule, chapter)


# ---------------------------------------------------------------------------- chapter 0


@functools.lru_cache(maxsize=None)
def _ch0_five_seeds(activation):
    """Chapter 0's experiment: five seeds of a 40-100-100-10 MLP.

    Each is trained for 40 epochs, lr 0.01, batches of 100.
    """
    mnist = data.mnist1d()
    hist = train.train_many(
        lambda: nets.mlp([40, 100, 100, 10], activation),
        range(5),
        mnist,
        epochs=40,
        lr=1e-2,
        batch_size=100,
        progress=False,
    )
    return hist.test_acc[-1]


def _ch0_verdict():
    return (
        "within seed noise"
        if stats.within_noise(_ch0_five_seeds("relu"), _ch0_five_seeds("tanh"))
        else "larger than seed noise"
    )


_add(
    "0-1",
    Number(
        expected=lambda: float(_scipy_stats.t.ppf(0.975, 4)) * 2 / math.sqrt(5),
        tol=1e-3,
        hint=(
            "The half-width is a t quantile times the standard error of the mean. How "
            "many degrees of freedom do five values have, and what is the standard "
            "error?"
        ),
    ),
    "0",
)
_add(
    "0-2",
    Number(
        expected=lambda: float((data.mnist1d().y_test == 3).double().mean()),
        tol=1e-9,
        hint=(
            "A fraction: how many test labels are 3, divided by how many test labels "
            "there are."
        ),
    ),
    "0",
)
_add(
    "0-3",
    Choice(
        correct=lambda: _ch0_verdict(),
        options={
            "within seed noise": (
                "Look at Welch's interval for the difference of the means: does it "
                "contain 0?"
            ),
            "larger than seed noise": (
                "Look at Welch's interval for the difference of the means: does it "
                "contain 0?"
            ),
        },
    ),
    "0",
)


# ---------------------------------------------------------------- chapter 1.1 (helpers)


def _collapse(net):
    """The product of a stack's Linear weights.

    The one matrix a net with identity activations computes.
    """
    first = next(m for m in net if isinstance(m, nn.Linear))
    M = torch.eye(first.in_features, dtype=torch.float64)
    for layer in net:
        if isinstance(layer, nn.Linear):
            M = layer.weight.detach().double() @ M
    return M


def _kinky_net():
    """The 1-5-1 ReLU network of exercise 1.1-3.

    Its weights are the ones printed in its cell.
    """
    net = nn.Sequential(nn.Linear(1, 5), nn.ReLU(), nn.Linear(5, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0], [-2.0], [0.5], [3.0], [1.0]]))
        net[0].bias.copy_(torch.tensor([0.5, 1.0, -2.0, 0.0, 0.5]))
        net[2].weight.copy_(torch.tensor([[1.0, 1.0, -1.0, 0.0, 2.0]]))
        net[2].bias.zero_()
    return net


def _count_kinks(f, lo=-2.0, hi=2.0, n=4001):
    xs = torch.linspace(lo, hi, n, dtype=torch.float64)
    with torch.no_grad():
        return len(fitting.slope_changes(xs, f(xs)))


def _xor_probe_points():
    """100 points within 0.4 (in each coordinate) of the four XOR corners."""
    offsets = torch.linspace(-0.4, 0.4, 5, dtype=torch.float64)
    grid = torch.cartesian_prod(offsets, offsets)
    corners = torch.tensor(
        [[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]], dtype=torch.float64
    )
    return (corners[:, None, :] + grid[None, :, :]).reshape(-1, 2)


def _xor_label(points):
    """XOR's class: 1 where the two coordinates have different signs."""
    return ((points[:, 0] > 0) != (points[:, 1] > 0)).double()


_add(
    "1.1-1",
    Number(
        expected=lambda: int(
            torch.linalg.matrix_rank(
                _collapse(nets.mlp([10, 32, 3, 32, 10], "identity", seed=1).double())
            )
        ),
        tol=0,
        integer=True,
        hint=(
            "the collapsed matrix is a product of the layers' weight matrices; what "
            "limits the rank of a product?"
        ),
    ),
    "1.1",
)
_add(
    "1.1-2",
    Function(
        reference=_xor_label,
        inputs=_xor_probe_points,
        tol=1e-9,
        hint=(
            "class 1 lies between two parallel lines; make each hidden unit a steep "
            "step across one of them (scale its input by 5 or more), then let the "
            "output layer compare the two units."
        ),
    ),
    "1.1",
)
_add(
    "1.1-3",
    Number(
        expected=lambda: _count_kinks(lambda xs: _kinky_net()(xs[:, None]).squeeze(1)),
        tol=0,
        integer=True,
        hint=(
            "for each unit, find where w x + b = 0; then ask whether that point lies "
            "in [-2, 2], whether the unit reaches the output at all, and whether two "
            "units bend at the same place."
        ),
    ),
    "1.1",
)
_add(
    "1.1-4",
    Number(
        expected=lambda: _count_kinks(lambda xs: torch.clamp(1 - xs.abs(), min=0)),
        tol=0,
        integer=True,
        hint=(
            "trace the hat from x = -2 to x = 2 and note every place where its slope "
            "changes; how many slope changes can one ReLU unit make?"
        ),
    ),
    "1.1",
)


# -------------------------------------------------------------------------- chapter 1.2


def _tanh_half_saturated_std(threshold=0.97):
    """The input std s at which P(|tanh(sZ)| > threshold) = 1/2 for Z ~ N(0, 1)."""
    z_quartile = math.sqrt(2.0) * float(
        torch.special.erfinv(torch.tensor(0.5, dtype=torch.float64))
    )
    return math.atanh(threshold) / z_quartile


def _swish_steepest_x(beta=2.0):
    x = torch.linspace(-10, 10, 2_000_001, dtype=torch.float64)
    return float(x[registry.get("swish", beta=beta).derivative(x).argmax()])


_add(
    "1.2-1",
    Function(
        reference=lambda x: registry.get("silu").derivative(x),
        inputs=lambda: torch.linspace(-20, 20, 4001, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "use the product rule on x·σ(x), and the closed form of σ' from the "
            "S-curves section."
        ),
    ),
    "1.2",
)
_add(
    "1.2-2",
    Choice(
        correct="b",
        options={
            "a": (
                "write f'(x) for Swish-β and look at how β and x enter it: do they "
                "appear separately?"
            ),
            "b": "",
            "c": (
                "write f'(x) for Swish-β and look at how β and x enter it: do they "
                "appear separately?"
            ),
        },
    ),
    "1.2",
)
_add(
    "1.2-3",
    Number(
        expected=lambda: _swish_steepest_x(2.0),
        tol=1e-3,
        hint=(
            "you need the place of the steepest slope, not its value; find it for β = "
            "1 first, then think about how Swish-β is Swish-1 with its input rescaled."
        ),
    ),
    "1.2",
)
_add(
    "1.2-4",
    Number(
        expected=_tanh_half_saturated_std,
        tol=1e-2,
        hint=(
            "|tanh(s z)| > 0.97 is a condition on |z| alone; which value of |z| does "
            "half of a standard normal exceed?"
        ),
    ),
    "1.2",
)


# -------------------------------------------------------------------------- chapter 1.3
_add(
    "1.3-1",
    Function(
        reference=lambda C: torch.log1p((C - 1) * math.exp(-2.0)),
        inputs=lambda: torch.arange(2, 101, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "tanh's outputs are stuck in (-1, 1), and F.cross_entropy treats them as "
            "logits. Which output vector makes the loss smallest, and what is -log "
            "softmax of it for the right class?"
        ),
    ),
    "1.3",
)
_add(
    "1.3-2",
    Number(
        expected=lambda: sum(
            p.numel() for p in nets.mlp([40, 100, 100, 10], norm="layer").parameters()
        ),
        tol=0,
        integer=True,
        hint=(
            "count every layer the model prints: each nn.Linear has a weight matrix "
            "and a bias vector, and a LayerNorm has learnable parameters of its own "
            "(look up elementwise_affine)."
        ),
    ),
    "1.3",
)
_add(
    "1.3-3",
    Number(
        expected=lambda: float(
            (
                (lambda y: (y - y.clamp(0, 1)) ** 2)(
                    torch.tensor([-1.0, 0.5, 2.0, 3.0], dtype=torch.float64)
                )
            ).mean()
        ),
        tol=1e-3,
        hint=(
            "each prediction can get as close to its target as the interval (0, 1) "
            "allows; what error is left for each of the four targets?"
        ),
    ),
    "1.3",
)
_add(
    "1.3-4",
    Function(
        reference=lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z)),
        tol=1e-9,
        hint=(
            "start from the first derivative of BCE with respect to z given in the "
            "chapter and differentiate it once more; the label is a constant."
        ),
    ),
    "1.3",
)


# -------------------------------------------------------------------------- chapter 2.1
def _autograd_logsigmoid(x):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(F.logsigmoid(x).sum(), x)[0]


_add(
    "2.1-1",
    Function(
        reference=_autograd_logsigmoid,
        tol=1e-9,
        hint=(
            "apply the chain rule to log(u) with u = σ(x), write σ′ in terms of σ, "
            "and simplify."
        ),
    ),
    "2.1",
)
_add(
    "2.1-2",
    Number(
        expected=lambda: (
            lambda r: (
                0.5 * math.erfc(-r / math.sqrt(2))
                + r * math.exp(-r * r / 2) / math.sqrt(2 * math.pi)
            )
        )(math.sqrt(2)),
        tol=1e-4,
        hint=(
            "factor φ(x) out of f″(x); the slope is largest at the positive root of "
            "what is left. Then evaluate f′ there, with Φ(x) = (1 + erf(x/√2))/2."
        ),
    ),
    "2.1",
)
_add(
    "2.1-3",
    Function(
        reference=lambda a: torch.where(
            a > 0,
            torch.full_like(a, functions.SELU_SCALE),
            a + functions.SELU_SCALE * functions.SELU_ALPHA,
        ),
        inputs=lambda: functions.selu(torch.linspace(-8, 8, 1600, dtype=torch.float64)),
        tol=1e-9,
        hint=(
            "on the negative branch, solve a = f(x) for the exponential it contains; "
            "the sign of a tells you which branch you are on."
        ),
    ),
    "2.1",
)
_add(
    "2.1-4",
    Number(
        expected=0.6,
        tol=1e-9,
        hint=(
            "only one term of the product rule survives at x = 0; evaluate the "
            "softplus at 0, then write tanh(u) with exponentials of u to get a "
            "rational number."
        ),
    ),
    "2.1",
)

# -------------------------------------------------------------------------- chapter 2.2
_add(
    "2.2-1",
    Number(
        expected=lambda: 20 * depth.lyapunov_exponent(1.5, 8),
        tol=0.004,
        hint=(
            "multiply the per-matrix exponent by the number of matrices; for n = 8 "
            "the correction term is not small, so evaluate it exactly "
            "(torch.special.digamma) rather than with its large-n approximation."
        ),
    ),
    "2.2",
)
_add(
    "2.2-2",
    Number(
        expected=math.sqrt(2),
        tol=0.01,
        hint=(
            "one layer multiplies the mean-square backward signal by g² times the "
            "mean of relu′(z)². What fraction of symmetric inputs has slope 1?"
        ),
    ),
    "2.2",
)


def _flat_gain_from_registry(slopes):
    z = torch.linspace(-1, 1, 2000, dtype=torch.float64)  # symmetric, no point at 0
    return torch.stack(
        [
            registry.get("leaky_relu", negative_slope=float(a))
            .derivative(z)
            .pow(2)
            .mean()
            .rsqrt()
            for a in slopes
        ]
    )


_add(
    "2.2-3",
    Function(
        reference=_flat_gain_from_registry,
        inputs=lambda: torch.linspace(0, 1, 21, dtype=torch.float64),
        tol=1e-6,
        hint=(
            "for symmetric z, average the squared slope over both sides of 0, then "
            "choose g so that g² times that average is 1."
        ),
    ),
    "2.2",
)


# -------------------------------------------------------------------------- chapter 2.3
_add(
    "2.3-1",
    Function(
        reference=lambda a: torch.sqrt(2 / (1 + a**2)),
        inputs=lambda: torch.linspace(0, 1, 101, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "split E[f(Z)^2] into Z > 0 and Z < 0; each half of a standard normal has "
            "E[Z^2; half] = 1/2, and the gain is E[f(Z)^2]^(-1/2)."
        ),
    ),
    "2.3",
)
_add(
    "2.3-2",
    Number(
        expected=lambda: 512 * nets.weight_std("standard", 512, 512) ** 2,
        tol=0.02,
        hint=(
            "a linear layer multiplies the variance by n · Var(w); what is the "
            "variance of U[-b, b]?"
        ),
    ),
    "2.3",
)
_add(
    "2.3-3",
    Number(
        expected=lambda: initialisation.gain("hardswish"),
        tol=5e-3,
        hint=(
            "the forward gain is E[f(Z)^2] ** -0.5 for Z ~ N(0, 1): average the "
            "square of the activation, then take the power -1/2."
        ),
    ),
    "2.3",
)
_add(
    "2.3-4",
    Number(
        expected=lambda: 1 / (1.7159 * 2 / 3),
        tol=1e-3,
        hint=(
            "for small q only the slope of f at 0 matters: the map is about g² f'(0)² "
            "q there. When does that grow?"
        ),
    ),
    "2.3",
)


# -------------------------------------------------------------------------- chapter 2.4
_add(
    "2.4-1",
    Function(
        reference=lambda z: torch.logsumexp(z, dim=0),
        inputs=lambda: torch.linspace(-1000, 1000, 1601, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "e^1000 overflows even in float64. Which constant can you take out of "
            "every exponential, and add back after the logarithm?"
        ),
    ),
    "2.4",
)
_add(
    "2.4-2",
    Number(
        expected=lambda: math.log(
            torch.finfo(torch.float16).max / (1 + math.exp(-1) + math.exp(-2))
        ),
        tol=1e-3,
        hint=(
            "the probability goes wrong when the denominator overflows, before any "
            "single exponential does; write the denominator as e^c times a constant."
        ),
    ),
    "2.4",
)
_add(
    "2.4-3",
    Function(
        reference=lambda x: torch.nn.functional.binary_cross_entropy_with_logits(
            x, torch.ones_like(x), reduction="none"
        ),
        inputs=lambda: torch.linspace(-800, 800, 1601, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "for very negative x, e^(-x) overflows; take the largest term out of the "
            "logarithm (the log-sum-exp idea with the two terms 0 and -x)."
        ),
    ),
    "2.4",
)


def _half_temperature():
    from scipy.optimize import brentq

    z = torch.tensor([2.0, 1.0, 0.0], dtype=torch.float64)
    return brentq(
        lambda T: float(torch.softmax(z / T, 0)[0]) - 0.5, 0.05, 50.0, xtol=1e-12
    )


_add(
    "2.4-4",
    Number(
        expected=_half_temperature,
        tol=1e-4,
        hint=(
            "the top probability falls from 1 (T → 0) to 1/3 (T → ∞) and crosses 0.5 "
            "once; bisect on T between those ends."
        ),
    ),
    "2.4",
)


# -------------------------------------------------------------------------- chapter 2.5
def _random_relu_net(widths, seed, bias_std=0.5, n_in=2):
    # the notebook's random_relu_net: He-normal weights, N(0, bias_std^2) biases,
    # float64
    net = nets.mlp([n_in] + list(widths) + [1], "relu", init="he", seed=seed).double()
    g = torch.Generator().manual_seed(10_000 + seed)
    with torch.no_grad():
        for m in net:
            if isinstance(m, torch.nn.Linear):
                m.bias.copy_(
                    bias_std
                    * torch.randn(m.bias.shape, generator=g, dtype=torch.float64)
                )
    return net


def _local_matrix_reference(x):
    net = _random_relu_net([10], seed=5)
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(net(x).sum(), x)
    return grad.unsqueeze(0)


_add(
    "2.5-1",
    Function(
        reference=lambda n: 2 * n,
        inputs=lambda: torch.arange(1, 31, dtype=torch.float64),
        tol=0,
        hint=(
            "without biases every crease is a line through the origin; draw n = 1, 2 "
            "and 3 such lines and count the pieces."
        ),
    ),
    "2.5",
)
_add(
    "2.5-2",
    Function(
        reference=_local_matrix_reference,
        inputs=lambda: torch.tensor([0.3, -0.2], dtype=torch.float64),
        tol=1e-10,
        hint="which hidden units are on at x? A unit that is off contributes nothing; "
        "the ones that are on pass their row of W1 on to W2.",
    ),
    "2.5",
)
_add(
    "2.5-3",
    Number(
        expected=lambda: regions.count_regions(
            _random_relu_net([8, 8, 8], seed=0, bias_std=0.0),
            (-1.0, 1.0, -1.0, 1.0),
            resolution=400,
        ),
        tol=0.1,
        integer=True,
        hint=(
            "count a change between every pair of neighbouring points on the circle, "
            "including the step from the last point back to the first."
        ),
    ),
    "2.5",
)


# -------------------------------------------------------------------------- chapter 3.1


def _gradient_rows():
    # two gradients of 22 entries (a 5x3 weight and a bias of 7): row 0 longer than 2,
    # row 1 shorter
    g = torch.randn(
        2, 22, generator=torch.Generator().manual_seed(1), dtype=torch.float64
    )
    return g * torch.tensor([[4.0], [0.15]], dtype=torch.float64)


_add(
    "3.1-1",
    Function(
        reference=lambda g: g * (2.0 / g.norm(dim=1, keepdim=True)).clamp(max=1.0),
        inputs=_gradient_rows,
        tol=1e-6,
        hint=(
            "one norm for all the tensors together (not one per tensor); and a "
            "gradient that is already short enough must come back unchanged, never "
            "scaled up."
        ),
    ),
    "3.1",
)


def _activations():
    # a batch of 64 examples, 10 units, with different means and spreads per unit
    g = torch.Generator().manual_seed(2)
    z = torch.randn(64, 10, generator=g, dtype=torch.float64)
    return z * torch.linspace(0.5, 4.0, 10, dtype=torch.float64) + torch.linspace(
        -3.0, 3.0, 10, dtype=torch.float64
    )


_add(
    "3.1-2",
    Function(
        reference=lambda z: (
            (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-5)
        ),
        inputs=_activations,
        tol=1e-6,
        hint=(
            "each unit (column) gets its own statistics, taken over the examples "
            "(rows). Check which dimension you reduce, and whether your variance "
            "divides by the batch size B or by B - 1."
        ),
    ),
    "3.1",
)


def _rnn_parameter_count():
    # the chapter's ReLURNN: nn.RNN(1, 64) plus a 64 -> 10 read-out
    return (
        sum(p.numel() for p in nn.RNN(1, 64, nonlinearity="relu").parameters())
        + 64 * 10
        + 10
    )


_add(
    "3.1-3",
    Number(
        expected=lambda: 0.01 * math.sqrt(_rnn_parameter_count()),
        tol=1e-4,
        hint=(
            "every entry was larger than the threshold in magnitude: what is left of "
            "each one after clip_grad_value_? Then go back to the definition of the "
            "(Euclidean) norm of all P entries."
        ),
    ),
    "3.1",
)


# -------------------------------------------------------------------------- chapter 3.2


def _preactivations():
    # 300 inputs x 20 units: units 0-4 negative everywhere, unit 5 exactly 0 everywhere
    # (dead too), unit 6 negative except on one input (alive), the rest ordinary
    g = torch.Generator().manual_seed(3)
    z = torch.randn(300, 20, generator=g, dtype=torch.float64)
    z[:, :5] = -z[:, :5].abs() - 0.1
    z[:, 5] = 0.0
    z[:, 6] = -z[:, 6].abs()
    z[17, 6] = 0.3
    return z


_add(
    "3.2-1",
    Function(
        reference=lambda z: (z <= 0).all(dim=0).to(torch.float64).mean(),
        inputs=_preactivations,
        tol=1e-6,  # float32 answers (.float().mean()) must pass
        hint=(
            "a unit is dead only if it is inactive on every row (input): decide that "
            "per unit first, then average over the units. And is a unit with z = 0 "
            "active?"
        ),
    ),
    "3.2",
)


def _largest_dead_bias():
    # unit 0 of hidden layer 1 of mlp([40, 64, 64, 10], "relu", seed=1), on the MNIST-1D
    # training signals
    w = nets.mlp([40, 64, 64, 10], "relu", seed=1)[0].weight[0].detach()
    return -float((data.mnist1d().x_train @ w).max())


_add(
    "3.2-2",
    Number(
        expected=_largest_dead_bias,
        tol=1e-5,
        hint="write 'w·x + b ≤ 0 for every training signal x' as one inequality on b. "
        "Which of the 4000 signals decides it?",
    ),
    "3.2",
)

_add(
    "3.2-3",
    Number(
        expected=lambda: 0.2 / (1 - 0.2),
        tol=0.02,
        hint=(
            "the output takes only two values: write each one down with its "
            "probability, then use Var X = E[X²] − (E X)²."
        ),
    ),
    "3.2",
)


# ---------------------------------------------------------------------------------- 3.3

_add(
    "3.3-1",
    Function(
        reference=lambda z: torch.clamp(z, max=0.0),
        inputs=lambda: torch.linspace(-8, 8, 1601, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "treat the two halves of the real line separately: on which half does the "
            "output depend on a at all, and how?"
        ),
    ),
    "3.3",
)

_SIX_ACCURACIES = [
    0.712,
    0.695,
    0.731,
    0.704,
    0.722,
    0.689,
]  # typed into the 3.3-2 cell

_add(
    "3.3-2",
    Number(
        expected=lambda: stats.mean_ci(_SIX_ACCURACIES)[1],
        tol=1e-6,
        hint=(
            "the t quantile has n − 1 degrees of freedom, and the standard deviation "
            "is the sample one; the interval is for the mean, so divide by √n."
        ),
    ),
    "3.3",
)


def _swish8_argmax():
    z = torch.linspace(-2, 2, 400_001, dtype=torch.float64)
    gap = (z * torch.sigmoid(8.0 * z) - torch.relu(z)).abs()
    return float(z[gap.argmax()])


_add(
    "3.3-3",
    Number(
        expected=_swish8_argmax,
        tol=2e-3,
        hint=(
            "substitute u = βz: Swish-β at z is SiLU at u divided by β, so the "
            "largest gap sits at u*/β, where u* is where SiLU is furthest from ReLU. "
            "Is that z positive or negative?"
        ),
    ),
    "3.3",
)

# ---------------------------------------------------------------------------------- 3.4

_add(
    "3.4-1",
    Number(
        expected=lambda: (
            bench.saved_bytes(
                lambda t: t * torch.tanh(t), torch.randn(1000, requires_grad=True)
            ).bytes
            / 1000
        ),
        tol=1e-9,
        hint=(
            "list the tensors each operation needs for its own derivative, then count "
            "each distinct tensor once (float32: 4 bytes per element)."
        ),
    ),
    "3.4",
)

_add(
    "3.4-2",
    Function(
        reference=lambda y: 1.0 - y * y,
        inputs=lambda: torch.tanh(torch.linspace(-4, 4, 801, dtype=torch.float64)),
        tol=1e-9,
        hint=(
            "write tanh = sinh / cosh, differentiate with the quotient rule, and look "
            "for tanh itself in the result."
        ),
    ),
    "3.4",
)

_add(
    "3.4-2b",
    Choice(
        correct="b",
        options={
            "a": (
                "ReLU keeps its own output for backward either way; what matters is "
                "the tensor the tanh Function saved."
            ),
            "b": "",
            "c": (
                "autograd does not refuse every in-place op: it refuses when a tensor "
                "that a backward needs was changed."
            ),
            "d": (
                "the values are not recomputed in backward; the tanh Function reads "
                "the y it saved."
            ),
        },
    ),
    "3.4",
)

_add(
    "3.4-3",
    Number(
        expected=lambda: bench.elementwise_bytes(10**7, torch.float16) / 20e9 * 1e3,
        tol=1e-3,
        hint=(
            "count the bytes that must cross the memory bus, in both directions, then "
            "divide by the bandwidth; check your units (GB/s and milliseconds)."
        ),
    ),
    "3.4",
)


# ---------------------------------------------------------------------- chapter 4.1
# <begin 4.1>
def _inplace_cases():
    """Chapter 4.1's in-place patterns, each a function of (linear layer, input)."""
    return {
        "linear_relu": lambda lin, x: torch.relu_(lin(x)),
        "tanh_relu": lambda lin, x: torch.relu_(torch.tanh(lin(x))),
        "relu_mul": lambda lin, x: torch.relu(lin(x)).mul_(2),
        "sin_add": lambda lin, x: torch.sin(lin(x)).add_(1),
        "sigmoid_clamp": lambda lin, x: torch.sigmoid(lin(x)).clamp_(max=0.9),
    }


def _inplace_refused():
    """The patterns whose backward raises, found by running each."""
    torch.manual_seed(0)
    lin, x = nn.Linear(4, 3), torch.randn(5, 4)
    refused = []
    for name, forward in _inplace_cases().items():
        try:
            forward(lin, x).sum().backward()
        except RuntimeError:
            refused.append(name)
    return refused


_add(
    "4.1-1",
    Function(
        reference=torch.sigmoid,
        inputs=lambda: torch.linspace(-800, 800, 16001, dtype=torch.float64),
        tol=1e-12,
        hint=(
            "differentiate ln(1 + e^x) with the chain rule, then rewrite the result so "
            "that no e^x with a large positive x is ever computed (divide top and "
            "bottom by e^x)."
        ),
    ),
    "4.1",
)
_add(
    "4.1-2",
    Names(
        expected=_inplace_refused,
        universe=lambda: list(_inplace_cases()),
        hint=(
            "relu, tanh and sigmoid compute their derivative from their output; sin "
            "and a Linear layer need their input. An in-place op after an op that "
            "saved its output is refused."
        ),
    ),
    "4.1",
)
_add(
    "4.1-3",
    Number(
        expected=lambda: abs(0.3 * -2.0 - 0.01 * -2.0),
        tol=1e-9,
        hint=(
            "look up both defaults in the chapter's table (the Keras layer, not the "
            "function), and multiply each slope by -2."
        ),
    ),
    "4.1",
)
# <end 4.1>


# ---------------------------------------------------------------------- chapter 4.2
# <begin 4.2>

_add(
    "4.2-1",
    Number(
        expected=lambda: stats.seeds_for_difference(1.0, 0.7),
        tol=0,
        integer=True,
        hint=(
            "the effect size is 0.7 / 1.0 = 0.7; the normal approximation gives "
            "a little over 30, and the t-test, with its heavier tails, needs "
            "slightly more"
        ),
    ),
    "4.2",
)

_add(
    "4.2-2",
    Number(
        expected=lambda: sum(stats.holm([0.01, 0.04, 0.03, 0.20])[0]),
        tol=0,
        integer=True,
        hint=(
            "sorted: 0.01, 0.03, 0.04, 0.20; compare 0.01 with 0.05/4 = 0.0125, then "
            "0.03 with 0.05/3 ≈ 0.0167, and stop at the first that fails"
        ),
    ),
    "4.2",
)

_add(
    "4.2-3",
    Choice(
        correct="b",
        options={
            "a": (
                "1/4 is the chance that one given activation comes out on top; "
                "the whole order has to match, position by position."
            ),
            "b": "",
            "c": "count the orderings of four things: 4 × 3 × 2 × 1.",
            "d": (
                "1/2 is the chance for one given pair to be in the right order; "
                "there are six pairs, and they all have to agree."
            ),
        },
    ),
    "4.2",
)
# <end 4.2>


# ---------------------------------------------------------------------- chapter 4.3
# <begin 4.3>


def _mnist1d_cnn_flat(length):
    """Inputs of the MNIST-1D CNN's linear layer for signals of this length."""
    return cnn.mnist1d_cnn(length=length)[-1].in_features


def _article_net_flat(size, channels_in):
    """Numbers per image after the article's Conv2d(c, 64, 5) and a 2 x 2 max pool."""
    conv, pool = nn.Conv2d(channels_in, 64, 5), nn.MaxPool2d(2)
    with torch.no_grad():
        return pool(conv(torch.zeros(1, channels_in, size, size)))[0].numel()


_add(
    "4.3-1",
    Number(
        expected=lambda: _mnist1d_cnn_flat(50),
        tol=0,
        integer=True,
        hint=(
            "the first layer maps 50 to (50 + 2 - 5) // 2 + 1; apply the stride-2 "
            "layers with k = 3, p = 1 twice more and multiply by the 25 channels"
        ),
    ),
    "4.3",
)

_add(
    "4.3-2",
    Number(
        expected=lambda: _article_net_flat(28, 1),
        tol=0,
        integer=True,
        hint=(
            "a 5 x 5 convolution without padding takes 4 pixels off each side length, "
            "the pool halves it; multiply the two sides by the 64 channels"
        ),
    ),
    "4.3",
)

_add(
    "4.3-3",
    Choice(
        correct="c",
        options={
            "a": (
                "ReLU never decreases, so the largest input of a window gives the "
                "largest output: pooling first changes nothing."
            ),
            "b": (
                "tanh is increasing, so max and tanh can be swapped; look for a "
                "function that dips below zero."
            ),
            "c": "",
            "d": (
                "Leaky ReLU is increasing (slope 0.01 or 1), so the largest input "
                "stays the largest output."
            ),
        },
    ),
    "4.3",
)
# <end 4.3>


# ---------------------------------------------------------------------- chapter 4.4
# <begin 4.4>

_add(
    "4.4-1",
    Number(
        expected=lambda: 1.0 - 0.9**40,
        tol=1e-6,
        hint=(
            "write h_t = (1 − z) n + z h_{t−1} with n = 1 for a few steps and look at "
            "1 − h_t: what happens to it at every step?"
        ),
    ),
    "4.4",
)

_add(
    "4.4-2",
    Choice(
        correct="b",
        options={
            "a": (
                "ReLU's zero slope for negative inputs can slow learning, but it "
                "cannot make a forward pass overflow; look at what happens when the "
                "gate is large, not when it is 0."
            ),
            "b": "",
            "c": (
                "the kink at 0 changes one derivative at one point; the capped gate "
                "clamp(x, 0, 1) has the same kink and trains normally."
            ),
            "d": (
                "ReLU is never negative; which bound of the sigmoid does ReLU lack, "
                "the lower one or the upper one?"
            ),
        },
    ),
    "4.4",
)

_add(
    "4.4-3",
    Number(
        expected=lambda: 40.0,
        tol=1e-9,
        hint=(
            "each step adds i · g, with |i · g| ≤ 1, to f · c, with |f · c| ≤ |c|; "
            "start from c_0 = 0 and take the largest value every factor allows."
        ),
    ),
    "4.4",
)
# <end 4.4>


# ---------------------------------------------------------------------- chapter 4.5
# <begin 4.5>
_add(
    "4.5-1",
    Number(
        expected=lambda: transformer.hidden_width("swiglu", 3072),
        tol=1e-9,
        integer=True,
        hint=(
            "count the weights: an ungated FFN has two d_model × d_ff matrices, a "
            "gated one three d_model × width matrices; set the two counts equal."
        ),
    ),
    "4.5",
)

_add(
    "4.5-2",
    Number(
        expected=lambda: 9.0,
        tol=1e-9,
        hint=(
            "each of the two factors (h W) and (h V) is linear in h; what does "
            "multiplying h by 3 do to each of them, and then to their product?"
        ),
    ),
    "4.5",
)

_add(
    "4.5-3",
    Choice(
        correct="c",
        options={
            "a": (
                "a gated FFN beating ReLU is what the chapter found; it is the claim, "
                "not a result that could refute it."
            ),
            "b": (
                "GELU and SiLU being close says nothing about the gate: neither of "
                "them has one."
            ),
            "c": "",
            "d": (
                "if the bilinear GLU trained as well as SwiGLU, the product would be "
                "doing the work, which supports the claim; what would contradict it?"
            ),
        },
    ),
    "4.5",
)

_add(
    "4.5-4",
    Number(
        expected=lambda: math.exp(1.944),
        tol=1e-3,
        hint=(
            "a loss of L nats per token means the model's average probability of the "
            "right token is e^(-L) (geometric mean); perplexity is its inverse."
        ),
    ),
    "4.5",
)
# <end 4.5>


# ---------------------------------------------------------------------- chapter 5.1
# <begin 5.1>

_SHAPE_CHOICES = {
    "x * sigmoid(x)": ("x", "*sigmoid", "x"),
    "max(x, 0)": ("x", "max", "0"),
    "x * tanh(x)": ("x", "*", "tanh(x)"),
    "x * erf(x)": ("x", "*", "erf(x)"),
    "x - sigmoid(x)": ("x", "-", "sigmoid(x)"),
    "tanh(x)": ("tanh(x)", "+", "0"),
    "x * sigmoid(x^3)": ("x", "*sigmoid", "x^3"),
}


def _n_triples():
    s = search
    n_u, n_c = len(s.UNARY), len(s.COMMUTATIVE)
    return n_c * n_u * (n_u + 1) // 2 + (len(s.BINARY) - n_c) * n_u**2


def _swish_shaped():
    s = search
    shaped = [all(s.shape(s.function(c))) for c in _SHAPE_CHOICES.values()]
    return [name for name, yes in zip(_SHAPE_CHOICES, shaped) if yes]


_add(
    "5.1-1",
    Number(
        expected=_n_triples,
        tol=0,
        integer=True,
        hint=(
            "a non-commutative block takes every ordered pair, 14 × 14; a commutative "
            "one takes each unordered pair once, including a block with itself: "
            "14 · 15 / 2"
        ),
    ),
    "5.1",
)

_add(
    "5.1-2",
    Choice(
        correct="c",
        options={
            "a": (
                "each score is unbiased, but the winner is the one whose noise "
                "happened to be largest: choosing by the score biases it."
            ),
            "b": (
                "one σ is the typical noise of one score; the largest of a hundred "
                "draws lies further out. How rare is a draw 1 σ above the mean?"
            ),
            "c": "",
            "d": (
                "10 σ above the mean has a chance of about 1e-23 per draw; a hundred "
                "draws do not get there."
            ),
        },
    ),
    "5.1",
)

_add(
    "5.1-3",
    Names(
        expected=_swish_shaped,
        universe=tuple(_SHAPE_CHOICES),
        hint=(
            "a linear tail needs the slope to reach 1 (x times something that tends "
            "to 1); a bump needs values below 0 at some negative x that come back up "
            "towards 0 further left."
        ),
    ),
    "5.1",
)
# <end 5.1>


# ---------------------------------------------------------------------- chapter 5.2
# <begin 5.2>
def _ch52_spline_parameters():
    layers = nn.Sequential(
        *[learnable.Spline(grid_size=12, num_channels=64) for _ in range(2)]
    )
    return learnable.count_parameters(layers)


def _ch52_rational(z):
    a = torch.tensor([0.0, 1.0, 1.0], dtype=z.dtype)
    b = torch.tensor([1.0], dtype=z.dtype)
    return learnable.rational(z, a, b)


_add(
    "5.2-1",
    Number(
        expected=_ch52_spline_parameters,
        tol=0,
        integer=True,
        hint=(
            "grid_size=12 means 12 intervals: how many knots, hence values, is that "
            "per curve? Then count the curves: one per unit, in each layer."
        ),
    ),
    "5.2",
)
_add(
    "5.2-2",
    Function(
        reference=_ch52_rational,
        tol=1e-12,
        hint=(
            "the denominator is 1 + |z| (b1 = 1, so |b1 z| = |z|); the numerator is "
            "z + z ** 2. Use torch.abs, and keep the whole expression elementwise."
        ),
    ),
    "5.2",
)
_add(
    "5.2-3",
    Choice(
        correct="c",
        options={
            "a": (
                "r is computed from data.x_train and data.y_train. Does training, "
                "however long, change either of them?"
            ),
            "b": (
                "the learning rate changes the weights; which tensors does the "
                "article's r read?"
            ),
            "c": "",
            "d": (
                "the width changes the network, not the inputs and targets that r "
                "is computed from."
            ),
        },
    ),
    "5.2",
)
# <end 5.2>


# ---------------------------------------------------------------------- chapter 5.3
# <begin 5.3>
def _lif_fi_curve(current_na):
    # chapter 5.3's neuron: tau 20 ms, V_th 20 mV, R 100 MOhm (0.1 V/nA), t_ref 2 ms
    return kernels.lif_rate(current_na, r=0.1)


_add(
    "5.3-1",
    Number(
        expected=lambda: 1 / (2 * math.pi),
        tol=1e-4,
        hint=(
            "orthogonal means θ = π/2: what are sin θ and cos θ there, and what is "
            "left of the formula?"
        ),
    ),
    "5.3",
)
_add(
    "5.3-2",
    Choice(
        correct="times 100",
        options={
            "unchanged": (
                "only the kernel's correlation is unchanged; relu(cz) = c relu(z), and "
                "the kernel multiplies two such factors."
            ),
            "times 10": (
                "each of the two factors relu(w·x) and relu(w·y) is multiplied by 10."
            ),
            "times 100": "",
            "saturates": (
                "saturation is what bounded activations (erf, tanh) do; ReLU is "
                "unbounded above."
            ),
        },
    ),
    "5.3",
)
_add(
    "5.3-3",
    Function(
        reference=_lif_fi_curve,
        inputs=lambda: torch.linspace(0.005, 3.005, 301, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "work in seconds and volts: RI = 0.1 V per nA times I; use torch.where to "
            "return 0 at or below the threshold, and torch.log for the logarithm."
        ),
    ),
    "5.3",
)
_add(
    "5.3-4",
    Number(
        expected=lambda: 3.0 - 5.0,
        tol=1e-9,
        hint="differentiate e^η − yη with respect to η, then put in e^η = 3.",
    ),
    "5.3",
)
# <end 5.3>


# ---------------------------------------------------------------------- chapter 5.4
# <begin 5.4>
_add(
    "5.4-1",
    Number(
        expected=lambda: 0.6 * 100 * 100,
        tol=1e-9,
        hint=(
            "each zero input of a Linear(100, 100) removes one column of the weight "
            "matrix from the product: how many multiply-adds is that per zero?"
        ),
    ),
    "5.4",
)
_add(
    "5.4-2",
    Function(
        reference=F.hardswish,
        tol=1e-12,
        hint="ReLU6(z) is min(max(z, 0), 6); torch.clamp does both at once.",
    ),
    "5.4",
)
_add(
    "5.4-3",
    Number(
        expected=lambda: 2 * (2 * 20 + 20) + 20 + 1,
        tol=0,
        integer=True,
        hint=(
            "two Linear(2, h) layers, each with weights and biases, then a "
            "Linear(h, 1) "
            "read-out with its bias."
        ),
    ),
    "5.4",
)
# <end 5.4>


# ------------------------------------------------------- chapter A-misconceptions
# <begin A-misconceptions>
_add(
    "A.1-1",
    Number(
        expected=lambda: _article_net_flat(64, 3),
        tol=0,
        integer=True,
        hint=(
            "a 5 x 5 convolution without padding loses 4 pixels of side length, a "
            "2 x 2 max-pool halves what is left; multiply by the number of channels."
        ),
    ),
    "A-misconceptions",
)

_add(
    "A.1-2",
    Function(
        reference=lambda x: torch.clamp(x, min=0) + 0.25 * torch.clamp(x, max=0),
        tol=1e-9,
        hint=(
            "for x > 0 PReLU is the identity; for x < 0 it is a times x, a straight "
            "line through 0 (no square anywhere)."
        ),
    ),
    "A-misconceptions",
)

_add(
    "A.1-3",
    Number(
        expected=lambda: float(
            _scipy_stats.norm.cdf(1.0) * (1 - _scipy_stats.norm.cdf(1.0))
        ),
        tol=1e-4,
        hint=(
            "m is 0 or 1, so x m is 0 or x; a Bernoulli(p) variable has variance "
            "p (1 - p), and multiplying by x = 1 changes nothing."
        ),
    ),
    "A-misconceptions",
)
# <end A-misconceptions>


# ---------------------------------------------------------------------- chapter A-faq
# <begin A-faq>
_add(
    "A.2-1",
    Number(
        expected=lambda: float(F.logsigmoid(torch.tensor(-200.0, dtype=torch.float64))),
        tol=1e-6,
        hint=(
            "the true value is finite: for very negative x, sigma(x) is about e^x, so "
            "its logarithm is about x."
        ),
    ),
    "A-faq",
)

_add(
    "A.2-2",
    Function(
        reference=lambda z: torch.log_softmax(z, dim=-1),
        inputs=lambda: torch.linspace(-1000, 1000, 201, dtype=torch.float64),
        tol=1e-9,
        hint=(
            "log softmax(z)_i = z_i - log sum_j exp(z_j); subtract max(z) inside the "
            "exponentials and add it back outside (or use torch.logsumexp)."
        ),
    ),
    "A-faq",
)

_add(
    "A.2-3",
    Number(
        expected=lambda: float(
            F.cross_entropy(
                torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64), torch.tensor([0])
            )
        ),
        tol=1e-6,
        hint=(
            "the best the softmax can output is the probabilities (1, 0, 0); the loss "
            "then treats these as logits and applies a second softmax to them."
        ),
    ),
    "A-faq",
)
# <end A-faq>


# ------------------------------------------------------------ chapter assignments
# <begin assignments>
# <end assignments>


# ---------------------------------------------------------------------- chapter results
# <begin results>
# <end results>
