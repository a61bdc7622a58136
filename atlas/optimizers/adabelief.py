"""AdaBelief: Adam whose denominator is the spread of the gradient around its prediction.

Follows the authors' ``adabelief-pytorch`` package (``AdaBelief``, version
0.2.1) with its defaults: decoupled weight decay (``weight_decouple=True``),
RAdam-style rectification (``rectify=True``), plain momentum steps while the
rectification is undefined (``degenerated_to_sgd=True``) and ``eps=1e-16``.
Four quirks of the package are kept, since they are its numbers:

* ``eps`` is added to the stored :math:`s_t` itself (in place), on every step, as
  well as to the denominator;
* with ``rectify`` the adaptive step divides by :math:`\\sqrt{s_t} + \\epsilon`
  (the bias correction is inside the step size), and it uses :math:`s_t`
  even with ``amsgrad`` (which then only updates its running maximum);
* the rectified step switches on at :math:`\\rho_t \\ge 5` (RAdam: :math:`> 5`);
* decoupled weight decay multiplies the weights on every step, also when the
  decay is 0 (a multiplication by 1).

Departures: the package checks ``lr``, ``eps`` and the betas (kept here) but not
``weight_decay``, which atlas requires to be ``>= 0``; its ``print_change_log``
(a console message) has no counterpart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.adam import check_betas
from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class AdaBeliefState(State):
    """``m``: first moment; ``s``: the "belief", an EMA of :math:`(g - m)^2` (plus
    ``eps`` per step); ``s_max``: running maximum of ``s`` (AMSGrad only, zeros otherwise)."""

    m: np.ndarray
    s: np.ndarray
    s_max: np.ndarray


@dataclass(frozen=True)
class AdaBelief(Optimizer):
    """AdaBelief (Zhuang et al., 2020): adapt the step to the belief in the gradient.

    Adam divides by the RMS of the gradients; AdaBelief by the RMS of
    :math:`g_t - m_t`, the surprise of each gradient given the momentum. Where
    the gradients agree with their average (a smooth slope) the denominator is
    small and the steps are large; where they scatter, the steps are small.
    """

    name: ClassVar[str] = "adabelief"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "AdaBelief"
    description: ClassVar[str] = "Adam dividing by the RMS of g - m (the gradient's surprise)"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \textit{amsgrad},\ \textit{weight\_decouple},
  \ \textit{fixed\_decay},\ \textit{rectify},\ \textit{degenerated\_to\_sgd} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ s_0 \leftarrow 0,\ s_0^{max} \leftarrow 0,
  \ \rho_\infty \leftarrow 2 / (1 - \beta_2) - 1 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),\quad \theta_t \leftarrow \theta_{t-1} \\
&\quad \textbf{if}\ \textit{weight\_decouple}:\ \theta_t \leftarrow \theta_{t-1}
  (1 - \lambda) \text{ if } \textit{fixed\_decay} \text{ else } \theta_{t-1} (1 - \gamma\lambda) \\
&\quad \textbf{else if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) (g_t - m_t)^2 + \epsilon \\
&\quad \textbf{if}\ \textit{amsgrad}:\ s_t^{max} \leftarrow \max(s_{t-1}^{max}, s_t),
  \ \hat s_t \leftarrow s_t^{max} \quad \textbf{else}:\ \hat s_t \leftarrow s_t \\
&\quad \textbf{if not}\ \textit{rectify}:\ \theta_t \leftarrow \theta_t
  - \frac{\gamma}{1 - \beta_1^t} \, m_t \Big/
  \Big(\sqrt{\hat s_t / (1 - \beta_2^t)} + \epsilon\Big) \\
&\quad \textbf{else}: \\
&\qquad \rho_t \leftarrow \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
&\qquad \textbf{if}\ \rho_t \ge 5:\ r_t \leftarrow \sqrt{(1 - \beta_2^t)
  \frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}},
  \quad \theta_t \leftarrow \theta_t - \frac{\gamma r_t}{1 - \beta_1^t} \,
  \frac{m_t}{\sqrt{s_t} + \epsilon} \\
&\qquad \textbf{else if}\ \textit{degenerated\_to\_sgd}:
  \ \theta_t \leftarrow \theta_t - \frac{\gamma}{1 - \beta_1^t} \, m_t
"""

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-16
    weight_decay: float = 0.0
    amsgrad: bool = False
    weight_decouple: bool = True
    fixed_decay: bool = False
    rectify: bool = True
    degenerated_to_sgd: bool = True

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay")
        check_betas(self)

    def init(self, params: np.ndarray) -> AdaBeliefState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return AdaBeliefState(t=0, m=zeros, s=zeros, s_max=zeros)

    def update(
        self, grad: np.ndarray, state: AdaBeliefState, params: np.ndarray
    ) -> tuple[np.ndarray, AdaBeliefState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), eps, wd = self.rate(params), self.betas, self.eps, self.weight_decay
        if self.weight_decouple:
            theta = theta * (1.0 - (wd if self.fixed_decay else lr * wd))
        elif wd != 0:
            g = g + wd * theta
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        m = beta1 * state.m + (1 - beta1) * g
        residual = g - m
        s = beta2 * state.s + (1 - beta2) * residual * residual
        s += eps  # the package adds eps to the stored s itself
        s_max = np.maximum(state.s_max, s) if self.amsgrad else state.s_max
        if not self.rectify:
            denom = np.sqrt(s_max if self.amsgrad else s) / math.sqrt(bias_correction2) + eps
            theta = theta - (lr / bias_correction1) * (m / denom)
        else:
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
            if rho_t >= 5:
                # the package's expression, term by term, for the same rounding
                step_size = math.sqrt(
                    bias_correction2 * (rho_t - 4) / (rho_inf - 4) * (rho_t - 2) / rho_t
                    * rho_inf / (rho_inf - 2)
                ) / bias_correction1  # fmt: skip
                theta = theta - (step_size * lr) * (m / (np.sqrt(s) + eps))
            elif self.degenerated_to_sgd:
                theta = theta - (lr / bias_correction1) * m
        return theta, AdaBeliefState(t=t, m=m, s=s, s_max=s_max)

    def effective_step(self, grad: np.ndarray, state: AdaBeliefState, params: np.ndarray,
                       new_state: AdaBeliefState) -> np.ndarray:  # fmt: skip
        r"""Per unit of :math:`m_t`: rectified (the default), :math:`\gamma\, r_t /
        (\sqrt{s_t} + \epsilon)` once :math:`\rho_t \ge 5` (:math:`r_t` the step size
        above, bias corrections included), else :math:`\gamma / (1 - \beta_1^t)` (or 0
        without ``degenerated_to_sgd``); unrectified, :math:`\gamma / (1 - \beta_1^t)`
        over :math:`\sqrt{s_t / (1 - \beta_2^t)} + \epsilon`."""
        t, (beta1, beta2), eps = new_state.t, self.betas, self.eps
        bias_correction1, bias_correction2 = 1 - beta1**t, 1 - beta2**t
        s = new_state.s_max if self.amsgrad else new_state.s
        if not self.rectify:
            lr = self.rate(params)
            return (lr / bias_correction1) / (np.sqrt(s) / math.sqrt(bias_correction2) + eps)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
        if rho_t < 5:
            sgd = self.rate(params) / bias_correction1 if self.degenerated_to_sgd else 0.0
            return np.full(np.shape(params), sgd)
        step_size = math.sqrt(bias_correction2 * (rho_t - 4) / (rho_inf - 4) * (rho_t - 2)
                              / rho_t * rho_inf / (rho_inf - 2)) / bias_correction1  # fmt: skip
        return (step_size * self.rate(params)) / (np.sqrt(new_state.s) + eps)

    def momentum_buffer(self, state: AdaBeliefState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m
