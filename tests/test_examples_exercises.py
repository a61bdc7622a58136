"""Tests of atlas.examples.exercises and exercises_xor: every exercise's loss and gradients
three ways, and the XOR net."""

from __future__ import annotations

import re

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import activations, graph, losses, optimizers
from atlas.examples import exercises, exercises_xor
from atlas.registry import UnknownNameError

NAMES = exercises.names()
finite = st.floats(-4.0, 4.0, allow_nan=False)


def close(a: float, b: float, rtol: float, scale: float = 1.0) -> bool:
    """|a − b| within rtol of the larger of |a|, |b| and a scale (for entries near zero)."""
    return abs(a - b) <= rtol * max(abs(a), abs(b), scale)


def autograd_gradient(exercise: exercises.Exercise, point: dict[str, float]) -> dict[str, float]:
    """Every partial derivative of the exercise's independent formula, by autograd."""
    keys = list(point)

    def f(values):
        return exercise.formula(anp, **dict(zip(keys, values, strict=True)))

    grad = autograd.grad(f)(anp.array([point[k] for k in keys]))
    return dict(zip(keys, map(float, grad), strict=True))


@pytest.fixture(autouse=True)
def _numpy_raises():
    with np.errstate(all="raise", under="ignore"):  # underflow to 0 is benign
        yield


# ------------------------------------------------------------------------- the registry


def test_registry_names_descriptions():
    assert NAMES == ["xor_bce", "xor_squared", "neg_log_sigmoid", "linear_squared"]
    for name, entry in exercises.registry.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name) and entry.name == name
        assert entry.description and "\n" not in entry.description and entry.latex
        assert set(entry.params) <= set(entry.point())
    with pytest.raises(UnknownNameError, match="xor_bce"):
        exercises.get("xor_bc")


@pytest.mark.parametrize("name", NAMES)
def test_default_point_three_ways(name):
    """Graph loss = formula; backprop = autograd (1e-12) = central differences (1e-6)."""
    exercise = exercises.get(name)
    solution = exercises.solve(name)
    assert solution.loss == pytest.approx(exercise.formula(np, **solution.point), rel=1e-13)
    reference = autograd_gradient(exercise, solution.point)
    assert solution.grads.keys() == reference.keys() == solution.numerical.keys()
    for k, g in solution.grads.items():
        assert close(g, reference[k], 1e-12, 1e-12), (k, g, reference[k])
        assert close(solution.numerical[k], reference[k], 1e-6, 1e-6), k
    assert solution.max_relative_error() < 1e-6


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_random_points_three_ways(name, data):
    exercise = exercises.get(name)
    point = {k: data.draw(finite, label=k) for k in exercise.point()}
    if name == "xor_bce" or name == "xor_squared":  # inputs of the XOR net live in [0, 1]
        point.update(x1=data.draw(st.floats(0, 1)), x2=data.draw(st.floats(0, 1)))
    solution = exercises.solve(name, **point)
    assert solution.loss == pytest.approx(exercise.formula(np, **point), rel=1e-12, abs=1e-300)
    reference = autograd_gradient(exercise, point)
    scale = max(map(abs, reference.values()))
    for k, g in solution.grads.items():
        assert close(g, reference[k], 1e-10, 1e-12 * scale), (k, g, reference[k])
        assert close(solution.numerical[k], reference[k], 1e-6, max(scale, 1e-3)), k


@pytest.mark.parametrize("name", ["xor_bce", "neg_log_sigmoid"])
@settings(max_examples=50, deadline=None)
@given(big=st.floats(-700, 700, allow_nan=False))
def test_extreme_logits_stay_finite(name, big):
    """Logits of hundreds: the logit form of the loss stays finite, gradients stay exact."""
    inputs = {"z": big} if name == "neg_log_sigmoid" else {"c": big}
    exercise = exercises.get(name)
    root, nodes = exercise.build(**{**exercise.point(), **inputs})
    graph.backward(root)
    point = {k: n.data for k, n in nodes.items()}
    assert np.isfinite(root.data) and all(np.isfinite(n.grad) for n in nodes.values())
    assert root.data == pytest.approx(exercise.formula(np, **point), rel=1e-12, abs=1e-300)
    reference = autograd_gradient(exercise, point)
    for k, n in nodes.items():
        assert close(n.grad, reference[k], 1e-10, 1e-300), k


def test_neg_log_sigmoid_gradient_is_minus_sigma_of_minus_z():
    z = np.linspace(-30, 30, 61)
    grads = [exercises.solve("neg_log_sigmoid", z=v).grads["z"] for v in z]
    expected = -activations.get("sigmoid").forward(-z)
    np.testing.assert_allclose(grads, expected, rtol=1e-14, atol=0)
    bce = losses.get("bce_with_logits", reduction="none")  # the same loss at t = 1
    # σ(z) − 1 cancels for large z: its error is a few ulps of 1, absolute
    np.testing.assert_allclose(grads, bce.backward(z, np.ones_like(z), np.ones_like(z)),
                               rtol=1e-14, atol=4e-16)


def test_solve_rejects_unknown_input():
    with pytest.raises(ValueError, match="no input w13"):
        exercises.solve("xor_bce", w13=1.0)


# ------------------------------------------------------------------------- the XOR network


def test_threshold_network_is_xor():
    table = [exercises_xor.xor_forward(x, "threshold") for x in exercises_xor.XOR_INPUTS]
    assert [f.y_hat for f in table] == [0.0, 1.0, 1.0, 0.0]
    assert [tuple(f.h) for f in table] == [(0.0, 1.0), (1.0, 1.0), (1.0, 1.0), (1.0, 0.0)]


