"""numerics: the local slope by autograd and Gaussian quadrature split at kinks."""

import math

import pytest
import torch

from actlib import numerics


def test_local_slope_is_the_elementwise_derivative_and_keeps_no_graph():
    x = torch.linspace(-3, 3, 61, dtype=torch.float64, requires_grad=True)
    g = numerics.local_slope(torch.tanh, x)
    torch.testing.assert_close(g, 1 - torch.tanh(x.detach()) ** 2)
    assert not g.requires_grad and x.grad is None
    relu = numerics.local_slope(torch.nn.ReLU(), torch.tensor([-1.0, 0.0, 2.0]))
    assert relu.tolist() == [0.0, 0.0, 1.0]
    with torch.no_grad():  # works even where grad mode is off
        assert numerics.local_slope(
            torch.sigmoid, torch.zeros(1)
        ).item() == pytest.approx(0.25)


@pytest.mark.parametrize(
    "g, mean, var, kinks, expected",
    [
        (lambda z: torch.ones_like(z), 0.0, 1.0, (), 1.0),
        (lambda z: z, 0.7, 2.0, (), 0.7),
        (lambda z: z * z, 0.5, 3.0, (), 3.25),
        (torch.relu, 0.0, 1.0, (0.0,), 1 / math.sqrt(2 * math.pi)),
        (lambda z: torch.relu(z) ** 2, 0.0, 4.0, (0.0,), 2.0),
        (
            lambda z: (z > 1).double(),
            0.0,
            1.0,
            (1.0,),
            0.5 * math.erfc(1 / math.sqrt(2)),
        ),  # a jump at a kink
        (lambda z: torch.exp(z), 0.0, 0.25, (), math.exp(0.125)),
        (lambda z: z**3, 2.0, 0.0, (), 8.0),  # var = 0: g(mean)
    ],
)
def test_gaussian_expectation_against_closed_forms(g, mean, var, kinks, expected):
    got = numerics.gaussian_expectation(g, mean, var, kinks)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_splitting_at_the_kink_is_what_makes_it_exact():
    # without the break point at 1 the step's jump costs accuracy; with it the rule is
    # exact to 1e-9
    step = lambda z: (z > 1.0003).double()  # noqa: E731
    exact = 0.5 * math.erfc(1.0003 / math.sqrt(2))
    split = numerics.gaussian_expectation(step, kinks=(1.0003,))
    plain = numerics.gaussian_expectation(step)
    assert abs(split - exact) < 1e-10 < abs(plain - exact)
