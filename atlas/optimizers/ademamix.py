"""AdEMAMix (Pagliardini et al., 2024): Adam with a second, slow momentum mixed in.

It follows the ``pytorch_optimizer`` package (version 4.1.0), the per-parameter
branch of ``step``, as Yogi and Adan do (:mod:`atlas.optimizers.adam_modern`, whose
weight decay and checks of the betas it shares). Left out, as there: ``cautious`` and
``stable_adamw`` (they reduce over a whole tensor, which would couple the starts of a
run), ``maximize`` and ``foreach``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.adam_modern import apply_weight_decay, check_betas_interval
from atlas.optimizers.base import Optimizer, State, as_float_array, lerp, step_inputs


@dataclass(frozen=True)
class AdEMAMixState(State):
    """``m``: the fast momentum (:math:`\\beta_1`); ``m_slow``: the slow one
    (:math:`\\beta_3`); ``v``: the second moment."""

    m: np.ndarray
    m_slow: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class AdEMAMix(Optimizer):
    """AdEMAMix (Pagliardini et al., 2024): Adam plus a second, much slower momentum.

    A single EMA must choose between reacting to recent gradients and
    remembering old ones; AdEMAMix adds :math:`\\alpha` times a slow EMA
    (:math:`\\beta_3 = 0.9999`, a memory of ~10,000 steps) to Adam's fast one:
    *The AdEMAMix Optimizer: Better, Faster, Older*, 2024. With
    ``t_alpha_beta3`` both :math:`\\alpha` and :math:`\\beta_3` warm up over that
    many steps. Departure: with the warm-up the package takes logarithms of
    :math:`\\beta_1` and :math:`\\beta_3` and divides by a mix of them, which is
    undefined for :math:`\\beta_1 = 0` or can cross zero for
    :math:`\\beta_1 > \\beta_3`, and divides by ``t_alpha_beta3``; atlas then
    requires :math:`0 < \\beta_1 \\le \\beta_3` and ``t_alpha_beta3 > 0``.
    """

    name: ClassVar[str] = "ademamix"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "AdEMAMix"
    description: ClassVar[str] = "Adam plus alpha times a much slower second momentum"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2, \beta_3 \text{ (betas)},\ \alpha,
  \ T \text{ (t\_alpha\_beta3)},\ \epsilon,\ \lambda \text{ (weight decay)},
  \ \textit{weight\_decouple},\ \textit{fixed\_decay} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ m^{slow}_0 \leftarrow 0,\ v_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),
  \quad (g_t, \theta_{t-1}) \leftarrow \text{weight decay}(g_t, \theta_{t-1}) \\
&\quad \alpha_t \leftarrow \min(t \alpha / T, \alpha),
  \quad u_t \leftarrow \frac{\ln \beta_1 \ln \beta_3}{(1 - t/T) \ln \beta_3 + (t/T) \ln \beta_1},
  \quad \beta_{3,t} \leftarrow \min(e^{u_t}, \beta_3)
  \quad (\alpha, \beta_3 \text{ if no } T) \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad m^{slow}_t \leftarrow \beta_{3,t} m^{slow}_{t-1} + (1 - \beta_{3,t}) g_t \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \frac{m_t / (1 - \beta_1^t)
  + \alpha_t m^{slow}_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
"""

    lr: float = 1e-3
    betas: tuple[float, float, float] = (0.9, 0.999, 0.9999)
    weight_decay: float = 0.0
    weight_decouple: bool = False
    fixed_decay: bool = False
    alpha: float = 5.0
    t_alpha_beta3: float | None = None
    eps: float = 1e-8

    def check(self) -> None:
        self._require_nonnegative("lr", "alpha", "weight_decay", "eps")
        check_betas_interval(self, last_closed=True)
        if self.t_alpha_beta3 is not None:
            if not self.t_alpha_beta3 > 0:
                self._fail("t_alpha_beta3", "> 0 (or None, for no warm-up)")
            beta1, _, beta3 = self.betas
            if not 0 < beta1 <= beta3:
                self._fail("betas", "such that 0 < betas[0] <= betas[2] with t_alpha_beta3")

    def init(self, params: np.ndarray) -> AdEMAMixState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return AdEMAMixState(t=0, m=zeros, m_slow=zeros, v=zeros)

    def schedule(self, t: int) -> tuple[float, float]:
        """:math:`(\\alpha_t, \\beta_{3,t})`, as ``schedule_alpha`` and ``schedule_beta3``."""
        alpha, (beta1, _, beta3), T = self.alpha, self.betas, self.t_alpha_beta3
        if T is None:
            return alpha, beta3
        log_beta1, log_beta3 = math.log(beta1), math.log(beta3)
        mixed = (1.0 - t / T) * log_beta3 + (t / T) * log_beta1
        return min(t * alpha / T, alpha), min(math.exp(log_beta1 * log_beta3 / mixed), beta3)

    def update(
        self, grad: np.ndarray, state: AdEMAMixState, params: np.ndarray
    ) -> tuple[np.ndarray, AdEMAMixState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2, _) = self.rate(params), self.betas
        alpha_t, beta3_t = self.schedule(t)
        g, theta = apply_weight_decay(self, g, theta)
        m = lerp(state.m, g, 1.0 - beta1)
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        m_slow = lerp(state.m_slow, g, 1.0 - beta3_t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
        step = m / (1 - beta1**t) + alpha_t * m_slow
        return theta - lr * (step / denom), AdEMAMixState(t=t, m=m, m_slow=m_slow, v=v)

    def effective_step(self, grad: np.ndarray, state: AdEMAMixState, params: np.ndarray,
                       new_state: AdEMAMixState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / (\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon)` per unit of
        :math:`\hat m_t + \alpha_t m^{slow}_t`."""
        bias_correction2 = 1 - self.betas[1] ** new_state.t
        return self.rate(params) / (np.sqrt(new_state.v) / math.sqrt(bias_correction2) + self.eps)

    def momentum_buffer(self, state: AdEMAMixState) -> np.ndarray | None:
        """The fast momentum :math:`m_t`."""
        return state.m
