"""Two recent relatives of Adam, Yogi and Adan (the third, AdEMAMix, is in its own module).

Each follows the ``pytorch_optimizer`` package (version 4.1.0): ``Yogi``,
``Adan`` (and ``AdEMAMix``), the per-parameter branch of ``step`` (its batched
"foreach" branch computes the same formulas). Weight decay follows the
package's ``apply_weight_decay``: nothing when the decay is 0; decoupled
(``weight_decouple``) it shrinks the weights by :math:`1 - \\gamma\\lambda`, or by
:math:`1 - \\lambda` with ``fixed_decay``; coupled it adds :math:`\\lambda\\theta`
to the gradient. (Adan applies its own decay, see its docstring.)

Every rule here works coordinate by coordinate. The package's options that
reduce over a whole tensor are left out, since they would couple the starts of
a run (or the entries of a weight matrix): Adan's ``max_grad_norm`` (a clip by
the norm of all gradients), ``use_gc`` (gradient centralisation) and
``adanorm``, AdEMAMix's ``cautious`` and ``stable_adamw``; so are Yogi's
``adam_debias`` and every optimizer's ``maximize`` and ``foreach``. All other
hyperparameters have the package's names and defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, lerp, step_inputs


def check_betas_interval(opt: Optimizer, last_closed: bool = False) -> None:
    """The package's ``validate_betas``: betas in [0, 1); a third in [0, 1] if ``last_closed``."""
    for i, beta in enumerate(opt.betas):
        closed = last_closed and i == 2
        if not (0 <= beta <= 1 if closed else 0 <= beta < 1):
            interval = "[0, 1]" if closed else "[0, 1)"
            raise ValueError(f"{opt.title}: betas[{i}] must be in {interval}, "
                             f"got {beta!r} in betas={opt.betas!r}")


def apply_weight_decay(
    opt: Optimizer, g: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(g, theta)`` after the package's ``apply_weight_decay`` (see the module docstring)."""
    wd = opt.weight_decay
    if wd == 0:
        return g, theta
    if opt.weight_decouple:
        return g, theta * (1.0 - wd * (1.0 if opt.fixed_decay else opt.rate(theta)))
    return g + wd * theta, theta


@dataclass(frozen=True)
class YogiState(State):
    """``m``: first moment; ``v``: second moment, moved additively towards :math:`g^2`
    (both start at ``initial_accumulator``)."""

    m: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class Yogi(Optimizer):
    """Yogi (Zaheer et al., 2018): Adam whose second moment moves by a bounded amount.

    Adam's :math:`v_t` forgets a large past gradient multiplicatively, so after
    a burst it can shrink fast and the step can explode. Yogi changes
    :math:`v_t` by at most :math:`(1 - \\beta_2) g_t^2`, towards :math:`g_t^2`:
    *Adaptive Methods for Nonconvex Optimization*, NeurIPS 2018. Departure: the
    package accepts a negative ``initial_accumulator``, which makes
    :math:`\\sqrt{v}` undefined; atlas requires it to be ``>= 0``.
    """

    name: ClassVar[str] = "yogi"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Yogi"
    description: ClassVar[str] = "Adam whose second moment moves additively to the squared gradient"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ v_0 \text{ (initial accumulator)},\ \lambda \text{ (weight decay)},
  \ \textit{weight\_decouple},\ \textit{fixed\_decay} \\
&\textbf{initialize}: m_0 \leftarrow v_0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),
  \quad (g_t, \theta_{t-1}) \leftarrow \text{weight decay}(g_t, \theta_{t-1}) \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow v_{t-1} - (1 - \beta_2) \operatorname{sign}(v_{t-1} - g_t^2) \, g_t^2 \\
&\quad \theta_t \leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \, m_t \Big/
  \Big(\sqrt{v_t / (1 - \beta_2^t)} + \epsilon\Big)
