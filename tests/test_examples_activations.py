"""Tests of atlas.examples.activations: the notes' formulas against the Jacobian and autograd,
and the gradient profile of a deep stack against autograd and central differences."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from atlas import activations
from atlas.examples import activations as worked

finite = st.floats(-50, 50, allow_nan=False)


# --- the notes' formulas------------------------------------------------------------------------


@given(arrays(np.float64, 4, elements=st.floats(-10, 10)),
       arrays(np.float64, 4, elements=st.floats(-10, 10)))
@settings(max_examples=50, deadline=None)
def test_notes_softmax_backward_is_only_the_diagonal(x, dy):
    softmax = activations.get("softmax")
    y = softmax(x)
    jac = softmax.jacobian(x)
    # y(1 - y) and the Jacobian's y - y^2 round differently (1 - y cancels as y -> 1):
    # they agree to a few ulps of y, an absolute bound, not a relative one.
    np.testing.assert_allclose(worked.notes_softmax_backward(y, dy), np.diag(jac) * dy,
                               rtol=1e-12, atol=4 * np.finfo(float).eps * np.max(np.abs(dy)))
    np.testing.assert_allclose(softmax.vjp(x, y, dy), jac.T @ dy, rtol=1e-9, atol=1e-12)


def test_notes_softmax_backward_differs_from_the_truth():
    x, dy = np.array([1.0, 2.0, 0.5]), np.array([0.3, -1.0, 2.0])
    softmax = activations.get("softmax")
    y = softmax(x)
    assert np.max(np.abs(worked.notes_softmax_backward(y, dy) - softmax.vjp(x, y, dy))) > 0.1


def _mish_autograd(x):
    return x * anp.tanh(anp.log1p(anp.exp(x)))


@given(st.floats(-20, 20))
@settings(max_examples=100, deadline=None)
def test_notes_mish_derivative_is_right_for_moderate_x(x):
    expected = autograd.grad(_mish_autograd)(x)
    assert float(worked.notes_mish_derivative(x)) == pytest.approx(expected, rel=1e-8, abs=1e-12)
    assert float(activations.get("mish").derivative(x)) == pytest.approx(expected, rel=1e-8,
                                                                         abs=1e-12)


def test_notes_mish_derivative_overflows_where_atlas_does_not():
    x = np.array([100.0, 177.0, 178.0, 236.0, 237.0, 500.0])
    notes = worked.notes_mish_derivative(x)
    np.testing.assert_allclose(notes[:2], 1.0, rtol=1e-12)
    assert np.isnan(notes[2:]).all()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is benign
        np.testing.assert_allclose(activations.get("mish").derivative(x), 1.0, rtol=1e-12)


# --- vanishing gradients ----------------------------------------------------------------------

_ACTS = {"sigmoid": lambda a: 1 / (1 + anp.exp(-a)), "tanh": anp.tanh,
         "relu": lambda a: anp.maximum(a, 0.0)}


def _loss_autograd(weights, x, t, act):
    """The stack's mean softmax cross-entropy, written again in autograd.numpy."""
    h = x
    for i, (w, b) in enumerate(weights):
        h = anp.dot(h, w) + b
        if i < len(weights) - 1:
            h = _ACTS[act](h)
    m = anp.max(h, axis=1, keepdims=True)
    lse = m[:, 0] + anp.log(anp.sum(anp.exp(h - m), axis=1))
    return anp.mean(lse - h[anp.arange(len(t)), t])


@pytest.mark.parametrize("act", sorted(_ACTS))
def test_gradient_profile_matches_autograd_and_central_differences(act):
    depth, width, batch, classes = 4, 5, 7, 3
    profile = worked.gradient_profile(act, rng=np.random.default_rng(3), depth=depth,
                                     width=width, batch=batch, classes=classes)
    rng = np.random.default_rng(3)  # the same draws, in the same order
    model = worked.deep_stack(act, depth=depth, width=width, classes=classes, rng=rng)
    x, t = rng.standard_normal((batch, width)), rng.integers(0, classes, size=batch)
    params = model.params()
    weights = [(params[f"{2 * i}.W"], params[f"{2 * i}.b"]) for i in range(depth + 1)]
    grads = autograd.grad(_loss_autograd)(weights, x, t, act)
    expected = np.array([np.linalg.norm(gw) for gw, _ in grads])
    np.testing.assert_allclose(profile.weight_grad_norms, expected, rtol=1e-9)
    assert profile.loss == pytest.approx(_loss_autograd(weights, x, t, act), rel=1e-12)
    assert (profile.width, profile.batch) == (width, batch)  # what the page quotes

    h = 1e-6  # central differences on the first layer's weights
    w0 = weights[0][0]
    for index in [(0, 0), (2, 3), (4, 1)]:
        plus, minus = w0.copy(), w0.copy()
        plus[index] += h
        minus[index] -= h
        f_plus = _loss_autograd([(plus, weights[0][1]), *weights[1:]], x, t, act)
        f_minus = _loss_autograd([(minus, weights[0][1]), *weights[1:]], x, t, act)
        assert grads[0][0][index] == pytest.approx((f_plus - f_minus) / (2 * h),
                                                   rel=1e-6, abs=1e-9)  # rounding ~ 1e-16 / h


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradients_vanish_and_relu_gradients_do_not(seed):
    sigmoid = worked.gradient_profile("sigmoid", rng=np.random.default_rng(seed), depth=15)
    relu = worked.gradient_profile("relu", rng=np.random.default_rng(seed), depth=15)
    assert (sigmoid.init, relu.init) == ("xavier", "he")
    assert sigmoid.depth == relu.depth == 15
    assert sigmoid.attenuation < 1e-6
    assert 0.2 < relu.attenuation < 5
    assert np.all(np.diff(np.log(sigmoid.weight_grad_norms[:-1])) > 0)  # shrinks every layer


def test_gradient_profile_refuses_bad_sizes():
    for bad in ({"depth": 0}, {"width": 2.5}, {"batch": 0}, {"classes": True}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            worked.gradient_profile("relu", rng=np.random.default_rng(0), **bad)
