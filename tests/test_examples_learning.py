"""Tests of atlas.examples.learning: the one-parameter problem's gradient against autograd
and central differences, and gradient descent against its closed-form contraction."""

from __future__ import annotations

import autograd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numeric import central

from atlas import optimizers
from atlas.examples import learning

SETTINGS = settings(max_examples=50, deadline=None)
moderate = st.floats(-10.0, 10.0, allow_nan=False)


# -- one parameter ----------------------------------------------------------------------------


@SETTINGS
@given(moderate, moderate, moderate)
def test_one_parameter_gradient(x: float, y: float, b: float) -> None:
    problem = learning.OneParameterProblem(x, y)
    reference = autograd.grad(lambda b_: (x + b_ - y) ** 2)(b)
    assert problem.grad(b) == pytest.approx(reference, rel=1e-12, abs=1e-12)
    numeric = central(lambda v: float(problem.loss(v[0])), np.array([b]))[0]
    assert problem.grad(b) == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    assert abs(problem.grad(problem.solution)) <= 1e-15 * (abs(x) + abs(y))  # rounding only


@SETTINGS
@given(st.floats(0.01, 1.2), moderate, st.integers(0, 12))
def test_descent_follows_the_contraction(lr: float, b0: float, steps: int) -> None:
    problem = learning.OneParameterProblem()
    run = learning.descend(problem, optimizers.get("sgd", lr=lr), b0, steps)
    expected = problem.solution + (1 - 2 * lr) ** np.arange(steps + 1) * (b0 - problem.solution)
    np.testing.assert_allclose(run.b, expected, rtol=1e-9, atol=1e-9)
    if steps:  # each step multiplies the distance by the contraction factor the page quotes
        assert run.b[1] - problem.solution == pytest.approx(
            learning.contraction(problem, lr) * (b0 - problem.solution), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(run.loss, (2 + run.b - 6) ** 2, rtol=1e-12)
    assert run.lr == lr and run.steps[-1] == steps


@pytest.mark.parametrize(("lr", "name"), [(0.01, "too small"), (0.25, "monotone"),
                                          (0.5, "one step"), (0.9, "oscillating"),
                                          (1.0, "stuck oscillating"), (1.1, "diverging")])
def test_regimes_match_the_runs(lr: float, name: str) -> None:
    problem = learning.OneParameterProblem()
    assert learning.regime(problem, lr) == name
    distance = np.abs(learning.descend(problem, optimizers.get("sgd", lr=lr), 0.0, 20).b - 4.0)
    if name == "diverging":
        assert distance[-1] > distance[0]
    elif name == "stuck oscillating":
        assert distance[-1] == pytest.approx(distance[0])
    else:
        assert distance[-1] < distance[0]
    assert problem.critical_lr == 1.0


def test_one_parameter_validation() -> None:
    with pytest.raises(ValueError, match="x must be a finite number"):
        learning.OneParameterProblem(float("nan"), 1.0)
    with pytest.raises(ValueError, match="lr must be a positive"):
        learning.regime(learning.OneParameterProblem(), -0.1)
    with pytest.raises(ValueError, match="steps"):
        learning.descend(learning.OneParameterProblem(), optimizers.get("sgd"), 0.0, -1)
