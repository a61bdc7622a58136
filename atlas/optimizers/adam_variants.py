"""Adam's relatives that change the denominator or the momentum: Adamax, NAdam, RAdam.

Follows ``torch.optim.Adamax``, ``NAdam`` and ``RAdam`` (``_single_tensor_*``,
the default non-capturable branch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.adam import check_betas
from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class AdamaxState(State):
    """``m``: first moment; ``u``: exponentially weighted infinity norm of the gradients."""

    m: np.ndarray
    u: np.ndarray


@dataclass(frozen=True)
class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015): Adam with the RMS replaced by a decaying maximum.

    The denominator :math:`u_t` is the largest recent :math:`|g|` (each past
    value discounted by :math:`\\beta_2` per step), so it needs no bias
    correction. PyTorch adds ``eps`` inside the maximum.
    """

    name: ClassVar[str] = "adamax"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Adamax"
    description: ClassVar[str] = "Adam dividing by a decaying maximum of the gradient's size"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ u_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \frac{\gamma m_t}{(1 - \beta_1^t) u_t}
"""

    lr: float = 2e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay")
        check_betas(self)

    def init(self, params: np.ndarray) -> AdamaxState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return AdamaxState(t=0, m=zeros, u=zeros)

    def update(
        self, grad: np.ndarray, state: AdamaxState, params: np.ndarray
    ) -> tuple[np.ndarray, AdamaxState]:
        g, theta, t = step_inputs(grad, state, params)
        beta1, beta2 = self.betas
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        m = state.m + (1 - beta1) * (g - state.m)  # = beta1 m + (1 - beta1) g, as torch's lerp
        u = np.maximum(beta2 * state.u, np.abs(g) + self.eps)
        clr = self.rate(params) / (1 - beta1**t)
        return theta - clr * m / u, AdamaxState(t=t, m=m, u=u)

    def effective_step(self, grad: np.ndarray, state: AdamaxState, params: np.ndarray,
                       new_state: AdamaxState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / ((1 - \beta_1^t)\, u_t)` per unit of :math:`m_t` (an infinity norm
        in place of Adam's RMS)."""
        return self.rate(params) / ((1 - self.betas[0] ** new_state.t) * new_state.u)

    def momentum_buffer(self, state: AdamaxState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m


@dataclass(frozen=True)
class NAdamState(State):
    """``m``, ``v``: Adam's moments; ``mu_product``: :math:`\\prod_{i \\le t} \\mu_i`."""

    m: np.ndarray
    v: np.ndarray
    mu_product: float


@dataclass(frozen=True)
class NAdam(Optimizer):
    """NAdam (Dozat, 2016): Adam with Nesterov momentum.

    The step mixes the current gradient and the momentum *as it will be after
    this step*, with a momentum coefficient :math:`\\mu_t` that warms up from
    :math:`\\beta_1/2` towards :math:`\\beta_1` (speed set by ``momentum_decay``).
    """

    name: ClassVar[str] = "nadam"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "NAdam"
    description: ClassVar[str] = "Adam with Nesterov momentum: the step uses the look-ahead moment"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \psi \text{ (momentum decay)},
  \ \textit{decoupled\_weight\_decay} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),\quad \theta_t \leftarrow \theta_{t-1} \\
&\quad \textbf{if}\ \lambda \neq 0: \\
&\qquad \textbf{if}\ \textit{decoupled\_weight\_decay}:
  \ \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
&\qquad \textbf{else}:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \mu_t \leftarrow \beta_1 \big(1 - \tfrac{1}{2} \, 0.96^{t \psi}\big),
  \quad \mu_{t+1} \leftarrow \beta_1 \big(1 - \tfrac{1}{2} \, 0.96^{(t+1) \psi}\big) \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow \frac{\mu_{t+1} m_t}{1 - \prod_{i=1}^{t+1} \mu_i}
  + \frac{(1 - \mu_t) g_t}{1 - \prod_{i=1}^{t} \mu_i} \\
