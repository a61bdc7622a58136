"""Layers, the MLP builder, the whole-network gradient check, schedules and metrics.

Gradients are checked two ways: against central differences and against
``autograd`` applied to the same mathematics written independently below.
"""

from __future__ import annotations

import itertools

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import activations
from atlas.nn import (
    ActivationLayer,
    Dropout,
    Linear,
    gradient_check,
    metrics,
    mlp,
    numerical_gradient,
    parse_spec,
    relative_error,
    schedules,
)
from atlas.registry import UnknownNameError

# --- Linear -------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(1, 5),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
)
def test_linear_backward_matches_autograd_and_central_differences(n, n_in, n_out, seed, scale):
    rng = np.random.default_rng(seed)
    layer = Linear(n_in, n_out, rng=rng, dtype=np.float64)
    layer.b = rng.standard_normal(n_out)
    x = scale * rng.standard_normal((n, n_in))
    dy = rng.standard_normal((n, n_out))
    dy_before = dy.copy()
    layer.forward(x)
    dx = layer.backward(dy)
    assert np.array_equal(dy, dy_before), "backward must not modify its input"

    def loss(W, b, x):  # L = <xW + b, dy>, so dL/dy = dy
        return anp.sum((anp.dot(x, W) + b) * dy)

    for argnum, got in ((0, layer.dW), (1, layer.db), (2, dx)):
        expected = autograd.grad(loss, argnum)(layer.W, layer.b, x)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * scale)

    def f():
        return float(np.sum(layer.forward(x) * dy))

    # f is linear in W and b, so central differences have no truncation error: a large h
    # keeps the rounding error (about eps |f| / h) small even when the gradient is tiny
    for name, got in (("W", layer.dW), ("b", layer.db)):
        numeric = numerical_gradient(f, layer.params()[name], h=1e-2)
        assert relative_error(got, numeric) < 1e-6


def test_linear_skips_input_gradient_and_validates():
    rng = np.random.default_rng(0)
    layer = Linear(3, 2, rng=rng)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    layer.forward(np.ones((4, 3), np.float32))
    assert layer.backward(np.ones((4, 2), np.float32), input_grad=False) is None
    assert layer.dW.shape == (3, 2)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            Linear(bad, 2, rng=rng)
    with pytest.raises(ValueError, match="init must be"):
        Linear(3, 2, rng=rng, init="uniform")
    with pytest.raises(ValueError, match="dtype"):
        Linear(3, 2, rng=rng, dtype="int32")
    with pytest.raises(ValueError, match="shape"):
        layer.set_param("W", np.zeros((2, 3)))


@pytest.mark.parametrize(("init", "expected_std"), [("he", np.sqrt(2 / 400)),
                                                    ("xavier", np.sqrt(2 / 600))])
def test_initialisation_scale(init, expected_std):
    layer = Linear(400, 200, rng=np.random.default_rng(1), init=init, dtype=np.float64)
    assert layer.W.std() == pytest.approx(expected_std, rel=0.02)
    assert np.all(layer.b == 0)


# --- activation adapter and dropout ---------------------------------------------------------


@pytest.mark.parametrize("name", activations.names())
def test_activation_layer_backward_is_the_vjp(name):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 5)) * 2
    dy = rng.standard_normal((4, 5))
    layer = ActivationLayer(name)
    y = layer.forward(x)
    np.testing.assert_array_equal(y, activations.get(name).forward(x))
    dx = layer.backward(dy)
    numeric = numerical_gradient(lambda: float(np.sum(layer.forward(x) * dy)), x, h=1e-6)
    assert relative_error(dx, numeric) < 1e-6
    assert layer.params() == {} and layer.grads() == {}