def test_sigmoid_network_orders_like_xor_and_sharpens_with_scale():
    y = [exercises_xor.xor_forward(x).y_hat for x in exercises_xor.XOR_INPUTS]
    assert y[0] == pytest.approx(y[3], rel=1e-15) and y[1] == pytest.approx(y[2], rel=1e-15)
    assert max(y[0], y[3]) < min(y[1], y[2]) < 0.5  # right order, but every output below ½
    sharp = [exercises_xor.xor_forward(x, scale=50.0).y_hat for x in exercises_xor.XOR_INPUTS]
    np.testing.assert_allclose(sharp, [0, 1, 1, 0], atol=1e-10)


@pytest.mark.parametrize("x", exercises_xor.XOR_INPUTS)
def test_xor_forward_matches_graph(x):
    root, _ = exercises_xor.xor_network(*x, loss="squared", t=0.0)
    forward = exercises_xor.xor_forward(x)
    assert 0.5 * forward.y_hat**2 == pytest.approx(root.data, rel=1e-15)
    sigma = 1 / (1 + np.exp(-(np.array(exercises_xor.XOR_W) @ np.array(x) + exercises_xor.XOR_B)))
    np.testing.assert_allclose(forward.h, sigma, rtol=1e-15)


def test_xor_bce_gradient_of_c_is_y_hat_minus_t():
    solution = exercises.solve("xor_bce")  # ((1, 1), t = 0): ∂L/∂c = ŷ − t
    assert solution.grads["c"] == pytest.approx(exercises_xor.xor_forward((1, 1)).y_hat, rel=1e-15)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"unit": "step"}, "unit must be one of"), ({"scale": 0.0}, "scale must be"),
    ({"x": (1, 2, 3)}, "x must be a pair")])
def test_xor_forward_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        exercises_xor.xor_forward(**{"x": (0, 1), **kwargs})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"loss": "mse"}, "loss must be"), ({"t": 1.5}, "target t must lie")])
def test_xor_network_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        exercises_xor.xor_network(**kwargs)


# ------------------------------------------------------------------------- descent steps


def test_descend_moves_only_params_and_lowers_loss():
    step = exercises.descend("linear_squared", lr=0.05)
    assert step.point["x"] == step.before.point["x"]
    for k in ("a", "b"):
        assert step.point[k] == step.before.point[k] - 0.05 * step.before.grads[k]
    assert step.loss < step.before.loss


def test_descend_with_lr_one_over_x_squared_plus_one_hits_the_target():
    """The step moves y by lr·(x² + 1)·(t − y): lr = 1/(x² + 1) lands on t (x = 3)."""
    step = exercises.descend("linear_squared", lr=1 / (3.0**2 + 1))
    assert step.loss == pytest.approx(0.0, abs=1e-28)


@pytest.mark.parametrize("lr", [0.0, -1.0, float("nan")])
def test_descend_rejects_bad_lr(lr):
    with pytest.raises(ValueError, match="learning rate"):
        exercises.descend("linear_squared", lr=lr)


# ------------------------------------------------------------------------- Adam's first step


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=5),
       st.floats(1e-4, 1.0))
def test_adam_first_step_matches_atlas_adam(g, lr):
    g = np.array(g)
    theta = np.linspace(-1, 1, g.size)
    by_hand = exercises.adam_first_step(theta, g, lr=lr)
    adam = optimizers.get("adam", lr=lr)
    theta1, state = adam.update(g, adam.init(theta), theta)
    np.testing.assert_allclose(by_hand.theta, theta1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(by_hand.m, state.m, rtol=1e-15)
    np.testing.assert_allclose(by_hand.v, state.v, rtol=1e-15)
    assert np.all(np.abs(by_hand.step) <= lr)  # |g| / (|g| + ε) ≤ 1


def test_adam_first_step_matches_torch():
    torch = pytest.importorskip("torch")
    theta, g = np.array([1.0, -2.0, 0.5]), np.array([0.1, -30.0, 1e-6])
    p = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01)
    p.grad = torch.tensor(g, dtype=torch.float64)
    opt.step()
    by_hand = exercises.adam_first_step(theta, g, lr=0.01)
    np.testing.assert_allclose(by_hand.theta, p.detach().numpy(), rtol=1e-14)


def test_adam_first_step_rejects_bad_hyperparameters():
    with pytest.raises(ValueError, match="betas"):
        exercises.adam_first_step(np.zeros(2), np.ones(2), betas=(1.0, 0.999))


# ------------------------------------------------------------------------- Jacobians


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-20, 20, allow_nan=False), min_size=1, max_size=6))
def test_softmax_jacobian_three_ways(x):
    x = np.array(x)
    softmax = activations.get("softmax")
    analytic = softmax.jacobian(x)
    by_autograd = autograd.jacobian(lambda u: anp.exp(u - anp.max(u))
                                    / anp.sum(anp.exp(u - anp.max(u))))(x)
    np.testing.assert_allclose(analytic, by_autograd, rtol=1e-10, atol=1e-15)
    numeric = exercises.numerical_jacobian(softmax.forward, x)
    np.testing.assert_allclose(numeric, analytic, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(analytic.sum(axis=0), 0, atol=1e-15)  # Σ_i y_i = 1 always


def test_numerical_jacobian_leaves_x_alone_and_checks_input():
    x = np.array([1.0, 2.0])
    exercises.numerical_jacobian(lambda u: u**2, x)
    assert x.tolist() == [1.0, 2.0]
    np.testing.assert_allclose(exercises.numerical_jacobian(lambda u: u**2, x),
                               np.diag(2 * x), rtol=1e-9)
    with pytest.raises(ValueError, match="step h"):
        exercises.numerical_jacobian(np.sin, x, h=0.0)
    with pytest.raises(ValueError, match="vector"):
        exercises.numerical_jacobian(np.sin, np.ones((2, 2)))
