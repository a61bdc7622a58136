"""Every optimizer's effective per-coordinate step size, checked against the move it makes.

``Optimizer.effective_step(grad, state, params, new_state)`` is the factor each rule
multiplies its direction by, coordinate by coordinate (its docstring names the
direction). So for every optimizer of the registry, on a run of several steps, the
move :math:`\\theta_{t-1} - \\theta_t` (weight decay off) must equal the effective step
times the direction, computed here independently from the state the step made.
A new optimizer without an entry in DIRECTIONS fails :func:`test_every_optimizer_has_a_direction`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from atlas import optimizers
from atlas.optimizers.orthogonal import newton_schulz

SHAPE = (2, 3)  # elementwise rules: six coordinates; per-tensor rules: one 2 x 3 matrix
CURVATURE = np.array([[1.0, 4.0, 0.25], [9.0, 0.5, 2.0]])
STEPS = 9  # RAdam and AdaBelief switch from their SGD steps to adaptive ones at step 6


def _hat(name: str, opt, new) -> np.ndarray:
    return new.m / (1 - opt.betas[0] ** new.t)


def _nadam(opt, g, old, new) -> np.ndarray:
    (beta1, _), psi, t = opt.betas, opt.momentum_decay, new.t
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
    product, product_next = new.mu_product, new.mu_product * mu_next
    return (1 - mu) / (1 - product) * g + mu_next / (1 - product_next) * new.m


def _adan(opt, new) -> np.ndarray:
    beta1, beta2, _ = opt.betas
    return new.m / (1 - beta1**new.t) + beta2 / (1 - beta2**new.t) * new.d


def _muon(opt, g, new) -> np.ndarray:
    b_tilde = opt.momentum * new.b + (1 - opt.momentum) * g if opt.nesterov else new.b
    return newton_schulz(b_tilde, opt.ns_coefficients, opt.ns_steps, opt.eps)


#: name -> (what moved by the effective step, its direction), from
#: (optimizer, g_t, state before, theta_{t-1}, state after, theta_t).
DIRECTIONS = {
    "sgd": lambda o, g, old, p, new, q: (p - q, g),
    "momentum": lambda o, g, old, p, new, q: (p - q, new.b),
    "nesterov": lambda o, g, old, p, new, q: (p - q, g + o.momentum * new.b),
    "asgd": lambda o, g, old, p, new, q: (p - q, g + o.lambd * p),
    "schedule_free_sgd": lambda o, g, old, p, new, q: (old.z - new.z, g),
    "schedule_free_adamw": lambda o, g, old, p, new, q: (old.z - new.z, g),
    "adagrad": lambda o, g, old, p, new, q: (p - q, g),
    "rmsprop": lambda o, g, old, p, new, q: (p - q, g),
    "adadelta": lambda o, g, old, p, new, q: (p - q, g),
    "adam": lambda o, g, old, p, new, q: (p - q, _hat("adam", o, new)),
    "amsgrad": lambda o, g, old, p, new, q: (p - q, _hat("amsgrad", o, new)),
    "adamw": lambda o, g, old, p, new, q: (p - q, _hat("adamw", o, new)),
    "adamax": lambda o, g, old, p, new, q: (p - q, new.m),
    "nadam": lambda o, g, old, p, new, q: (p - q, _nadam(o, g, old, new)),
    "radam": lambda o, g, old, p, new, q: (p - q, _hat("radam", o, new)),
    "adabelief": lambda o, g, old, p, new, q: (p - q, new.m),
    "yogi": lambda o, g, old, p, new, q: (p - q, _hat("yogi", o, new)),
    "adan": lambda o, g, old, p, new, q: (p - q, _adan(o, new)),
    "ademamix": lambda o, g, old, p, new, q: (
        p - q, _hat("ademamix", o, new) + o.schedule(new.t)[0] * new.m_slow),
    "rprop": lambda o, g, old, p, new, q: (p - q, np.sign(new.g_prev)),
    "lion": lambda o, g, old, p, new, q: (
        p - q, np.sign(o.betas[0] * old.m + (1 - o.betas[0]) * g)),
    "lamb": lambda o, g, old, p, new, q: (p - q, new.m),
    "adafactor": lambda o, g, old, p, new, q: (p - q, g),
    "prodigy": lambda o, g, old, p, new, q: (p - q, new.m),
    "muon": lambda o, g, old, p, new, q: (p - q, _muon(o, g, new)),
    "lbfgs": lambda o, g, old, p, new, q: (np.abs(p - q), np.abs(g)),
}


def _optimizer(name: str):
    """The optimizer with weight decay off (the documented step is weight decay aside)."""
    fields = optimizers.get(name).hyperparameters()
    return optimizers.get(name, **({"weight_decay": 0.0} if "weight_decay" in fields else {}))


def _run(opt):
    """``(g, state, theta, new_state, new_theta)`` of every step on a quadratic bowl."""
    theta = np.random.default_rng(0).normal(size=SHAPE)
    state = opt.init(theta)
    for _ in range(STEPS):
        g = CURVATURE * theta
        new_theta, new_state = opt.update(g, state, theta)
        yield g, state, theta, new_state, new_theta
        theta, state = new_theta, new_state


def test_every_optimizer_has_a_direction():
    assert sorted(DIRECTIONS) == sorted(optimizers.names())


@pytest.mark.parametrize("name", optimizers.names())
def test_effective_step_times_direction_is_the_move(name):
    opt = _optimizer(name)
    moved_any = False
    for g, state, theta, new_state, new_theta in _run(opt):
        step = opt.effective_step(g, state, theta, new_state)
        assert np.shape(step) == SHAPE and np.isfinite(step).all() and (step >= 0).all()
        moved, direction = DIRECTIONS[name](opt, g, state, theta, new_state, new_theta)
        np.testing.assert_allclose(moved, step * direction, rtol=1e-9, atol=1e-15,
                                   err_msg=f"{name} at step {new_state.t}")
        moved_any |= bool(np.any(moved != 0))
    assert moved_any, f"{name} never moved: the check would hold for any step size"


@pytest.mark.parametrize("name", optimizers.names())
def test_momentum_buffer_is_none_or_shaped_like_the_parameters(name):
    opt = _optimizer(name)
    for _g, _state, _theta, new_state, _new in _run(opt):
        buffer = opt.momentum_buffer(new_state)
        assert buffer is None or np.shape(buffer) == SHAPE


def test_momentum_buffers_where_the_rule_has_one():
    with_buffer = {name for name in optimizers.names()
                   if _optimizer(name).momentum_buffer(_optimizer(name).init(np.zeros(SHAPE)))
                   is not None}  # fmt: skip
    assert {"momentum", "nesterov", "adam", "lion", "muon", "lamb"} <= with_buffer
    assert not {"sgd", "adagrad", "rmsprop", "adadelta", "rprop", "asgd", "lbfgs"} & with_buffer


def test_plain_and_adaptive_steps_as_documented():
    """Two formulas by hand: SGD's is its lr; Adagrad's shrinks as squared gradients add up."""
    sgd = optimizers.get("sgd", lr=0.1)
    state = sgd.init(np.zeros(2))
    _, new = sgd.update(np.array([3.0, -4.0]), state, np.zeros(2))
    assert np.array_equal(sgd.effective_step(np.array([3.0, -4.0]), state, np.zeros(2), new),
                          [0.1, 0.1])
    adagrad = optimizers.get("adagrad", lr=0.5, eps=0.0)
    state = adagrad.init(np.zeros(2))
    _, new = adagrad.update(np.array([3.0, -4.0]), state, np.zeros(2))
    step = adagrad.effective_step(np.array([3.0, -4.0]), state, np.zeros(2), new)
    assert step.tolist() == [0.5 / 3.0, 0.5 / 4.0]
    assert math.isclose(adagrad.effective_step(np.ones(2), new, np.zeros(2),
                                               adagrad.update(np.ones(2), new, np.zeros(2))[1])[0],
                        0.5 / math.sqrt(10.0))  # fmt: skip
