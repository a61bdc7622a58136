"""Adam and its two direct variants: AMSGrad (a non-decreasing denominator) and AdamW.

Follows ``torch.optim.Adam`` / ``AdamW`` (``_single_tensor_adam``, the default
non-capturable branch). Note PyTorch's AMSGrad keeps the running maximum of
:math:`v_t` (not of :math:`\\hat v_t`) and bias-corrects that maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class AdamState(State):
    """``m``: first moment (momentum); ``v``: second moment;
    ``v_max``: running maximum of ``v`` (AMSGrad only, zeros otherwise)."""

    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray


def check_betas(opt: Optimizer) -> None:
    """Both betas in [0, 1): a factor 1 would never forget, and ``1 - beta^t`` would be 0."""
    for i, beta in enumerate(opt.betas):
        if not 0 <= beta < 1:
            raise ValueError(
                f"{opt.title}: betas[{i}] must be in [0, 1), got {beta!r} in betas={opt.betas!r}"
            )


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum divided by an RMS of recent gradients.

    Both moving averages start at zero, so they are divided by
    :math:`1 - \\beta^t` (bias correction). Far from a minimum each coordinate
    moves by about ``lr`` per step whatever the gradient's scale.
    """

    name: ClassVar[str] = "adam"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Adam"
    description: ClassVar[str] = "Momentum divided by an RMS of recent grads, bias-corrected"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \textit{amsgrad} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v_0^{max} \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad \textbf{if}\ \textit{amsgrad}: \\
&\qquad v_t^{max} \leftarrow \max(v_{t-1}^{max}, v_t) \\
&\qquad \widehat{v_t} \leftarrow v_t^{max} / (1 - \beta_2^t) \\
&\quad \textbf{else}: \\
&\qquad \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma \widehat{m_t} / (\sqrt{\widehat{v_t}} + \epsilon)
"""

    # AdamW differs in one switch: weight decay shrinks the parameters directly.
    decoupled_weight_decay: ClassVar[bool] = False

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False

    def check(self) -> None:
        self._require_nonnegative("lr", "eps", "weight_decay")
        check_betas(self)

    def init(self, params: np.ndarray) -> AdamState:
        zeros = np.zeros_like(as_float_array(params, "params"))
        return AdamState(t=0, m=zeros, v=zeros, v_max=zeros)

    def update(
        self, grad: np.ndarray, state: AdamState, params: np.ndarray
    ) -> tuple[np.ndarray, AdamState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), eps, wd = self.rate(params), self.betas, self.eps, self.weight_decay
        if wd != 0:
            if self.decoupled_weight_decay:
                theta = theta * (1 - lr * wd)
            else:
                g = g + wd * theta
        # Each formula writes into the one new array it creates: the same numbers as the
        # algorithm box up to rounding, with fewer passes over memory (this runs for every
        # weight matrix in every training step).
        m = g - state.m
        m *= 1 - beta1
        m += state.m  # m + (1 - beta1)(g - m) = beta1 m + (1 - beta1) g, as torch's lerp
        v = np.square(g)
        v -= state.v
        v *= 1 - beta2
        v += state.v  # v + (1 - beta2)(g^2 - v) = beta2 v + (1 - beta2) g^2, the same lerp
        v_max = np.maximum(state.v_max, v) if self.amsgrad else state.v_max
        step_size = lr / (1 - beta1**t)  # lr times the bias correction of m
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        # step_size m / (sqrt(v)/c + eps) = (step_size c) m / (sqrt(v) + eps c),
        # with c = sqrt(1 - beta2^t): one pass fewer than dividing sqrt(v) by c
        denom = np.sqrt(v_max if self.amsgrad else v)
        denom += eps * bias_correction2_sqrt
        step = m / denom
        step *= step_size * bias_correction2_sqrt
        return theta - step, AdamState(t=t, m=m, v=v, v_max=v_max)

    def effective_step(self, grad: np.ndarray, state: AdamState, params: np.ndarray,
                       new_state: AdamState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma / (\sqrt{\hat v_t} + \epsilon)` per unit of :math:`\hat m_t`,
        :math:`\hat v_t = v_t / (1 - \beta_2^t)` (AMSGrad: the running maximum of :math:`v`)."""
        v = new_state.v_max if self.amsgrad else new_state.v
        return self.rate(params) / (np.sqrt(v / (1 - self.betas[1] ** new_state.t)) + self.eps)

    def momentum_buffer(self, state: AdamState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m


@dataclass(frozen=True)
class AMSGrad(Adam):
    r"""AMSGrad (Reddi et al., 2018): ``Adam(amsgrad=True)`` under its own name.

    The denominator uses the largest second moment seen so far, :math:`v^{max}_t`,
    which bounds it from below: a coordinate's step no longer grows merely because its
    recent gradients got smaller. It can still grow, though: like PyTorch, atlas
    bias-corrects the maximum, :math:`v^{max}_t / (1 - \beta_2^t)`, which shrinks as
    :math:`t` grows, and the move is proportional to the momentum :math:`\hat m_t`.
    """

    name: ClassVar[str] = "amsgrad"
    title: ClassVar[str] = "AMSGrad"
    description: ClassVar[str] = "Adam dividing by the running max of its second moment"

    amsgrad: bool = True


@dataclass(frozen=True)
class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam with *decoupled* weight decay.

    The decay shrinks the parameters directly, :math:`\\theta \\leftarrow
    \\theta (1 - \\gamma\\lambda)`, instead of being added to the gradient, where
    Adam's normalisation would rescale it.
    """

    name: ClassVar[str] = "adamw"
    title: ClassVar[str] = "AdamW"
    description: ClassVar[str] = "Adam with decoupled weight decay: shrink the weights directly"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \textit{amsgrad} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v_0^{max} \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad \textbf{if}\ \textit{amsgrad}: \\
&\qquad v_t^{max} \leftarrow \max(v_{t-1}^{max}, v_t) \\
&\qquad \widehat{v_t} \leftarrow v_t^{max} / (1 - \beta_2^t) \\
&\quad \textbf{else}: \\
&\qquad \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_t - \gamma \widehat{m_t} / (\sqrt{\widehat{v_t}} + \epsilon)
"""

    decoupled_weight_decay: ClassVar[bool] = True

    weight_decay: float = 1e-2
