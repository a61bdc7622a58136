"""Averaged SGD: SGD with a decaying step, and a running average of its iterates.

Follows ``torch.optim.ASGD`` (``_single_tensor_asgd``, the default
non-capturable branch), after Polyak & Juditsky (1992). The parameters
themselves follow plain SGD (with a step :math:`\\eta_t` that shrinks slowly
and a decay towards zero); the
*average* :math:`\\bar a_t` of the iterates from step :math:`t_0` on is kept in
the state (``ax``), as PyTorch keeps it, and :meth:`ASGD.averaged` returns it.

One departure: PyTorch checks only ``lr >= 0`` and ``weight_decay >= 0``; atlas
also requires ``lambd >= 0``, since a negative one makes
:math:`1 + \\lambda \\gamma t` negative after enough steps and its power
:math:`\\alpha` complex.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class ASGDState(State):
    """``eta``: the step size :math:`\\eta_t` of the next step; ``mu``: the
    averaging weight :math:`\\mu_t` of the next step (both scalars, functions of
    ``t`` only; with one learning rate per start, ``eta`` is an array with a row per
    start); ``ax``: the averaged iterate :math:`\\bar a_t` (zeros until step 1)."""

    eta: float | np.ndarray
    mu: float
    ax: np.ndarray


@dataclass(frozen=True)
class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky, 1992): SGD whose iterates are averaged.

    Each step is an SGD step of size :math:`\\eta_{t-1}`, which decays as
    :math:`\\gamma / (1 + \\lambda\\gamma t)^\\alpha`, after shrinking the
    parameters by :math:`1 - \\lambda\\eta_{t-1}`. Until step :math:`t_0` the
    average is simply the current point; afterwards it is the plain mean of the
    iterates since :math:`t_0`, which smooths out SGD's noise. The path drawn is
    the parameters; the average is ``state.ax`` (see :meth:`averaged`).
    """

    name: ClassVar[str] = "asgd"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "ASGD"
    description: ClassVar[str] = "Averaged SGD: a decaying SGD step, plus the mean of the iterates"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \lambda \text{ (lambd)},\ \alpha,\ t_0,
  \ \omega \text{ (weight decay)} \\
&\textbf{initialize}: \eta_0 \leftarrow \gamma,\ \mu_0 \leftarrow 1,\ \bar a_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{if}\ \omega \neq 0:\ g_t \leftarrow g_t + \omega \theta_{t-1} \\
&\quad \theta_t \leftarrow \theta_{t-1} (1 - \lambda \eta_{t-1}) - \eta_{t-1} g_t \\
&\quad \bar a_t \leftarrow \begin{cases} \theta_t & \mu_{t-1} = 1 \\
  \bar a_{t-1} + \mu_{t-1} (\theta_t - \bar a_{t-1}) & \text{otherwise} \end{cases} \\
&\quad \eta_t \leftarrow \gamma / (1 + \lambda \gamma t)^{\alpha} \\
&\quad \mu_t \leftarrow 1 / \max(1, t - t_0)
"""

    lr: float = 1e-2
    lambd: float = 1e-4
    alpha: float = 0.75
    t0: float = 1e6
    weight_decay: float = 0.0

    def check(self) -> None:
        self._require_nonnegative("lr", "weight_decay", "lambd")

    def init(self, params: np.ndarray) -> ASGDState:
        theta = as_float_array(params, "params")
        return ASGDState(t=0, eta=self.rate(theta), mu=1.0, ax=np.zeros_like(theta))

    def update(
        self, grad: np.ndarray, state: ASGDState, params: np.ndarray
    ) -> tuple[np.ndarray, ASGDState]:
        g, theta, t = step_inputs(grad, state, params)
        lambd, eta, mu = self.lambd, state.eta, state.mu
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        theta = theta * (1 - lambd * eta) - eta * g
        ax = theta.copy() if mu == 1 else state.ax + mu * (theta - state.ax)
        eta_next = self.eta(t, np.shape(eta))
        mu_next = 1 / max(1.0, t - self.t0)
        return theta, ASGDState(t=t, eta=eta_next, mu=mu_next, ax=ax)

    def effective_step(self, grad: np.ndarray, state: ASGDState, params: np.ndarray,
                       new_state: ASGDState) -> np.ndarray:  # fmt: skip
        r""":math:`\eta_{t-1}` in every coordinate, per unit of
        :math:`g_t + \lambda\theta_{t-1}` (the decaying SGD step)."""
        return np.full(np.shape(params), state.eta, dtype=float)

    def eta(self, t: int, shape: tuple[int, ...] = ()) -> float | np.ndarray:
        """:math:`\\eta_t = \\gamma / (1 + \\lambda\\gamma t)^\\alpha`; with one rate per start,
        an array of ``shape`` (that of the state's ``eta``), worked out rate by rate in
        Python floats, as for one rate (numpy's power may differ from Python's in the
        last bit)."""
        lambd, alpha = self.lambd, self.alpha
        if not isinstance(self.lr, tuple):
            return self.lr / ((1 + lambd * self.lr * t) ** alpha)
        return np.reshape([lr / ((1 + lambd * lr * t) ** alpha) for lr in self.lr], shape)

    def averaged(self, state: ASGDState) -> np.ndarray:
        """The averaged iterate :math:`\\bar a_t` (``state.ax``; zeros before the first step).

        PyTorch never swaps it into the model, so its users evaluate the parameters, and
        ``atlas train`` does too (``evaluate_averaged`` stays False).
        """
        return state.ax