"""

    lr: float = 1e-2
    betas: tuple[float, float] = (0.9, 0.999)
    initial_accumulator: float = 1e-6
    weight_decay: float = 0.0
    weight_decouple: bool = True
    fixed_decay: bool = False
    eps: float = 1e-3

    def check(self) -> None:
        self._require_nonnegative("lr", "weight_decay", "eps", "initial_accumulator")
        check_betas_interval(self)

    def init(self, params: np.ndarray) -> YogiState:
        start = np.full_like(as_float_array(params, "params"), self.initial_accumulator)
        return YogiState(t=0, m=start, v=start)

    def update(
        self, grad: np.ndarray, state: YogiState, params: np.ndarray
    ) -> tuple[np.ndarray, YogiState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), eps = self.rate(params), self.betas, self.eps
        g, theta = apply_weight_decay(self, g, theta)
        g2 = g * g
        m = lerp(state.m, g, 1.0 - beta1)
        v = state.v - (1.0 - beta2) * (np.sign(state.v - g2) * g2)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
        theta = theta - (lr / (1 - beta1**t)) * (m / denom)
        return theta, YogiState(t=t, m=m, v=v)

    def effective_step(self, grad: np.ndarray, state: YogiState, params: np.ndarray,
                       new_state: YogiState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / (\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon)` per unit of
        :math:`\hat m_t = m_t / (1 - \beta_1^t)`."""
        bias_correction2 = 1 - self.betas[1] ** new_state.t
        return self.rate(params) / (np.sqrt(new_state.v) / math.sqrt(bias_correction2) + self.eps)

    def momentum_buffer(self, state: YogiState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m


@dataclass(frozen=True)
class AdanState(State):
    """``m``: EMA of the gradients; ``d``: EMA of their differences (the paper's
    :math:`v`); ``n``: EMA of the squared look-ahead gradient; ``g_prev``: the last gradient."""

    m: np.ndarray
    d: np.ndarray
    n: np.ndarray
    g_prev: np.ndarray


@dataclass(frozen=True)
class Adan(Optimizer):
    """Adan (Xie et al., 2022): adaptive Nesterov momentum without the extra gradient.

    Nesterov's look-ahead gradient is estimated from the change in gradient,
    :math:`g_t + \\beta_2 (g_t - g_{t-1})`, so it costs no second evaluation; the
    step combines the momentum and an average of the gradient differences, both
    divided by the RMS of the look-ahead gradient: *Adan: Adaptive Nesterov
    Momentum Algorithm for Faster Optimizing Deep Models*, 2022. The betas are
    the package's (one minus the paper's). Coupled weight decay (the default) is
    the paper's proximal step, a division by :math:`1 + \\gamma\\lambda` after the
    update. Departure: the package allows :math:`\\beta_3 = 1`, which divides by
    :math:`1 - \\beta_3^t = 0`; atlas requires :math:`\\beta_3 < 1`.
    """

    name: ClassVar[str] = "adan"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Adan"
    description: ClassVar[str] = "Adaptive Nesterov momentum from gradient differences"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2, \beta_3 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \textit{weight\_decouple} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ d_0 \leftarrow 0,\ n_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),
  \quad \Delta_t \leftarrow g_t - g_{t-1}\ (\Delta_1 \leftarrow 0) \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad d_t \leftarrow \beta_2 d_{t-1} + (1 - \beta_2) \Delta_t \\
&\quad n_t \leftarrow \beta_3 n_{t-1} + (1 - \beta_3) (g_t + \beta_2 \Delta_t)^2 \\
&\quad \delta_t \leftarrow \sqrt{n_t / (1 - \beta_3^t)} + \epsilon \\
&\quad \textbf{if}\ \lambda \neq 0 \textbf{ and } \textit{weight\_decouple}:
  \ \theta_{t-1} \leftarrow \theta_{t-1} (1 - \gamma \lambda) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{\delta_t}
  - \frac{\gamma \beta_2}{1 - \beta_2^t} \frac{d_t}{\delta_t} \\
&\quad \textbf{if}\ \lambda \neq 0 \textbf{ and not } \textit{weight\_decouple}:
  \ \theta_t \leftarrow \theta_t / (1 + \gamma \lambda)
"""

    lr: float = 1e-3
    betas: tuple[float, float, float] = (0.98, 0.92, 0.99)
    weight_decay: float = 0.0
    weight_decouple: bool = False
    eps: float = 1e-8

    def check(self) -> None:
        self._require_nonnegative("lr", "weight_decay", "eps")
        check_betas_interval(self)

    def init(self, params: np.ndarray) -> AdanState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return AdanState(t=0, m=zeros, d=zeros, n=zeros, g_prev=zeros)

    def update(
        self, grad: np.ndarray, state: AdanState, params: np.ndarray
    ) -> tuple[np.ndarray, AdanState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2, beta3), wd = self.rate(params), self.betas, self.weight_decay
        # The package starts its "previous gradient" at -g_1, so the first difference is 0.
        diff = g - state.g_prev if t > 1 else np.zeros_like(g)
        m = lerp(state.m, g, 1.0 - beta1)
        d = lerp(state.d, diff, 1.0 - beta2)
        ahead = beta2 * diff + g
        n = beta3 * state.n + (1.0 - beta3) * (ahead * ahead)
        denom = np.sqrt(n) / math.sqrt(1 - beta3**t) + self.eps
        if wd != 0 and self.weight_decouple:
            theta = theta * (1.0 - lr * wd)
        theta = theta - (lr / (1 - beta1**t)) * (m / denom)
        theta = theta - (lr * beta2 / (1 - beta2**t)) * (d / denom)
        if wd != 0 and not self.weight_decouple:
            theta = theta / (1.0 + lr * wd)
        return theta, AdanState(t=t, m=m, d=d, n=n, g_prev=g.copy())

    def effective_step(self, grad: np.ndarray, state: AdanState, params: np.ndarray,
                       new_state: AdanState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / (\sqrt{n_t} / \sqrt{1 - \beta_3^t} + \epsilon)` per unit of
        :math:`\hat m_t` (and of the bias-corrected gradient difference, weighted
        :math:`\beta_2`)."""
        bias_correction3 = 1 - self.betas[2] ** new_state.t
        return self.rate(params) / (np.sqrt(new_state.n) / math.sqrt(bias_correction3) + self.eps)

    def momentum_buffer(self, state: AdanState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m
