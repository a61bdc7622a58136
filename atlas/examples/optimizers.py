r"""Worked examples of the chapters *Optimizers* and *Adadelta, Adam and their relatives*.

Replay an optimizer on a gradient sequence you choose, to watch one rule at work
(:func:`replay`), or trace what its state says along a run on a surface
(:func:`state_trace`, drawn by the catalog's ``optimizer/<name>/state``).

A surface run (:func:`atlas.trajectory.trajectory`) asks the surface for each
gradient; here the gradients are given, so a chapter can ask precise
questions of a rule: how far does Adam's first step go for a gradient of
:math:`10^{-3}` or of :math:`10^3`? When does RAdam switch its adaptive step
on? What does Rprop do after a sign flip? The run is the fold

.. math::

    (\theta_k, s_k) = \mathrm{update}(g_k, s_{k-1}, \theta_{k-1}), \qquad k = 1, \ldots, T,

recorded step by step, with nothing but the optimizer's own ``init``/``update``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from atlas import optimizers
from atlas.optimizers import Adam, NAdam, Optimizer, State
from atlas.surfaces import Surface


@dataclass(frozen=True)
class Replay:
    """A recorded fold: ``params[k]`` is :math:`\\theta_k` (row 0 the start) and
    ``states[k]`` the optimizer state after step ``k`` (``states[0]`` the initial one)."""

    params: np.ndarray
    states: tuple[State, ...]

    @property
    def steps(self) -> np.ndarray:
        """The moves :math:`\\Delta\\theta_k = \\theta_k - \\theta_{k-1}`, one row per step."""
        return np.diff(self.params, axis=0)


def replay(
    optimizer: Optimizer | str, grads: np.ndarray | list, params: np.ndarray | list | float
) -> Replay:
    """Apply ``optimizer`` to the gradients ``grads[0], grads[1], ...`` from ``params``.

    ``grads`` has shape ``(T, *params.shape)``; ``optimizer`` is an optimizer or
    a registry name (default hyperparameters). Raises ``ValueError`` for
    mismatched shapes or non-finite values.
    """
    opt = optimizers.get(optimizer) if isinstance(optimizer, str) else optimizer
    theta = np.array(params, dtype=np.float64)
    g_all = np.array(grads, dtype=np.float64)
    if g_all.ndim < 1 or g_all.shape[1:] != theta.shape:
        raise ValueError(f"grads must have shape (T, *{theta.shape}), got {g_all.shape}")
    if not (np.isfinite(theta).all() and np.isfinite(g_all).all()):
        raise ValueError("params and grads must be finite")
    state = opt.init(theta)
    rows, states = [theta], [state]
    for g in g_all:
        theta, state = opt.update(g, state, theta)
        rows.append(theta)
        states.append(state)
    return Replay(params=np.stack(rows), states=tuple(states))


def step_per_unit_gradient(optimizer: Adam, run: Replay) -> np.ndarray:
    r"""The per-coordinate step size of an Adam-family run, one row per step:
    :math:`\gamma / (\sqrt{\hat v_t} + \epsilon)` with :math:`\hat v_t = v_t/(1 - \beta_2^t)`,
    or, for AMSGrad, the running maximum :math:`v^{max}_t/(1 - \beta_2^t)` (PyTorch's
    order: the maximum first, then the bias correction). The move of step ``t`` is this
    times :math:`\hat m_t`."""
    if not isinstance(optimizer, Adam):
        raise ValueError(f"optimizer must be Adam or a variant, got {type(optimizer).__name__}")
    rows = []
    for state in run.states[1:]:
        v = state.v_max if optimizer.amsgrad else state.v
        v_hat = v / (1.0 - optimizer.betas[1] ** state.t)
        rows.append(optimizer.lr / (np.sqrt(v_hat) + optimizer.eps))
    return np.array(rows)


def radam_rho(beta2: float, t: int | np.ndarray) -> float | np.ndarray:
    r"""RAdam's :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1 - \beta_2^t)`,
    :math:`\rho_\infty = 2/(1 - \beta_2) - 1`: the length of the simple moving
    average that the exponential average :math:`v_t` resembles.

    RAdam uses the adaptive (Adam) step only once :math:`\rho_t > 5`.
    """
    if isinstance(beta2, bool) or not isinstance(beta2, numbers.Real) or not 0 < beta2 < 1:
        raise ValueError(f"beta2 must be a number in (0, 1), got {beta2!r}")
    t_array = np.asarray(t)
    if not np.issubdtype(t_array.dtype, np.integer) or np.any(t_array < 1):
        raise ValueError(f"t must be integer steps >= 1, got {t!r}")
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    beta2_t = float(beta2) ** t_array.astype(np.float64)
    rho = rho_inf - 2.0 * t_array * beta2_t / (1.0 - beta2_t)
    return float(rho) if rho.ndim == 0 else rho


def nadam_momentum(optimizer: NAdam, t: int | np.ndarray) -> float | np.ndarray:
    r"""NAdam's momentum coefficient :math:`\mu_t = \beta_1(1 - \tfrac12\,0.96^{t\psi})`
    at step(s) ``t``, for the optimizer's :math:`\beta_1` and :math:`\psi` (``momentum_decay``).

    It warms up from about :math:`\beta_1/2` towards :math:`\beta_1`; with the
    default :math:`\psi = 0.004` it is halfway there only after
    :math:`t = \log_{0.96}(1/2)/\psi \approx 4245` steps.
    """
    if not isinstance(optimizer, NAdam):
        raise ValueError(f"optimizer must be a NAdam, got {type(optimizer).__name__}")
    t_array = np.asarray(t)
    if not np.issubdtype(t_array.dtype, np.integer) or np.any(t_array < 1):
        raise ValueError(f"t must be integer steps >= 1, got {t!r}")
    beta1 = optimizer.betas[0]
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t_array * optimizer.momentum_decay))
    return float(mu) if mu.ndim == 0 else mu


@dataclass(frozen=True)
class StateTrace:
    """An optimizer's run on a surface and what its state says at every step.

    ``xy[k]`` is the point after step ``k`` (row 0 the start; the finite prefix if
    the run diverged), ``momentum[k]`` the momentum buffer after step ``k`` (None
    for an optimizer without one, :meth:`~atlas.optimizers.Optimizer.momentum_buffer`),
    and ``step_sizes[k - 1]`` the per-coordinate step size of step ``k``
    (:meth:`~atlas.optimizers.Optimizer.effective_step`).
    """

    xy: np.ndarray
    momentum: np.ndarray | None
    step_sizes: np.ndarray


def state_trace(optimizer: Optimizer, surface: Surface, steps: int) -> StateTrace:
    """Run ``optimizer`` from ``surface.start`` for ``steps`` steps, recording its state.

    The same run as :func:`atlas.trajectory.trajectory` (a per-tensor optimizer sees
    the point as a ``1 x 2`` matrix); it ends at the first non-finite point or value.
    """
    inner = (2,) if optimizer.elementwise else (1, 2)
    p = np.asarray(surface.start, dtype=np.float64).reshape(inner)
    state = optimizer.init(p)
    xy, buffers, sizes = [p.reshape(2)], [optimizer.momentum_buffer(state)], []
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            g = np.reshape(surface.gradient_xy(p.reshape(2)), inner)
            p_new, state_new = optimizer.update(g, state, p)
            if not (np.isfinite(p_new).all() and np.isfinite(surface.value_xy(p_new.reshape(2)))):
                break
            sizes.append(np.reshape(optimizer.effective_step(g, state, p, state_new), 2))
            buffers.append(optimizer.momentum_buffer(state_new))
            p, state = p_new, state_new
            xy.append(p.reshape(2))
    momentum = None if buffers[0] is None else np.stack([np.reshape(b, 2) for b in buffers])
    return StateTrace(np.stack(xy), momentum, np.array(sizes).reshape(-1, 2))
