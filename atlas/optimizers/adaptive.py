"""Per-coordinate step sizes from squared gradients: Adagrad, RMSprop, Adadelta.

Each divides the step by a root of (an average of) past squared gradients, so
steep coordinates take small steps and flat ones large steps. They follow
``torch.optim.Adagrad``, ``RMSprop`` and ``Adadelta`` (``_single_tensor_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class AdagradState(State):
    """``state_sum``: the running sum of squared gradients (plus its initial value)."""

    state_sum: np.ndarray


@dataclass(frozen=True)
class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): divide by the root of *all* past squared gradients.

    The denominator only grows, so the effective step only shrinks: good for
    sparse features, too timid for long non-convex runs.
    """

    name: ClassVar[str] = "adagrad"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Adagrad"
    description: ClassVar[str] = "Per-coordinate steps divided by the root of summed squared grads"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \lambda \text{ (weight decay)},
  \ \eta \text{ (lr decay)},\ \tau \text{ (initial accumulator value)},\ \epsilon \\
&\textbf{initialize}: \mathrm{sum}_0 \leftarrow \tau \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \tilde\gamma \leftarrow \gamma / (1 + (t - 1) \eta) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \mathrm{sum}_t \leftarrow \mathrm{sum}_{t-1} + g_t^2 \\
&\quad \theta_t \leftarrow \theta_{t-1} - \tilde\gamma \, g_t / (\sqrt{\mathrm{sum}_t} + \epsilon)
"""

    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    def check(self) -> None:
        self._require_nonnegative(
            "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def init(self, params: np.ndarray) -> AdagradState:
        theta = as_float_array(params, "params")
        return AdagradState(t=0, state_sum=np.full_like(theta, self.initial_accumulator_value))

    def update(
        self, grad: np.ndarray, state: AdagradState, params: np.ndarray
    ) -> tuple[np.ndarray, AdagradState]:
        g, theta, t = step_inputs(grad, state, params)
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        clr = self.rate(params) / (1 + (t - 1) * self.lr_decay)
        state_sum = state.state_sum + g * g
        std = np.sqrt(state_sum) + self.eps
        return theta - clr * g / std, AdagradState(t=t, state_sum=state_sum)

    def effective_step(self, grad: np.ndarray, state: AdagradState, params: np.ndarray,
                       new_state: AdagradState) -> np.ndarray:  # fmt: skip
        r""":math:`\tilde\gamma / (\sqrt{\mathrm{sum}_t} + \epsilon)` per unit of :math:`g_t`,
        :math:`\tilde\gamma = \gamma / (1 + (t - 1)\eta)` (``lr_decay`` :math:`\eta`)."""
        clr = self.rate(params) / (1 + (new_state.t - 1) * self.lr_decay)
        return clr / (np.sqrt(new_state.state_sum) + self.eps)


@dataclass(frozen=True)
class RMSpropState(State):
    """``v``: average of squared gradients; ``g_ave``: average gradient (centered only);
    ``b``: momentum buffer (momentum > 0 only)."""

    v: np.ndarray
    g_ave: np.ndarray
    b: np.ndarray


@dataclass(frozen=True)
class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): divide by the root of a *moving average* of squared gradients.

    Forgetting old gradients (factor ``alpha``) fixes Adagrad's ever-shrinking
    step. ``centered`` divides by an estimate of the gradient's standard
    deviation instead; ``momentum`` adds a buffer of normalised steps.

    One guard beyond PyTorch: in the centered form the variance estimate
    :math:`v_t - (g^{ave}_t)^2` is clipped at 0 before the square root, so a
    rounding error (mathematically it is never negative) cannot produce NaN.
    """

    name: ClassVar[str] = "rmsprop"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "RMSprop"
    description: ClassVar[str] = "Per-coordinate steps divided by an RMS of recent gradients"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \alpha \text{ (alpha)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \mu \text{ (momentum)},\ \textit{centered} \\
&\textbf{initialize}: v_0 \leftarrow 0,\ b_0 \leftarrow 0,\ g^{ave}_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
&\quad \tilde v_t \leftarrow v_t \\
&\quad \textbf{if}\ \textit{centered}: \\
&\qquad g^{ave}_t \leftarrow \alpha g^{ave}_{t-1} + (1 - \alpha) g_t \\
&\qquad \tilde v_t \leftarrow \tilde v_t - (g^{ave}_t)^2 \\
&\quad \textbf{if}\ \mu > 0: \\
&\qquad b_t \leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon) \\
&\qquad \theta_t \leftarrow \theta_{t-1} - \gamma b_t \\
&\quad \textbf{else}: \\
&\qquad \theta_t \leftarrow \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon)
"""

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay", "momentum")
        if not 0 <= self.alpha <= 1:
            self._fail("alpha", "in [0, 1]")

    def init(self, params: np.ndarray) -> RMSpropState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return RMSpropState(t=0, v=zeros, g_ave=zeros, b=zeros)

    def update(
        self, grad: np.ndarray, state: RMSpropState, params: np.ndarray
    ) -> tuple[np.ndarray, RMSpropState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, alpha, eps, mu = self.rate(params), self.alpha, self.eps, self.momentum
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        v = alpha * state.v + (1 - alpha) * g * g
        g_ave = state.g_ave
        if self.centered:
            g_ave = state.g_ave + (1 - alpha) * (g - state.g_ave)  # torch's lerp
            avg = np.sqrt(np.maximum(v - g_ave * g_ave, 0)) + eps
        else:
            avg = np.sqrt(v) + eps
        b = state.b
        if mu > 0:
            b = mu * b + g / avg
            new_theta = theta - lr * b
        else:
            new_theta = theta - lr * g / avg
        return new_theta, RMSpropState(t=t, v=v, g_ave=g_ave, b=b)

    def effective_step(self, grad: np.ndarray, state: RMSpropState, params: np.ndarray,
                       new_state: RMSpropState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / (\sqrt{v_t} + \epsilon)` per unit of :math:`g_t` (centred:
        :math:`\sqrt{\max(v_t - \bar g_t^2, 0)}`); with momentum, the step per unit of the
        gradient fed into the buffer, which the step then follows."""
        v = new_state.v
        if self.centered:
            v = np.maximum(v - new_state.g_ave * new_state.g_ave, 0)
        return self.rate(params) / (np.sqrt(v) + self.eps)

    def momentum_buffer(self, state: RMSpropState) -> np.ndarray | None:
        """:math:`b_t`, where there is momentum."""
        return state.b if self.momentum > 0 else None