@pytest.mark.parametrize("name", activations.names())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_layer_backward_equals_the_activation_backward(name, dtype):
    """The layer's shortcut (f'(x) * dy without re-validation) changes no bit, and no dtype."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((4, 5)) * 3).astype(dtype)
    dy = rng.standard_normal((4, 5)).astype(dtype)
    x_before, dy_before = x.copy(), dy.copy()
    layer = ActivationLayer(name)
    y = layer.forward(x)
    dx = layer.backward(dy)
    act = activations.get(name)
    np.testing.assert_array_equal(dx, act.vjp(x, act.forward(x), dy))
    assert y.dtype == dtype and dx.dtype == dtype
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dy, dy_before)


def test_linear_forward_adds_the_bias_without_touching_its_inputs():
    rng = np.random.default_rng(6)
    layer = Linear(5, 3, rng=rng)
    layer.set_param("b", rng.standard_normal(3).astype(np.float32))
    x = rng.standard_normal((4, 5)).astype(np.float32)
    saved = [a.copy() for a in (x, layer.W, layer.b)]
    y = layer.forward(x)
    np.testing.assert_array_equal(y, x @ saved[1] + saved[2])
    for array, before in zip((x, layer.W, layer.b), saved, strict=True):
        np.testing.assert_array_equal(array, before)
    assert y.dtype == np.float32


def test_dropout_train_and_eval_modes():
    x = np.random.default_rng(0).standard_normal((200, 300))
    layer = Dropout(0.25)
    assert layer.forward(x) is x  # evaluation: identity
    assert layer.backward(x) is x
    y = layer.forward(x, train=True, rng=np.random.default_rng(5))
    kept = y != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(y[kept], x[kept] / 0.75, rtol=1e-15)
    dy = np.random.default_rng(1).standard_normal(x.shape)
    dx = layer.backward(dy)
    np.testing.assert_allclose(dx, np.where(kept, dy / 0.75, 0.0), rtol=1e-15)
    # same seed, same mask: the derivative is the numerical one of the masked map
    small = x[:3, :4].copy()

    def f():
        return float(np.sum(layer.forward(small, train=True, rng=np.random.default_rng(9)) * 2.0))

    f()
    numeric = numerical_gradient(f, small, h=1e-6)
    assert relative_error(layer.backward(np.full(small.shape, 2.0)), numeric) < 1e-6
    with pytest.raises(ValueError, match="rng"):
        layer.forward(x, train=True)
    for bad in (-0.1, 1.0, 1.5, "0.5", True):
        with pytest.raises(ValueError, match=r"\[0, 1\)"):
            Dropout(bad)


# --- whole network --------------------------------------------------------------------------


@pytest.mark.parametrize("name", activations.names())
def test_whole_network_gradient_check(name):
    rng = np.random.default_rng(11)
    model = mlp("5-4-4-3", name, rng=rng, dtype=np.float64)
    for key, value in model.params().items():  # non-zero biases exercise db fully
        if key.endswith(".b"):
            model.set_params({key: 0.1 * rng.standard_normal(value.shape)})
    x = rng.standard_normal((6, 5))
    t = np.array([0, 1, 2, 0, 1, 2])
    check = gradient_check(model, x, t)
    assert check.max_relative_error < 1e-6, check.errors
    assert set(check.errors) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}
    assert check.backprop_seconds > 0 and check.numerical_seconds > 0


def _independent_mlp_loss(params, x, t, act):
    """A 2-hidden-layer MLP with softmax cross-entropy, written from the formulas."""
    h = x
    for i in (0, 2):
        h = act(anp.dot(h, params[f"{i}.W"]) + params[f"{i}.b"])
    z = anp.dot(h, params["4.W"]) + params["4.b"]
    zmax = anp.max(z, axis=1, keepdims=True)
    log_p = z - zmax - anp.log(anp.sum(anp.exp(z - zmax), axis=1, keepdims=True))
    return -anp.mean(anp.sum(log_p * t, axis=1))


INDEPENDENT = {
    "relu": lambda a: anp.maximum(a, 0.0),
    "tanh": anp.tanh,
    "sigmoid": lambda a: 1 / (1 + anp.exp(-a)),
    "softplus": lambda a: anp.log1p(anp.exp(a)),
}


@pytest.mark.parametrize("name", activations.names())
def test_a_float32_network_stays_float32(name):
    rng = np.random.default_rng(2)
    model = mlp("6-5-3", name, rng=rng, dropout=0.1)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    _, logits = model.loss_and_grads(x, onehot, rng=rng)
    assert logits.dtype == np.float32
    assert {v.dtype for v in model.grads().values()} == {np.dtype(np.float32)}
    # every intermediate array too, forward and backward (class-index targets as well)
    h = x
    for layer in model.layers:
        h = layer.forward(h, train=True, rng=rng)
        assert h.dtype == np.float32, layer
    d = model.loss_fn.backward(h, np.array([0, 1, 2, 0]))
    assert d.dtype == np.float32
    for layer in reversed(model.layers):
        d = layer.backward(d)
        assert d.dtype == np.float32, layer


@pytest.mark.parametrize("name", list(INDEPENDENT))
def test_backprop_matches_autograd_on_an_independent_formula(name):
    rng = np.random.default_rng(5)
    model = mlp([7, 6, 5, 4], name, rng=rng, dtype=np.float64)
    x = rng.standard_normal((8, 7))
    labels = rng.integers(0, 4, 8)
    onehot = np.eye(4)[labels]
    params = {k: v.copy() for k, v in model.params().items()}
    expected = autograd.grad(_independent_mlp_loss)(params, x, onehot, INDEPENDENT[name])
    loss, _ = model.loss_and_grads(x, labels, train=False)
    assert loss == pytest.approx(_independent_mlp_loss(params, x, onehot, INDEPENDENT[name]),
                                 rel=1e-12)
    for key, grad in model.grads().items():
        np.testing.assert_allclose(grad, expected[key], rtol=1e-9, atol=1e-13)


def test_gradient_check_refuses_float32():
    model = mlp("3-2", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="float64"):
        gradient_check(model, np.ones((2, 3)), np.array([0, 1]))


# --- spec parsing and the builder -----------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "widths"),
    [("784-10", (784, 10)), ("784-200-200-10", (784, 200, 200, 10)), (" 5-3 ", (5, 3)),
     ([4, 3, 2], (4, 3, 2)), ((np.int64(2), 1), (2, 1))],
)
def test_parse_good_specs(spec, widths):
    assert parse_spec(spec) == widths


@pytest.mark.parametrize(
    ("spec", "message"),
    [("", "joined by '-'"), ("784", "at least an input and an output"),
     ("784--10", "joined by '-'"), ("784-0-10", "positive"), ("a-b", "joined by '-'"),
     ("784-10.5", "joined by '-'"), ("-784-10", "joined by '-'"), ("784 10", "joined by '-'"),
     ([784, True], "integers"), ([3], "at least")],
)
def test_parse_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message) as error:
        parse_spec(spec)
    assert repr(spec) in str(error.value)


def test_mlp_structure():
    model = mlp("6-5-4-3", "tanh", rng=np.random.default_rng(0), dropout=0.5)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ActivationLayer", "Dropout", "Linear", "ActivationLayer", "Dropout",
                     "Linear"]
    assert model.n_params() == 6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3
    assert model.flat_params().shape == (model.n_params(),)
    assert all(v.dtype == np.float32 for v in model.params().values())
    assert model.layers[0].init == "xavier"  # auto: saturating activation
    assert mlp("6-5-3", "relu", rng=np.random.default_rng(0)).layers[0].init == "he"
    probabilities = model.predict_proba(np.ones((7, 6), np.float32), batch_size=3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(UnknownNameError, match="Did you mean"):
        mlp("6-3", "rleu", rng=np.random.default_rng(0))
    with pytest.raises(KeyError, match="no parameter"):
        model.set_params({"9.W": np.zeros(1)})


def test_mlp_takes_a_seed_or_a_generator_and_names_anything_else():
    seeded, drawn = mlp("4-3-2", rng=7), mlp("4-3-2", rng=np.random.default_rng(7))
    np.testing.assert_array_equal(seeded.flat_params(), drawn.flat_params())
    for bad in ("7", 7.0, True, None):
        with pytest.raises(ValueError, match="Generator or an integer seed") as error:
            mlp("4-3-2", rng=bad)
        assert repr(bad) in str(error.value)


# --- schedules ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", schedules.names())
def test_every_schedule_starts_at_the_base_rate_and_never_rises(name):
    schedule = schedules.get(name)
    factors = [schedule.factor(s, 100) for s in range(100)]
    assert factors[0] == 1.0
    assert all(0 <= f <= 1 for f in factors)
    assert all(b <= a for a, b in itertools.pairwise(factors))
    assert schedules.registry.get(name).description


def test_schedule_values():
    cosine, step = schedules.get("cosine"), schedules.get("step")
    assert cosine.factor(50, 100) == pytest.approx(0.5, abs=1e-15)
    assert cosine.factor(100, 100) == pytest.approx(0.0, abs=1e-15)
    assert [step.factor(s, 100) for s in (49, 50, 74, 75)] == pytest.approx([1, 0.1, 0.1, 0.01])
    with pytest.raises(ValueError, match="gamma"):
        schedules.get("step", gamma=0.0)
    with pytest.raises(UnknownNameError):
        schedules.get("linear_warmup")


# --- metrics --------------------------------------------------------------------------------


def test_metrics_on_a_hand_case():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    C = metrics.confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 2, 0], [1, 0, 1]])
    report = metrics.class_report(C)
    np.testing.assert_allclose(report.precision, [1 / 2, 2 / 3, 1])
    np.testing.assert_allclose(report.recall, [1 / 2, 1, 1 / 2])
    np.testing.assert_allclose(report.f1, [1 / 2, 4 / 5, 2 / 3])
    assert report.macro_f1 == pytest.approx((1 / 2 + 4 / 5 + 2 / 3) / 3)
    assert report.macro_precision == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    np.testing.assert_array_equal(report.support, [2, 2, 2])


def test_metrics_zero_division_is_zero():
    C = metrics.confusion_matrix(np.array([0, 0, 1]), np.array([0, 0, 0]), 3)
    report = metrics.class_report(C)  # class 1 never predicted, class 2 absent
    np.testing.assert_allclose(report.precision, [2 / 3, 0, 0])
    np.testing.assert_allclose(report.recall, [1, 0, 0])
    np.testing.assert_allclose(report.f1, [0.8, 0, 0])
    with pytest.raises(ValueError, match="outside"):
        metrics.confusion_matrix(np.array([3]), np.array([0]), 3)
    with pytest.raises(ValueError, match="integer"):
        metrics.accuracy(np.array([0.5]), np.array([0]))
    with pytest.raises(ValueError, match="length"):
        metrics.accuracy(np.array([0, 1]), np.array([0]))


def test_easiest_and_hardest_examples():
    P = np.array([
        [0.90, 0.10],  # true 0, correct, confidence 0.90
        [0.20, 0.80],  # true 0, wrong,   confidence 0.80
        [0.40, 0.60],  # true 1, correct, confidence 0.60
        [0.99, 0.01],  # true 1, wrong,   confidence 0.99
        [0.05, 0.95],  # true 1, correct, confidence 0.95
    ])
    y = np.array([0, 0, 1, 1, 1])
    e = metrics.extremes(P, y, k=2)
    np.testing.assert_array_equal(e.easiest, [4, 0])
    np.testing.assert_allclose(e.easiest_confidence, [0.95, 0.90])
    np.testing.assert_array_equal(e.hardest, [3, 1])
    np.testing.assert_allclose(e.hardest_confidence, [0.99, 0.80])
    assert metrics.extremes(P, y, k=10).easiest.tolist() == [4, 0, 2]
    assert e.to_dict()["hardest"] == [3, 1]
