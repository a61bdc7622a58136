"""Stochastic gradient descent, with optional heavy-ball or Nesterov momentum.

Follows ``torch.optim.SGD`` (``_single_tensor_sgd``): on the first step the
momentum buffer is the gradient itself (no dampening), afterwards
:math:`b_t = \\mu b_{t-1} + (1 - \\tau) g_t`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class SGDState(State):
    """``t`` steps taken; ``b`` is the momentum buffer :math:`b_t` (zeros until step 1)."""

    b: np.ndarray


@dataclass(frozen=True)
class SGD(Optimizer):
    """Plain gradient descent :math:`\\theta \\leftarrow \\theta - \\gamma g`, plus momentum.

    With ``momentum`` :math:`\\mu > 0` the step follows the buffer :math:`b_t`, an
    exponentially weighted sum of past gradients (heavy ball); with ``nesterov``
    it looks one step ahead, :math:`g_t + \\mu b_t`.
    """

    name: ClassVar[str] = "sgd"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "SGD"
    description: ClassVar[str] = "Gradient descent: step against the gradient, scaled by lr"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \mu \text{ (momentum)},\ \tau \text{ (dampening)},
  \ \lambda \text{ (weight decay)},\ \textit{nesterov} \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \textbf{if}\ \mu \neq 0: \\
&\qquad b_t \leftarrow \begin{cases} g_t & t = 1 \\
  \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
&\qquad g_t \leftarrow \begin{cases} g_t + \mu b_t & \textit{nesterov} \\
  b_t & \text{otherwise} \end{cases} \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma g_t
"""

    lr: float = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    def check(self) -> None:
        self._require_nonnegative("lr", "momentum", "weight_decay")
        if self.nesterov and self.momentum <= 0:
            self._fail("momentum", "> 0 when nesterov=True")
        if self.nesterov and self.dampening != 0:
            self._fail("dampening", "0 when nesterov=True")

    def init(self, params: np.ndarray) -> SGDState:
        return SGDState(t=0, b=np.zeros_like(as_float_array(params, "params")))

    def update(
        self, grad: np.ndarray, state: SGDState, params: np.ndarray
    ) -> tuple[np.ndarray, SGDState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, mu, tau = self.rate(params), self.momentum, self.dampening
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        b = state.b
        if mu != 0:
            b = g.copy() if t == 1 else mu * b + (1 - tau) * g
            g = g + mu * b if self.nesterov else b
        return theta - lr * g, SGDState(t=t, b=b)

    def effective_step(self, grad: np.ndarray, state: SGDState, params: np.ndarray,
                       new_state: SGDState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma` in every coordinate, per unit of :math:`g_t` (with momentum: of
        :math:`b_t`; with Nesterov: of :math:`g_t + \mu b_t`)."""
        return np.full(np.shape(params), self.rate(params))

    def momentum_buffer(self, state: SGDState) -> np.ndarray | None:
        r""":math:`b_t`, where there is momentum (:math:`\mu > 0`)."""
        return state.b if self.momentum != 0 else None


@dataclass(frozen=True)
class Momentum(SGD):
    """SGD with heavy-ball momentum: ``SGD(momentum=0.9)`` under its own name."""

    name: ClassVar[str] = "momentum"
    title: ClassVar[str] = "Momentum"
    description: ClassVar[str] = "SGD with heavy-ball momentum 0.9: steps follow a running sum"

    momentum: float = 0.9


@dataclass(frozen=True)
class Nesterov(SGD):
    """SGD with Nesterov momentum: ``SGD(momentum=0.9, nesterov=True)``."""

    name: ClassVar[str] = "nesterov"
    title: ClassVar[str] = "Nesterov"
    description: ClassVar[str] = "SGD with Nesterov momentum 0.9: the step looks one move ahead"

    momentum: float = 0.9
    nesterov: bool = True
