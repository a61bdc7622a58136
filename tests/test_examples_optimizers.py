"""Tests of atlas.examples.optimizers: replays, RAdam's rho and NAdam's mu, each against an
independent formula or the optimizer's own computation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from atlas import optimizers
from atlas.examples import optimizers as worked

finite = st.floats(-50, 50, allow_nan=False)


# --- replay ---------------------------------------------------------------------------------


@given(arrays(np.float64, (6, 3), elements=finite), arrays(np.float64, 3, elements=finite))
@settings(max_examples=50, deadline=None)
def test_replay_sgd_is_cumulative_sum(grads, start):
    lr = 0.1
    run = worked.replay(optimizers.get("sgd", lr=lr), grads, start)
    expected = start - lr * np.concatenate([np.zeros((1, 3)), np.cumsum(grads, axis=0)])
    np.testing.assert_allclose(run.params, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.steps, -lr * grads, rtol=1e-12, atol=1e-12)
    assert len(run.states) == 7 and run.states[-1].t == 6


@pytest.mark.parametrize("name", optimizers.names())
def test_replay_runs_every_optimizer_and_keeps_inputs(name):
    grads = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 1.0]])
    start = np.array([0.3, -0.7])
    before = grads.copy(), start.copy()
    run = worked.replay(name, grads, start)
    assert run.params.shape == (4, 2) and np.isfinite(run.params).all()
    np.testing.assert_array_equal(grads, before[0])
    np.testing.assert_array_equal(start, before[1])


def test_adam_first_step_is_lr_times_sign():
    g = np.array([1e-3, 1.0, -1e3])
    lr, eps = 0.01, 1e-8
    run = worked.replay(optimizers.get("adam", lr=lr, eps=eps), g[None, :], np.zeros(3))
    np.testing.assert_allclose(run.steps[0], -lr * g / (np.abs(g) + eps), rtol=1e-12)


def test_replay_refuses_bad_shapes_and_values():
    with pytest.raises(ValueError, match="shape"):
        worked.replay("sgd", np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        worked.replay("sgd", np.array([[np.inf]]), np.zeros(1))


# --- RAdam's rho and NAdam's mu ---------------------------------------------------------------


@pytest.mark.parametrize("beta2", [0.9, 0.99, 0.999])
def test_radam_switches_where_rho_exceeds_5(beta2):
    """Under a constant gradient g an unrectified RAdam step is lr * g; a rectified one
    is about lr * r_t < lr. The first rectified step must be the first t with rho_t > 5."""
    lr, g, steps = 1e-3, 10.0, 40
    run = worked.replay(optimizers.get("radam", lr=lr, betas=(0.9, beta2)),
                       np.full((steps, 1), g), np.zeros(1))
    moves = -run.steps[:, 0]
    rectified = np.flatnonzero(moves < 2 * lr)
    t = np.arange(1, steps + 1)
    assert rectified[0] + 1 == t[worked.radam_rho(beta2, t) > 5][0]
    np.testing.assert_allclose(moves[: rectified[0]], lr * g, rtol=1e-12)


@given(st.floats(0.5, 0.9999), st.integers(1, 10_000))
@settings(max_examples=50, deadline=None)
def test_radam_rho_formula(beta2, t):
    rho_inf = 2 / (1 - beta2) - 1
    expected = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    assert worked.radam_rho(beta2, t) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert 1 - 1e-9 <= worked.radam_rho(beta2, t) <= rho_inf  # rho_1 = 1, rho_t -> rho_inf


def test_radam_rho_refuses_bad_input():
    with pytest.raises(ValueError, match="beta2"):
        worked.radam_rho(1.0, 3)
    with pytest.raises(ValueError, match="t must"):
        worked.radam_rho(0.9, 0)


@pytest.mark.parametrize("psi", [4e-3, 0.1])
def test_nadam_momentum_matches_the_optimizers_own_product(psi):
    """mu_t is the ratio of successive mu_product values that NAdam keeps in its state."""
    nadam = optimizers.get("nadam", momentum_decay=psi)
    run = worked.replay(nadam, np.zeros((200, 1)), np.zeros(1))
    products = np.array([s.mu_product for s in run.states])
    t = np.arange(1, 201)
    np.testing.assert_allclose(worked.nadam_momentum(nadam, t), products[1:] / products[:-1],
                               rtol=1e-12)
    assert worked.nadam_momentum(nadam, 1) == pytest.approx(0.9 * (1 - 0.5 * 0.96**psi))
    with pytest.raises(ValueError, match="NAdam"):
        worked.nadam_momentum(optimizers.get("adam"), 5)
    with pytest.raises(ValueError, match="t must"):
        worked.nadam_momentum(nadam, 0)


@pytest.mark.parametrize("name", ["adam", "amsgrad"])
def test_step_per_unit_gradient_times_the_momentum_is_the_move(name):
    opt = optimizers.get(name, lr=0.01)
    grads = np.array([[10.0, -3.0], [1.0, 0.5], [0.2, 0.5], [1.0, -4.0], [0.1, 0.1]])
    run = worked.replay(opt, grads, np.zeros(2))
    per_unit = worked.step_per_unit_gradient(opt, run)
    m_hat = np.array([s.m / (1 - opt.betas[0] ** s.t) for s in run.states[1:]])
    np.testing.assert_allclose(-per_unit * m_hat, run.steps, rtol=1e-12)


def test_amsgrads_step_size_is_bounded_by_the_maximum_yet_can_grow():
    spike = np.array([[10.0]] + [[0.1]] * 50)
    ams, adam = optimizers.get("amsgrad", lr=0.01), optimizers.get("adam", lr=0.01)
    small = worked.step_per_unit_gradient(ams, worked.replay(ams, spike, np.zeros(1)))
    large = worked.step_per_unit_gradient(adam, worked.replay(adam, spike, np.zeros(1)))
    assert np.all(small <= large) and small[-1, 0] < large[-1, 0]  # the max holds v up
    assert small[-1, 0] > 5 * small[0, 0]  # and still the step grows: 1 - beta2^t grows
    with pytest.raises(ValueError, match="Adam or a variant"):
        worked.step_per_unit_gradient(optimizers.get("sgd"), worked.replay("sgd", spike,
                                                                           np.zeros(1)))