@dataclass(frozen=True)
class AdadeltaState(State):
    """``v``: average of squared gradients; ``u``: average of squared updates."""

    v: np.ndarray
    u: np.ndarray


@dataclass(frozen=True)
class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): step = RMS of past *updates* / RMS of past gradients.

    The ratio has the units of the parameter, so the rule needs no learning
    rate (PyTorch keeps an ``lr`` multiplier, default 1). ``eps`` sits inside
    both roots; it also sets the size of the very first steps.
    """

    name: ClassVar[str] = "adadelta"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Adadelta"
    description: ClassVar[str] = "Steps sized by the ratio of RMS past updates to RMS past grads"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \rho \text{ (decay)},\ \epsilon,
  \ \lambda \text{ (weight decay)} \\
&\textbf{initialize}: v_0 \leftarrow 0,\ u_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad v_t \leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
&\quad \Delta x_t \leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} g_t \\
&\quad u_t \leftarrow \rho u_{t-1} + (1 - \rho) \Delta x_t^2 \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma \Delta x_t
"""

    lr: float = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay")
        if not 0 <= self.rho <= 1:
            self._fail("rho", "in [0, 1]")

    def init(self, params: np.ndarray) -> AdadeltaState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return AdadeltaState(t=0, v=zeros, u=zeros)

    def update(
        self, grad: np.ndarray, state: AdadeltaState, params: np.ndarray
    ) -> tuple[np.ndarray, AdadeltaState]:
        g, theta, t = step_inputs(grad, state, params)
        rho, eps = self.rho, self.eps
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        v = rho * state.v + (1 - rho) * g * g
        delta = np.sqrt(state.u + eps) / np.sqrt(v + eps) * g
        u = rho * state.u + (1 - rho) * delta * delta
        return theta - self.rate(params) * delta, AdadeltaState(t=t, v=v, u=u)

    def effective_step(self, grad: np.ndarray, state: AdadeltaState, params: np.ndarray,
                       new_state: AdadeltaState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma \sqrt{u_{t-1} + \epsilon} / \sqrt{v_t + \epsilon}` per unit of
        :math:`g_t`: the ratio of the running RMS of past steps to that of gradients."""
        return self.rate(params) * np.sqrt(state.u + self.eps) / np.sqrt(new_state.v + self.eps)
