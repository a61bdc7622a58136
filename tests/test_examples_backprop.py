"""Tests of atlas.examples.backprop: every gradient against autograd (formulas written again
here) and central differences, the closed form against an independent solver."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numeric import central

from atlas import optimizers
from atlas.examples import backprop

SETTINGS = settings(max_examples=50, deadline=None)
moderate = st.floats(-10.0, 10.0, allow_nan=False)


# -- least squares ----------------------------------------------------------------------------


def test_line_data_is_seeded_and_noisy() -> None:
    first = backprop.make_line_data(np.random.default_rng(0))
    again = backprop.make_line_data(np.random.default_rng(0))
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.y, again.y)
    assert first.x.shape == (10,) and (first.a_true, first.b_true) == (2.0, 3.0)
    assert not np.allclose(first.y, 2 * first.x + 3)


@SETTINGS
@given(st.integers(0, 10_000))
def test_closed_form_matches_lstsq(seed: int) -> None:
    data = backprop.make_line_data(np.random.default_rng(seed))
    design = np.stack([data.x, np.ones_like(data.x)], axis=1)
    expected, *_ = np.linalg.lstsq(design, data.y, rcond=None)
    np.testing.assert_allclose(backprop.closed_form(data.x, data.y), expected, rtol=1e-10)


@SETTINGS
@given(st.integers(0, 10_000), moderate, moderate)
def test_line_gradient(seed: int, a: float, b: float) -> None:
    data = backprop.make_line_data(np.random.default_rng(seed))
    theta = np.array([a, b])
    reference = autograd.grad(lambda th: anp.mean((th[0] * data.x + th[1] - data.y) ** 2))(theta)
    np.testing.assert_allclose(backprop.grad(theta, data.x, data.y), reference, rtol=1e-10,
                               atol=1e-12)
    numeric = central(lambda th: backprop.loss(th, data.x, data.y), theta)
    np.testing.assert_allclose(backprop.grad(theta, data.x, data.y), numeric, rtol=1e-6,
                               atol=1e-6)


def test_gradient_descent_reaches_the_least_squares_line() -> None:
    data = backprop.make_line_data(np.random.default_rng(0))
    run = backprop.fit(data, optimizers.get("sgd", lr=0.02), steps=5000)
    a, b = backprop.closed_form(data.x, data.y)
    assert run.a == pytest.approx(a, rel=1e-9) and run.b == pytest.approx(b, rel=1e-9)
    assert abs(run.a - 2.0) > 1e-3  # the noise moves the best line away from the true one
    assert np.all(np.diff(run.loss) <= 1e-12)  # never goes up (but for rounding)


def test_least_squares_validation() -> None:
    with pytest.raises(ValueError, match="n must be"):
        backprop.make_line_data(np.random.default_rng(0), n=1)
    with pytest.raises(ValueError, match="all x are equal"):
        backprop.closed_form(np.ones(3), np.arange(3.0))


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
    params = backprop.init_params(rng, D, H)
    x, t = rng.standard_normal(D), float(rng.standard_normal())
    saved = backprop.forward(params, x, t)
    grads = backprop.backward(params, saved)
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
    params = backprop.init_params(rng, 2, 3)
    saved = backprop.forward(params, rng.standard_normal(2), 0.5)
    right = backprop.backward(params, saved).W
    printed = backprop.notes_weight_gradient(params, saved)
    np.testing.assert_allclose(printed * (1 - saved.h)[:, None], right, rtol=1e-12)
    assert not np.allclose(printed, right)


def test_hidden_layer_validation() -> None:
    with pytest.raises(ValueError, match="n_hidden"):
        backprop.init_params(np.random.default_rng(0), 2, 0)
    params = backprop.init_params(np.random.default_rng(0), 2, 3)
    with pytest.raises(ValueError, match="x must have shape"):
        backprop.forward(params, np.zeros(3), 0.0)
