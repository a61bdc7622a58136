"""Tests of atlas.examples.layers: logistic regression's gradient against autograd and
central differences, and both softmax routes against a 60-digit reference."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numeric import central

from atlas import optimizers
from atlas.examples import layers

SETTINGS = settings(max_examples=50, deadline=None)
moderate = st.floats(-10.0, 10.0, allow_nan=False)


# -- two classes ------------------------------------------------------------------------------


def test_two_class_data() -> None:
    data = layers.make_two_class(np.random.default_rng(0))
    assert data.x_train.shape == (900, 2) and data.x_test.shape == (100, 2)
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        assert np.all((x >= 0) & (x <= 3))
        np.testing.assert_array_equal(y == 1, x.sum(axis=1) > 3)
    assert 0.4 < data.y_train.mean() < 0.6
    with pytest.raises(ValueError, match="test_fraction"):
        layers.make_two_class(np.random.default_rng(0), test_fraction=1.5)


@SETTINGS
@given(st.integers(0, 10_000))
def test_logistic_gradient(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = layers.LogisticRegression(rng)
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
    data = layers.make_two_class(np.random.default_rng(0))
    model, history = layers.train(data, optimizers.get("adam", lr=0.1),
                                     rng=np.random.default_rng(1), steps=300)
    assert history[-1] < 0.3 * history[0]
    result = layers.scores(model, data.x_test, data.y_test)
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
    result = layers.compare(z, target)
    lse = math.log(math.fsum(math.exp(v - max(z)) for v in z)) + max(z)
    assert result.loss_reference == pytest.approx(lse - z[target], rel=1e-12, abs=1e-15)
    for loss in (result.loss_softmax_first, result.loss_log_first):
        assert loss == pytest.approx(result.loss_reference, rel=1e-6, abs=1e-12)
    for grad in (result.grad_softmax_first, result.grad_log_first):
        np.testing.assert_allclose(grad, result.grad_reference, rtol=1e-6, atol=1e-12)


@SETTINGS
@given(st.floats(0, 1e4))
def test_log_first_is_exact_for_a_wrong_confident_prediction(margin: float) -> None:
    (result,) = layers.margin_sweep([margin], correct=False)
    assert result.loss_log_first == pytest.approx(result.loss_reference, rel=1e-14)
    assert result.grad_error_log_first < 1e-14


def test_softmax_first_breaks_down() -> None:
    far = layers.compare([800.0, 0.0], 1)
    assert far.probabilities[1] == 0.0 and far.loss_softmax_first == 100.0  # clamped log 0
    assert far.loss_log_first == 800.0 == far.loss_reference
    assert far.grad_error_softmax_first == pytest.approx(1.0)  # the gradient is lost
    middle = layers.compare([40.0, 0.0], 1)  # p = e^-40 < 1e-12: the gradient floor
    assert middle.loss_softmax_first == pytest.approx(40.0, rel=1e-12)
    assert middle.grad_error_softmax_first > 0.99


def test_reference_needs_a_valid_target() -> None:
    with pytest.raises(ValueError, match="target"):
        layers.reference([0.0, 1.0], 2)
