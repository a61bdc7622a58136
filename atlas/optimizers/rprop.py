"""Rprop: each coordinate keeps its own step size and uses only the gradient's sign.

Follows ``torch.optim.Rprop`` (``_single_tensor_rprop``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class RpropState(State):
    """``g_prev``: the previous (possibly zeroed) gradient; ``eta``: per-coordinate step sizes."""

    g_prev: np.ndarray
    eta: np.ndarray


@dataclass(frozen=True)
class Rprop(Optimizer):
    """Rprop (Riedmiller & Braun, 1993): resilient backpropagation.

    While a coordinate's gradient keeps its sign the step size grows by
    :math:`\\eta_+`; when the sign flips the last step overshot, so the step
    size shrinks by :math:`\\eta_-` and that coordinate pauses for one step
    (its gradient is set to 0, which also makes the next comparison neutral).
    The gradient's magnitude is never used, only its sign.

    The sign test uses :math:`\\mathrm{sign}(g_t)\\,\\mathrm{sign}(g_{prev})`
    rather than PyTorch's :math:`\\mathrm{sign}(g_t g_{prev})`: equal except
    that the product cannot overflow or underflow.
    """

    name: ClassVar[str] = "rprop"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Rprop"
    description: ClassVar[str] = "Sign-based steps with per-coordinate sizes that grow or shrink"
    latex: ClassVar[str] = r"""
&\textbf{input}: \eta_0 \text{ (lr)},\ \eta_{+}, \eta_{-} \text{ (etas)},
  \ \Gamma_{min}, \Gamma_{max} \text{ (step sizes)} \\
&\textbf{initialize}: g_{prev} \leftarrow 0,\ \eta \leftarrow \eta_0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{for each coordinate}\ i: \\
&\qquad \textbf{if}\ g^i_{prev} g^i_t > 0:
  \ \eta^i_t \leftarrow \min(\eta^i_{t-1} \eta_{+}, \Gamma_{max}) \\
&\qquad \textbf{else if}\ g^i_{prev} g^i_t < 0:
  \ \eta^i_t \leftarrow \max(\eta^i_{t-1} \eta_{-}, \Gamma_{min}),\ g^i_t \leftarrow 0 \\
&\qquad \textbf{else}:\ \eta^i_t \leftarrow \eta^i_{t-1} \\
&\quad \theta_t \leftarrow \theta_{t-1} - \eta_t \, \mathrm{sign}(g_t) \\
&\quad g_{prev} \leftarrow g_t
"""

    lr: float = 1e-2
    etas: tuple[float, float] = (0.5, 1.2)
    step_sizes: tuple[float, float] = (1e-6, 50.0)

    def check(self) -> None:
        self._require_nonnegative("lr")
        eta_minus, eta_plus = self.etas
        if not 0 < eta_minus < 1 < eta_plus:
            self._fail("etas", "(eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus")
        step_min, step_max = self.step_sizes
        if not 0 < step_min <= step_max:
            self._fail("step_sizes", "(min, max) with 0 < min <= max")

    def init(self, params: np.ndarray) -> RpropState:
        theta = as_float_array(params, "params")
        eta = np.full(theta.shape, self.rate(theta), dtype=theta.dtype)
        return RpropState(t=0, g_prev=np.zeros_like(theta), eta=eta)

    def update(
        self, grad: np.ndarray, state: RpropState, params: np.ndarray
    ) -> tuple[np.ndarray, RpropState]:
        g, theta, t = step_inputs(grad, state, params)
        eta_minus, eta_plus = self.etas
        step_min, step_max = self.step_sizes
        same_sign = np.sign(g) * np.sign(state.g_prev)  # +1 kept, -1 flipped, 0 unknown
        factor = np.where(same_sign > 0, eta_plus, np.where(same_sign < 0, eta_minus, 1.0))
        eta = np.clip(state.eta * factor.astype(theta.dtype), step_min, step_max)
        g = np.where(same_sign < 0, 0, g)  # after a sign flip, pause this coordinate
        return theta - np.sign(g) * eta, RpropState(t=t, g_prev=g, eta=eta)

    def effective_step(self, grad: np.ndarray, state: RpropState, params: np.ndarray,
                       new_state: RpropState) -> np.ndarray:  # fmt: skip
        r"""Its own step sizes :math:`\eta_t`, per unit of :math:`\operatorname{sign} g_t`
        (which is 0 where the sign flipped: that coordinate pauses for a step)."""
        return new_state.eta