&\quad \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_t - \gamma \widehat{m_t} / (\sqrt{\widehat{v_t}} + \epsilon)
"""

    lr: float = 2e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum_decay: float = 4e-3
    decoupled_weight_decay: bool = False

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay", "momentum_decay")
        check_betas(self)

    def init(self, params: np.ndarray) -> NAdamState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return NAdamState(t=0, m=zeros, v=zeros, mu_product=1.0)

    def update(
        self, grad: np.ndarray, state: NAdamState, params: np.ndarray
    ) -> tuple[np.ndarray, NAdamState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2) = self.rate(params), self.betas
        psi, wd = self.momentum_decay, self.weight_decay
        if wd != 0:
            if self.decoupled_weight_decay:
                theta = theta * (1 - lr * wd)
            else:
                g = g + wd * theta
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state.mu_product * mu
        mu_product_next = mu_product * mu_next
        m = state.m + (1 - beta1) * (g - state.m)  # = beta1 m + (1 - beta1) g, as torch's lerp
        v = beta2 * state.v + (1 - beta2) * g * g
        denom = np.sqrt(v / (1 - beta2**t)) + self.eps
        c_g = lr * (1.0 - mu) / (1.0 - mu_product)  # weight of the current gradient
        c_m = lr * mu_next / (1.0 - mu_product_next)  # weight of the look-ahead momentum
        theta = theta - c_g * g / denom
        theta = theta - c_m * m / denom
        return theta, NAdamState(t=t, m=m, v=v, mu_product=mu_product)

    def effective_step(self, grad: np.ndarray, state: NAdamState, params: np.ndarray,
                       new_state: NAdamState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / (\sqrt{v_t / (1 - \beta_2^t)} + \epsilon)` per unit of the
        Nesterov blend of :math:`g_t` and :math:`m_t` (their weights as in the update)."""
        bias_correction2 = 1 - self.betas[1] ** new_state.t
        return self.rate(params) / (np.sqrt(new_state.v / bias_correction2) + self.eps)

    def momentum_buffer(self, state: NAdamState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m


@dataclass(frozen=True)
class RAdamState(State):
    """``m``, ``v``: Adam's first and second moments."""

    m: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class RAdam(Optimizer):
    """RAdam (Liu et al., 2020): Adam whose adaptive step is switched on when trustworthy.

    :math:`\\rho_t` is the length of the simple moving average that :math:`v_t`
    approximates. While :math:`\\rho_t \\le 5` (the first few steps) the variance
    of the adaptive rate is intractable, so RAdam takes plain momentum steps;
    afterwards it multiplies Adam's step by a rectification :math:`r_t < 1`.
    """

    name: ClassVar[str] = "radam"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "RAdam"
    description: ClassVar[str] = "Rectified Adam: plain momentum until v is reliable, then Adam"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \textit{decoupled\_weight\_decay} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,
  \ \rho_\infty \leftarrow 2 / (1 - \beta_2) - 1 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),\quad \theta_t \leftarrow \theta_{t-1} \\
&\quad \textbf{if}\ \lambda \neq 0: \\
&\qquad \textbf{if}\ \textit{decoupled\_weight\_decay}:
  \ \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
&\qquad \textbf{else}:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad \rho_t \leftarrow \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
&\quad \textbf{if}\ \rho_t > 5: \\
&\qquad l_t \leftarrow \sqrt{1 - \beta_2^t} / (\sqrt{v_t} + \epsilon) \\
&\qquad r_t \leftarrow \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
  {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
&\qquad \theta_t \leftarrow \theta_t - \gamma \widehat{m_t} \, l_t \, r_t \\
&\quad \textbf{else}: \\
&\qquad \theta_t \leftarrow \theta_t - \gamma \widehat{m_t}
"""

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay")
        check_betas(self)

    def init(self, params: np.ndarray) -> RAdamState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return RAdamState(t=0, m=zeros, v=zeros)

    def update(
        self, grad: np.ndarray, state: RAdamState, params: np.ndarray
    ) -> tuple[np.ndarray, RAdamState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), eps, wd = self.rate(params), self.betas, self.eps, self.weight_decay
        if wd != 0:
            if self.decoupled_weight_decay:
                theta = theta * (1 - lr * wd)
            else:
                g = g + wd * theta
        m = state.m + (1 - beta1) * (g - state.m)  # = beta1 m + (1 - beta1) g, as torch's lerp
        v = beta2 * state.v + (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        m_hat = m / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
        if rho_t > 5.0:
            l_t = bias_correction2**0.5 / (np.sqrt(v) + eps)
            r_t = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            theta = theta - m_hat * lr * l_t * r_t
        else:
            theta = theta - m_hat * lr
        return theta, RAdamState(t=t, m=m, v=v)

    def effective_step(self, grad: np.ndarray, state: RAdamState, params: np.ndarray,
                       new_state: RAdamState) -> np.ndarray:  # fmt: skip
        r"""Per unit of :math:`\hat m_t`: :math:`\gamma r_t \sqrt{1 - \beta_2^t} /
        (\sqrt{v_t} + \epsilon)` once :math:`\rho_t > 5`, else :math:`\gamma` (the
        rectification's SGD-with-momentum steps)."""
        t, (_, beta2) = new_state.t, self.betas
        bias_correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
        if rho_t <= 5.0:
            return np.full(np.shape(params), self.rate(params))
        r_t = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        return self.rate(params) * r_t * bias_correction2**0.5 / (np.sqrt(new_state.v) + self.eps)

    def momentum_buffer(self, state: RAdamState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m
