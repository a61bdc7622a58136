"""Tests of the book's worked examples: every gradient against autograd (formulas written
again here) and central differences, every closed form against an independent solver."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import optimizers
from atlas.examples import gradient_cost, hidden_layer, least_squares, log_softmax, two_class
from atlas.examples import one_parameter as one

pytestmark = pytest.mark.filterwarnings("error")
SETTINGS = settings(max_examples=50, deadline=None)
moderate = st.floats(-10.0, 10.0, allow_nan=False)


def central(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of an array, written independently."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


# -- one parameter ----------------------------------------------------------------------------


@SETTINGS
@given(moderate, moderate, moderate)
def test_one_parameter_gradient(x: float, y: float, b: float) -> None:
    problem = one.OneParameterProblem(x, y)
    reference = autograd.grad(lambda b_: (x + b_ - y) ** 2)(b)
    assert problem.grad(b) == pytest.approx(reference, rel=1e-12, abs=1e-12)
    numeric = central(lambda v: float(problem.loss(v[0])), np.array([b]))[0]
    assert problem.grad(b) == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    assert abs(problem.grad(problem.solution)) <= 1e-15 * (abs(x) + abs(y))  # rounding only


@SETTINGS
@given(st.floats(0.01, 1.2), moderate, st.integers(0, 12))
def test_descent_follows_the_contraction(lr: float, b0: float, steps: int) -> None:
    problem = one.OneParameterProblem()
    run = one.descend(problem, optimizers.get("sgd", lr=lr), b0, steps)
    expected = problem.solution + (1 - 2 * lr) ** np.arange(steps + 1) * (b0 - problem.solution)
    np.testing.assert_allclose(run.b, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(run.loss, (2 + run.b - 6) ** 2, rtol=1e-12)
    assert run.lr == lr and run.steps[-1] == steps


@pytest.mark.parametrize(("lr", "name"), [(0.01, "too small"), (0.25, "monotone"),
                                          (0.5, "one step"), (0.9, "oscillating"),
                                          (1.0, "stuck oscillating"), (1.1, "diverging")])
def test_regimes_match_the_runs(lr: float, name: str) -> None:
    problem = one.OneParameterProblem()
    assert one.regime(problem, lr) == name
    distance = np.abs(one.descend(problem, optimizers.get("sgd", lr=lr), 0.0, 20).b - 4.0)
    if name == "diverging":
        assert distance[-1] > distance[0]
    elif name == "stuck oscillating":
        assert distance[-1] == pytest.approx(distance[0])
    else:
        assert distance[-1] < distance[0]
    assert problem.critical_lr == 1.0


def test_one_parameter_validation() -> None:
    with pytest.raises(ValueError, match="x must be a finite number"):
        one.OneParameterProblem(float("nan"), 1.0)
    with pytest.raises(ValueError, match="lr must be a positive"):
        one.regime(one.OneParameterProblem(), -0.1)
    with pytest.raises(ValueError, match="steps"):
        one.descend(one.OneParameterProblem(), optimizers.get("sgd"), 0.0, -1)


# -- least squares ----------------------------------------------------------------------------


def test_line_data_is_seeded_and_noisy() -> None:
    first = least_squares.make_line_data(np.random.default_rng(0))
    again = least_squares.make_line_data(np.random.default_rng(0))
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.y, again.y)
    assert first.x.shape == (10,) and (first.a_true, first.b_true) == (2.0, 3.0)
    assert not np.allclose(first.y, 2 * first.x + 3)


@SETTINGS
@given(st.integers(0, 10_000))
def test_closed_form_matches_lstsq(seed: int) -> None:
    data = least_squares.make_line_data(np.random.default_rng(seed))
    design = np.stack([data.x, np.ones_like(data.x)], axis=1)
    expected, *_ = np.linalg.lstsq(design, data.y, rcond=None)
    np.testing.assert_allclose(least_squares.closed_form(data.x, data.y), expected, rtol=1e-10)


@SETTINGS
@given(st.integers(0, 10_000), moderate, moderate)
def test_line_gradient(seed: int, a: float, b: float) -> None:
    data = least_squares.make_line_data(np.random.default_rng(seed))
    theta = np.array([a, b])
    reference = autograd.grad(lambda th: anp.mean((th[0] * data.x + th[1] - data.y) ** 2))(theta)
    np.testing.assert_allclose(least_squares.grad(theta, data.x, data.y), reference, rtol=1e-10,
                               atol=1e-12)
    numeric = central(lambda th: least_squares.loss(th, data.x, data.y), theta)
    np.testing.assert_allclose(least_squares.grad(theta, data.x, data.y), numeric, rtol=1e-6,
                               atol=1e-6)


def test_gradient_descent_reaches_the_least_squares_line() -> None:
    data = least_squares.make_line_data(np.random.default_rng(0))
    run = least_squares.fit(data, optimizers.get("sgd", lr=0.02), steps=5000)
    a, b = least_squares.closed_form(data.x, data.y)
    assert run.a == pytest.approx(a, rel=1e-9) and run.b == pytest.approx(b, rel=1e-9)
    assert abs(run.a - 2.0) > 1e-3  # the noise moves the best line away from the true one
    assert np.all(np.diff(run.loss) <= 1e-12)  # never goes up (but for rounding)


def test_least_squares_validation() -> None:
    with pytest.raises(ValueError, match="n must be"):
        least_squares.make_line_data(np.random.default_rng(0), n=1)
    with pytest.raises(ValueError, match="all x are equal"):
        least_squares.closed_form(np.ones(3), np.arange(3.0))


# -- one hidden layer -------------------------------------------------------------------------


def _reference_loss(flat: np.ndarray, x: np.ndarray, t: float, H: int) -> float:
    """The network written again: W, b, q, c packed in one vector; σ via tanh."""
    D = x.size
    W = anp.reshape(flat[: H * D], (H, D))
    b, q, c = flat[H * D : H * D + H], flat[H * D + H : H * D + 2 * H], flat[-1]
    h = 0.5 * (anp.tanh(0.5 * (anp.dot(W, x) + b)) + 1.0)
    return 0.5 * (anp.dot(q, h) + c - t) ** 2


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 5))
def test_hidden_layer_backprop(seed: int, D: int, H: int) -> None:
    rng = np.random.default_rng(seed)
    params = hidden_layer.init_params(rng, D, H)
    x, t = rng.standard_normal(D), float(rng.standard_normal())
    saved = hidden_layer.forward(params, x, t)
    grads = hidden_layer.backward(params, saved)
    flat = np.concatenate([params.W.ravel(), params.b, params.q, [params.c]])
    ours = np.concatenate([grads.W.ravel(), grads.b, grads.q, [grads.c]])
    assert saved.loss == pytest.approx(_reference_loss(flat, x, t, H), rel=1e-12)
    reference = autograd.grad(_reference_loss)(flat, x, t, H)
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)
    numeric = central(lambda v: _reference_loss(v, x, t, H), flat)
    np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)
    assert grads.output_error == pytest.approx(saved.y_hat - t)


def test_notes_formula_is_wrong() -> None:
    rng = np.random.default_rng(3)
    params = hidden_layer.init_params(rng, 2, 3)
    saved = hidden_layer.forward(params, rng.standard_normal(2), 0.5)
    right = hidden_layer.backward(params, saved).W
    printed = hidden_layer.notes_weight_gradient(params, saved)
    np.testing.assert_allclose(printed * (1 - saved.h)[:, None], right, rtol=1e-12)
    assert not np.allclose(printed, right)


def test_hidden_layer_validation() -> None:
    with pytest.raises(ValueError, match="n_hidden"):
        hidden_layer.init_params(np.random.default_rng(0), 2, 0)
    params = hidden_layer.init_params(np.random.default_rng(0), 2, 3)
    with pytest.raises(ValueError, match="x must have shape"):
        hidden_layer.forward(params, np.zeros(3), 0.0)


# -- two classes ------------------------------------------------------------------------------


def test_two_class_data() -> None:
    data = two_class.make_two_class(np.random.default_rng(0))
    assert data.x_train.shape == (900, 2) and data.x_test.shape == (100, 2)
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        assert np.all((x >= 0) & (x <= 3))
        np.testing.assert_array_equal(y == 1, x.sum(axis=1) > 3)
    assert 0.4 < data.y_train.mean() < 0.6
    with pytest.raises(ValueError, match="test_fraction"):
        two_class.make_two_class(np.random.default_rng(0), test_fraction=1.5)


@SETTINGS
@given(st.integers(0, 10_000))
def test_logistic_gradient(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = two_class.LogisticRegression(rng)
    x, t = rng.uniform(0, 3, (20, 2)), rng.integers(0, 2, 20)

    def reference(theta):  # softplus(z) - t z, the BCE of σ(z) in another form
        z = anp.dot(x, theta[:2]) + theta[2]
        return anp.mean(anp.logaddexp(0.0, z) - t * z)

    theta = np.concatenate([model.linear.W[:, 0], model.linear.b])
    loss, grads = model.loss_and_grads(x, t)
    assert loss == pytest.approx(reference(theta), rel=1e-10)
    ours = np.concatenate([grads["W"][:, 0], grads["b"]])
    np.testing.assert_allclose(ours, autograd.grad(reference)(theta), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours, central(reference, theta), rtol=1e-6, atol=1e-8)


def test_logistic_regression_learns_the_boundary() -> None:
    data = two_class.make_two_class(np.random.default_rng(0))
    model, history = two_class.train(data, optimizers.get("adam", lr=0.1),
                                     rng=np.random.default_rng(1), steps=300)
    assert history[-1] < 0.3 * history[0]
    result = two_class.scores(model, data.x_test, data.y_test)
    assert result.accuracy > 0.95
    (_tn, fp), (fn, tp) = result.confusion
    assert result.precision == pytest.approx(tp / (tp + fp))
    assert result.recall == pytest.approx(tp / (tp + fn))
    assert result.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))
    W, b = model.linear.W[:, 0], model.linear.b[0]
    assert W[0] / W[1] == pytest.approx(1.0, abs=0.1)  # boundary parallel to x1 + x2 = 3
    assert -b / W[1] == pytest.approx(3.0, abs=0.2)


# -- log-softmax against softmax --------------------------------------------------------------


@SETTINGS
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=5), st.data())
def test_both_routes_agree_for_moderate_logits(z: list[float], data: st.DataObject) -> None:
    target = data.draw(st.integers(0, len(z) - 1))
    result = log_softmax.compare(z, target)
    lse = math.log(math.fsum(math.exp(v - max(z)) for v in z)) + max(z)
    assert result.loss_reference == pytest.approx(lse - z[target], rel=1e-12, abs=1e-15)
    for loss in (result.loss_softmax_first, result.loss_log_first):
        assert loss == pytest.approx(result.loss_reference, rel=1e-6, abs=1e-12)
    for grad in (result.grad_softmax_first, result.grad_log_first):
        np.testing.assert_allclose(grad, result.grad_reference, rtol=1e-6, atol=1e-12)


@SETTINGS
@given(st.floats(0, 1e4))
def test_log_first_is_exact_for_a_wrong_confident_prediction(margin: float) -> None:
    (result,) = log_softmax.margin_sweep([margin], correct=False)
    assert result.loss_log_first == pytest.approx(result.loss_reference, rel=1e-14)
    assert result.grad_error_log_first < 1e-14


def test_softmax_first_breaks_down() -> None:
    far = log_softmax.compare([800.0, 0.0], 1)
    assert far.probabilities[1] == 0.0 and far.loss_softmax_first == 100.0  # clamped log 0
    assert far.loss_log_first == 800.0 == far.loss_reference
    assert far.grad_error_softmax_first == pytest.approx(1.0)  # the gradient is lost
    middle = log_softmax.compare([40.0, 0.0], 1)  # p = e^-40 < 1e-12: the gradient floor
    assert middle.loss_softmax_first == pytest.approx(40.0, rel=1e-12)
    assert middle.grad_error_softmax_first > 0.99


def test_reference_needs_a_valid_target() -> None:
    with pytest.raises(ValueError, match="target"):
        log_softmax.reference([0.0, 1.0], 2)


# -- gradient cost ----------------------------------------------------------------------------


def test_gradient_cost() -> None:
    cost = gradient_cost.measure("3-4-2", np.random.default_rng(0), batch=5)
    assert cost.n_params == (3 + 1) * 4 + (4 + 1) * 2
    assert cost.forward_passes == 2 * cost.n_params
    assert cost.max_relative_error < 1e-6
    assert cost.numerical_seconds > 0 and cost.backprop_seconds > 0 and cost.speedup > 0
    with pytest.raises(ValueError, match="batch"):
        gradient_cost.measure("3-2", np.random.default_rng(0), batch=0)
