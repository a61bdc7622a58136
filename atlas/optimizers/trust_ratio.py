"""LAMB: Adam's step rescaled, per parameter tensor, to the size of the tensor itself.

Follows ``pytorch_optimizer.Lamb`` (pytorch_optimizer 4.1.0, its default batched
``_step_foreach`` path), after You et al., "Large Batch Optimization for Deep
Learning: Training BERT in 76 minutes" (ICLR 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs, tensor_axes

#: pytorch_optimizer's ceiling on the weight norm in the trust ratio (``Lamb.clamp``).
WEIGHT_NORM_CLAMP = 10.0


@dataclass(frozen=True)
class LambState(State):
    """``m``, ``v``: Adam's first and second moments; ``trust_ratio``: the last step's
    :math:`r_t` per tensor (an array of the batch's shape; 1 before the first step)."""

    m: np.ndarray
    v: np.ndarray
    trust_ratio: np.ndarray


@dataclass(frozen=True)
class Lamb(Optimizer):
    """LAMB (You et al., 2020): layer-wise adaptive moments for large batches.

    Adam's direction :math:`u_t = m_t / (\\sqrt{v_t} + \\epsilon)` (with weight
    decay) is rescaled per parameter tensor by the *trust ratio*
    :math:`r_t = \\lVert\\theta\\rVert / (\\lVert u_t\\rVert + \\epsilon)`, so each
    layer moves by about :math:`\\gamma` times its own norm whatever its
    gradients' scale (:math:`r_t = 1` where either norm is 0;
    :math:`\\lVert\\theta\\rVert` is capped at 10). As in pytorch_optimizer the
    first moment is bias-corrected through the step size and the second is not
    (the paper's version 3).

    ``weight_decouple`` (default) shrinks the parameters by
    :math:`1 - \\lambda\\gamma` (:math:`1 - \\lambda` with ``fixed_decay``) before
    the norms; otherwise :math:`\\lambda\\theta` is added to :math:`u_t`.
    ``grad_averaging=False`` accumulates :math:`g` instead of :math:`(1 -
    \\beta_1) g`; ``adam=True`` sets :math:`r_t = 1` (plain Adam-style steps).

    Not carried over from pytorch_optimizer (all off by default there):
    ``rectify`` with ``degenerated_to_sgd`` and ``n_sma_threshold`` (RAdam's
    rectification, a different code path), ``pre_norm`` with
    ``max_grad_norm`` (a rescaling by the global gradient norm of all
    parameters, which it computes in float32), ``maximize`` and ``foreach``.

    Shapes (see :mod:`atlas.optimizers.base`): norms run over one tensor (a
    vector or a matrix); leading axes of a stack are independent problems.
    """

    name: ClassVar[str] = "lamb"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "LAMB"
    description: ClassVar[str] = "Adam's step scaled per tensor by its weight-to-step norm ratio"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ \textit{weight\_decouple},\ \textit{fixed\_decay},
  \ \textit{grad\_averaging},\ \textit{adam} \\
&\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,
  \ \beta_3 \leftarrow 1 - \beta_1\ \textbf{if}\ \textit{grad\_averaging}\ \textbf{else}\ 1 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}),\quad \theta_t \leftarrow \theta_{t-1} \\
&\quad \textbf{if}\ \textit{weight\_decouple}:
  \ \theta_t \leftarrow (1 - \lambda\,(1\ \textbf{if}\ \textit{fixed\_decay}
  \ \textbf{else}\ \gamma))\,\theta_t \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + \beta_3 g_t,
  \quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad u_t \leftarrow m_t / (\sqrt{v_t} + \epsilon);
  \ \textbf{if not}\ \textit{weight\_decouple}:\ u_t \leftarrow u_t + \lambda \theta_t \\
&\quad r_t \leftarrow \min(\lVert\theta_t\rVert, 10) / (\lVert u_t\rVert + \epsilon)
  \quad (1\ \text{if a norm is}\ 0\ \text{or}\ \textit{adam}) \\
&\quad \theta_t \leftarrow \theta_t - \frac{\gamma}{1 - \beta_1^t}\, r_t u_t
"""
    elementwise: ClassVar[bool] = False

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    weight_decouple: bool = True
    fixed_decay: bool = False
    grad_averaging: bool = True
    adam: bool = False
    eps: float = 1e-6

    def check(self) -> None:
        self._require_nonnegative("lr", "weight_decay", "eps")
        for i, beta in enumerate(self.betas):
            if not 0 <= beta < 1:
                raise ValueError(f"{self.title}: betas[{i}] must be in [0, 1), got {beta!r} "
                                 f"in betas={self.betas!r}")  # fmt: skip

    def init(self, params: np.ndarray) -> LambState:
        theta = as_float_array(params, "params")
        zeros = np.zeros_like(theta)
        batch = theta.shape[: theta.ndim - len(tensor_axes(theta))]
        return LambState(t=0, m=zeros, v=zeros, trust_ratio=np.ones(batch, dtype=theta.dtype))

    def update(
        self, grad: np.ndarray, state: LambState, params: np.ndarray
    ) -> tuple[np.ndarray, LambState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), eps, wd = self.rate(theta), self.betas, self.eps, self.weight_decay
        axes = tensor_axes(theta)
        beta3 = 1.0 - beta1 if self.grad_averaging else 1.0
        step_size = lr / (1.0 - beta1**t)
        if self.weight_decouple and wd != 0:
            theta = theta * (1.0 - wd * (1.0 if self.fixed_decay else lr))
        m = state.m * beta1 + beta3 * g  # mul_, then add_ with alpha, as the reference
        v = state.v * beta2 + (1.0 - beta2) * g * g  # addcmul_
        u = np.reciprocal(np.sqrt(v) + eps) * m  # sqrt, + eps, reciprocal, times m
        if not self.weight_decouple and wd > 0:
            u = u + wd * theta
        weight_norm = np.minimum(np.sqrt(np.sum(theta * theta, axis=axes)), WEIGHT_NORM_CLAMP)
        u_norm = np.sqrt(np.sum(u * u, axis=axes))
        both = (weight_norm != 0) & (u_norm != 0)
        trust_ratio = np.where(both, weight_norm / np.where(both, u_norm + eps, 1.0), 1.0)
        trust_ratio = trust_ratio.astype(theta.dtype)
        if not self.adam:
            u = u * np.reshape(trust_ratio, trust_ratio.shape + (1,) * len(axes))
        return theta - step_size * u, LambState(t=t, m=m, v=v, trust_ratio=trust_ratio)

    def effective_step(self, grad: np.ndarray, state: LambState, params: np.ndarray,
                       new_state: LambState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma\, r_t / ((1 - \beta_1^t)(\sqrt{v_t} + \epsilon))` per unit of
        :math:`m_t`, with each tensor's trust ratio :math:`r_t` (1 with ``adam``)."""
        axes = tensor_axes(np.asarray(params))
        ratio = 1.0 if self.adam else np.reshape(new_state.trust_ratio,
                                                 np.shape(new_state.trust_ratio) + (1,) * len(axes))
        step_size = self.rate(params) / (1.0 - self.betas[0] ** new_state.t)
        return step_size * ratio / (np.sqrt(new_state.v) + self.eps)

    def momentum_buffer(self, state: LambState) -> np.ndarray | None:
        """The first moment :math:`m_t`."""
        return state.m
