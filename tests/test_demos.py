"""Tests of atlas.demos: each demo checked against an independent formula or differentiator."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from atlas import activations, demos, losses, optimizers
from atlas.demos.vanishing_gradients import deep_stack

pytestmark = pytest.mark.filterwarnings("error")
finite = st.floats(-50, 50, allow_nan=False)


# --- replay ---------------------------------------------------------------------------------


@given(arrays(np.float64, (6, 3), elements=finite), arrays(np.float64, 3, elements=finite))
@settings(max_examples=50, deadline=None)
def test_replay_sgd_is_cumulative_sum(grads, start):
    lr = 0.1
    run = demos.replay(optimizers.get("sgd", lr=lr), grads, start)
    expected = start - lr * np.concatenate([np.zeros((1, 3)), np.cumsum(grads, axis=0)])
    np.testing.assert_allclose(run.params, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.steps, -lr * grads, rtol=1e-12, atol=1e-12)
    assert len(run.states) == 7 and run.states[-1].t == 6


@pytest.mark.parametrize("name", optimizers.names())
def test_replay_runs_every_optimizer_and_keeps_inputs(name):
    grads = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 1.0]])
    start = np.array([0.3, -0.7])
    before = grads.copy(), start.copy()
    run = demos.replay(name, grads, start)
    assert run.params.shape == (4, 2) and np.isfinite(run.params).all()
    np.testing.assert_array_equal(grads, before[0])
    np.testing.assert_array_equal(start, before[1])


def test_adam_first_step_is_lr_times_sign():
    g = np.array([1e-3, 1.0, -1e3])
    lr, eps = 0.01, 1e-8
    run = demos.replay(optimizers.get("adam", lr=lr, eps=eps), g[None, :], np.zeros(3))
    np.testing.assert_allclose(run.steps[0], -lr * g / (np.abs(g) + eps), rtol=1e-12)


def test_replay_refuses_bad_shapes_and_values():
    with pytest.raises(ValueError, match="shape"):
        demos.replay("sgd", np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        demos.replay("sgd", np.array([[np.inf]]), np.zeros(1))


# --- RAdam's rho and NAdam's mu ---------------------------------------------------------------


@pytest.mark.parametrize("beta2", [0.9, 0.99, 0.999])
def test_radam_switches_where_rho_exceeds_5(beta2):
    """Under a constant gradient g an unrectified RAdam step is lr * g; a rectified one
    is about lr * r_t < lr. The first rectified step must be the first t with rho_t > 5."""
    lr, g, steps = 1e-3, 10.0, 40
    run = demos.replay(optimizers.get("radam", lr=lr, betas=(0.9, beta2)),
                       np.full((steps, 1), g), np.zeros(1))
    moves = -run.steps[:, 0]
    rectified = np.flatnonzero(moves < 2 * lr)
    t = np.arange(1, steps + 1)
    assert rectified[0] + 1 == t[demos.radam_rho(beta2, t) > 5][0]
    np.testing.assert_allclose(moves[: rectified[0]], lr * g, rtol=1e-12)


@given(st.floats(0.5, 0.9999), st.integers(1, 10_000))
@settings(max_examples=50, deadline=None)
def test_radam_rho_formula(beta2, t):
    rho_inf = 2 / (1 - beta2) - 1
    expected = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    assert demos.radam_rho(beta2, t) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert 1 - 1e-9 <= demos.radam_rho(beta2, t) <= rho_inf  # rho_1 = 1, rho_t -> rho_inf


def test_radam_rho_refuses_bad_input():
    with pytest.raises(ValueError, match="beta2"):
        demos.radam_rho(1.0, 3)
    with pytest.raises(ValueError, match="t must"):
        demos.radam_rho(0.9, 0)


@pytest.mark.parametrize("psi", [4e-3, 0.1])
def test_nadam_momentum_matches_the_optimizers_own_product(psi):
    """mu_t is the ratio of successive mu_product values that NAdam keeps in its state."""
    nadam = optimizers.get("nadam", momentum_decay=psi)
    run = demos.replay(nadam, np.zeros((200, 1)), np.zeros(1))
    products = np.array([s.mu_product for s in run.states])
    t = np.arange(1, 201)
    np.testing.assert_allclose(demos.nadam_momentum(nadam, t), products[1:] / products[:-1],
                               rtol=1e-12)
    assert demos.nadam_momentum(nadam, 1) == pytest.approx(0.9 * (1 - 0.5 * 0.96**psi))
    with pytest.raises(ValueError, match="NAdam"):
        demos.nadam_momentum(optimizers.get("adam"), 5)
    with pytest.raises(ValueError, match="t must"):
        demos.nadam_momentum(nadam, 0)


# --- pitfalls ---------------------------------------------------------------------------------


@given(arrays(np.float64, 4, elements=st.floats(-10, 10)),
       arrays(np.float64, 4, elements=st.floats(-10, 10)))
@settings(max_examples=50, deadline=None)
def test_notes_softmax_backward_is_only_the_diagonal(x, dy):
    softmax = activations.get("softmax")
    y = softmax(x)
    jac = softmax.jacobian(x)
    # y(1 - y) and the Jacobian's y - y^2 round differently (1 - y cancels as y -> 1):
    # they agree to a few ulps of y, an absolute bound, not a relative one.
    np.testing.assert_allclose(demos.notes_softmax_backward(y, dy), np.diag(jac) * dy,
                               rtol=1e-12, atol=4 * np.finfo(float).eps * np.max(np.abs(dy)))
    np.testing.assert_allclose(softmax.backward(x, y, dy), jac.T @ dy, rtol=1e-9, atol=1e-12)


def test_notes_softmax_backward_differs_from_the_truth():
    x, dy = np.array([1.0, 2.0, 0.5]), np.array([0.3, -1.0, 2.0])
    softmax = activations.get("softmax")
    y = softmax(x)
    assert np.max(np.abs(demos.notes_softmax_backward(y, dy) - softmax.backward(x, y, dy))) > 0.1


def _mish_autograd(x):
    return x * anp.tanh(anp.log1p(anp.exp(x)))


@given(st.floats(-20, 20))
@settings(max_examples=100, deadline=None)
def test_notes_mish_derivative_is_right_for_moderate_x(x):
    expected = autograd.grad(_mish_autograd)(x)
    assert float(demos.notes_mish_derivative(x)) == pytest.approx(expected, rel=1e-8, abs=1e-12)
    assert float(activations.get("mish").derivative(x)) == pytest.approx(expected, rel=1e-8,
                                                                         abs=1e-12)


def test_notes_mish_derivative_overflows_where_atlas_does_not():
    x = np.array([100.0, 177.0, 178.0, 236.0, 237.0, 500.0])
    notes = demos.notes_mish_derivative(x)
    np.testing.assert_allclose(notes[:2], 1.0, rtol=1e-12)
    assert np.isnan(notes[2:]).all()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is benign
        np.testing.assert_allclose(activations.get("mish").derivative(x), 1.0, rtol=1e-12)


@given(arrays(np.float64, 5, elements=st.floats(-300, 300)))
@settings(max_examples=50, deadline=None)
def test_naive_logsumexp_matches_atlas_when_it_does_not_overflow(x):
    expected = activations.logsumexp(x)[0]
    assert float(demos.naive_logsumexp(x)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_naive_logsumexp_overflows():
    x = np.array([1000.0, 0.0])
    assert demos.naive_logsumexp(x) == math.inf
    assert activations.logsumexp(x)[0] == 1000.0


@given(st.floats(-20, 20), st.sampled_from([0.0, 1.0]))
@settings(max_examples=50, deadline=None)
def test_naive_bce_matches_logits_loss_for_moderate_z(z, t):
    expected = losses.get("bce_with_logits", reduction="none").forward(np.array([z]),
                                                                      np.array([t]))[0]
    assert float(demos.naive_bce_of_logit(z, t)) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_naive_bce_breaks_for_large_logits():
    assert demos.naive_bce_of_logit(40.0, 0.0) == math.inf
    assert math.isnan(demos.naive_bce_of_logit(40.0, 1.0))


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
    profile = demos.gradient_profile(act, rng=np.random.default_rng(3), depth=depth,
                                     width=width, batch=batch, classes=classes)
    rng = np.random.default_rng(3)  # the same draws, in the same order
    model = deep_stack(act, depth=depth, width=width, classes=classes, rng=rng)
    x, t = rng.standard_normal((batch, width)), rng.integers(0, classes, size=batch)
    params = model.params()
    weights = [(params[f"{2 * i}.W"], params[f"{2 * i}.b"]) for i in range(depth + 1)]
    grads = autograd.grad(_loss_autograd)(weights, x, t, act)
    expected = np.array([np.linalg.norm(gw) for gw, _ in grads])
    np.testing.assert_allclose(profile.weight_grad_norms, expected, rtol=1e-9)
    assert profile.loss == pytest.approx(_loss_autograd(weights, x, t, act), rel=1e-12)

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
    sigmoid = demos.gradient_profile("sigmoid", rng=np.random.default_rng(seed), depth=15)
    relu = demos.gradient_profile("relu", rng=np.random.default_rng(seed), depth=15)
    assert (sigmoid.init, relu.init) == ("xavier", "he")
    assert sigmoid.depth == relu.depth == 15
    assert sigmoid.attenuation < 1e-6
    assert 0.2 < relu.attenuation < 5
    assert np.all(np.diff(np.log(sigmoid.weight_grad_norms[:-1])) > 0)  # shrinks every layer


def test_gradient_profile_refuses_bad_sizes():
    for bad in ({"depth": 0}, {"width": 2.5}, {"batch": 0}, {"classes": True}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            demos.gradient_profile("relu", rng=np.random.default_rng(0), **bad)
