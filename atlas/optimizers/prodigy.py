"""Prodigy: Adam whose learning rate is estimated as it goes (the distance to the solution).

Follows the authors' ``prodigyopt.Prodigy`` (prodigyopt 1.1.2), after Mishchenko &
Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner" (ICML 2024).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs, tensor_axes


@dataclass(frozen=True)
class ProdigyState(State):
    """``m``, ``v``: Adam's moments, scaled by :math:`d`; ``s``: the running sum of
    weighted gradients; ``p0``: the initial parameters (every ``slice_p``-th entry of
    each tensor, like ``s``). Per tensor (arrays of the batch's shape, float64 as the
    reference's Python floats): ``d`` the step-size estimate :math:`d_k`, ``d_max``
    its largest value so far, ``d_numerator`` the running numerator; ``k`` the
    number of steps taken (a step with :math:`\\sum|s| = 0` is not)."""

    m: np.ndarray
    v: np.ndarray
    s: np.ndarray
    p0: np.ndarray
    d: np.ndarray
    d_max: np.ndarray
    d_numerator: np.ndarray
    k: np.ndarray


@dataclass(frozen=True)
class Prodigy(Optimizer):
    """Prodigy (Mishchenko & Defazio, 2024): Adam with a learnt step size :math:`d`.

    :math:`d` estimates the distance from the start to the solution, from how
    far the gradients have pointed away from the initial point
    :math:`\\theta_0`: :math:`\\hat d = \\sum_k \\beta_3^{\\cdot} d_k^2
    \\langle g_k, \\theta_0 - \\theta_k\\rangle / \\lVert s\\rVert_1`. It starts
    tiny (``d0``), never decreases, grows by at most ``growth_rate`` per step,
    and scales Adam's step (``lr`` multiplies it; leave it at 1). Its value per
    step is in the state (``d``), so it can be plotted over time.

    Reference details kept: the moments are accumulated with weights :math:`d`
    and :math:`d^2`; ``weight_decay`` is decoupled (AdamW-like) unless
    ``decouple=False``; ``use_bias_correction`` multiplies the step by
    :math:`\\sqrt{1 - \\beta_2^{k+1}} / (1 - \\beta_1^{k+1})`;
    ``safeguard_warmup`` takes ``lr`` out of the sum :math:`s`; ``slice_p``
    uses every ``slice_p``-th entry for :math:`d`'s statistics; a step with
    :math:`\\sum|s| = 0` (no gradient yet) leaves parameters and :math:`d` alone.
    ``beta1 = 0`` steps with the gradient instead of :math:`m`. ``fsdp_in_use``
    (sharded multi-process training) is not a hyperparameter here.

    **Departure**: prodigyopt shares one :math:`d` among all the parameters it
    is given (its sums run over every tensor of every parameter group). Atlas
    keeps one :math:`d` per tensor, as its other per-tensor rules do: a stack's
    leading axes are independent problems (so each start on a surface has its
    own :math:`d`), and ``atlas train``, which gives each parameter array its own
    state, gets one :math:`d` per weight matrix and per bias vector, which is
    what one ``Prodigy`` instance per tensor computes.
    """

    name: ClassVar[str] = "prodigy"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Prodigy"
    description: ClassVar[str] = "Adam with a learnt step size d (learning-rate free)"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
  \ \beta_3 \ (\text{default}\ \sqrt{\beta_2}),\ \epsilon,\ d_0,\ c \text{ (d coef)},
  \ \eta \text{ (growth rate)} \\
&\textbf{initialize}: m_0, v_0, s_0 \leftarrow 0,\ r_0 \leftarrow 0,
  \ d_{max} \leftarrow d_0 \\
&\textbf{for}\ k = 0, 1, \ldots \\
&\quad g_k \leftarrow \nabla_\theta f(\theta_k),\quad \delta_k \leftarrow d_k \gamma \\
&\quad r_{k+1} \leftarrow \beta_3 r_k
  + \tfrac{d_k}{d_0} \delta_k \langle g_k, \theta_0 - \theta_k \rangle \\
&\quad m_{k+1} \leftarrow \beta_1 m_k + d_k (1 - \beta_1) g_k,
  \quad v_{k+1} \leftarrow \beta_2 v_k + d_k^2 (1 - \beta_2) g_k^2 \\
&\quad s_{k+1} \leftarrow \beta_3 s_k + \tfrac{d_k}{d_0} \delta_k g_k \\
&\quad \hat d \leftarrow c\, r_{k+1} / \lVert s_{k+1} \rVert_1;
  \ \textbf{if}\ d_k = d_0:\ d_k \leftarrow \max(d_k, \hat d) \\
&\quad d_{max} \leftarrow \max(d_{max}, \hat d),
  \quad d_{k+1} \leftarrow \min(d_{max}, \eta\, d_k) \\
&\quad \theta_{k+1} \leftarrow \theta_k
  - \delta_k\, m_{k+1} / (\sqrt{v_{k+1}} + d_{k+1} \epsilon)
"""
    elementwise: ClassVar[bool] = False
    may_be_infinite: ClassVar[tuple[str, ...]] = ("growth_rate",)

    lr: float = 1.0
    betas: tuple[float, float] = (0.9, 0.999)
    beta3: float | None = None
    eps: float = 1e-8
    weight_decay: float = 0.0
    decouple: bool = True
    use_bias_correction: bool = False
    safeguard_warmup: bool = False
    d0: float = 1e-6
    d_coef: float = 1.0
    growth_rate: float = math.inf
    slice_p: int = 1

    def check(self) -> None:
        for name in ("d0", "lr", "eps"):  # the reference's checks, in its order
            if not getattr(self, name) > 0:
                self._fail(name, "> 0")
        for i, beta in enumerate(self.betas):
            if not 0 <= beta < 1:
                raise ValueError(f"{self.title}: betas[{i}] must be in [0, 1), got {beta!r} "
                                 f"in betas={self.betas!r}")  # fmt: skip
        # Not checked by prodigyopt, but meaningless otherwise:
        self._require_nonnegative("weight_decay")
        if self.beta3 is not None and not 0 <= self.beta3 <= 1:
            self._fail("beta3", "None or in [0, 1]")
        if self.growth_rate < 1:
            self._fail("growth_rate", ">= 1")
        if self.slice_p < 1:
            self._fail("slice_p", ">= 1")

    def _sliced(self, x: np.ndarray) -> np.ndarray:
        """Every ``slice_p``-th entry of each tensor, flattened (``x.flatten()[::slice_p]``)."""
        k = len(tensor_axes(x))
        return x.reshape((*x.shape[: x.ndim - k], -1))[..., :: self.slice_p]

    def init(self, params: np.ndarray) -> ProdigyState:
        theta = as_float_array(params, "params")
        p0 = self._sliced(theta).copy()
        batch = p0.shape[:-1]
        d0 = np.full(batch, self.d0)
        zeros = np.zeros_like(theta)
        return ProdigyState(t=0, m=zeros, v=zeros, s=np.zeros_like(p0), p0=p0, d=d0, d_max=d0,
                            d_numerator=np.zeros(batch), k=np.zeros(batch, dtype=np.int64))

    def update(
        self, grad: np.ndarray, state: ProdigyState, params: np.ndarray
    ) -> tuple[np.ndarray, ProdigyState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), eps, d0 = self.tensor_rate(theta), self.betas, self.eps, self.d0
        decay = self.weight_decay
        beta3 = math.sqrt(beta2) if self.beta3 is None else self.beta3
        n_axes = len(tensor_axes(theta))

        def per(a: np.ndarray) -> np.ndarray:  # a per-tensor number against the tensor's axes
            return np.reshape(a, np.shape(a) + (1,) * n_axes)

        d, k = state.d, state.k
        if self.use_bias_correction:
            bias_correction = (1 - beta2 ** (k + 1)) ** 0.5 / (1 - beta1 ** (k + 1))
        else:
            bias_correction = 1.0
        dlr = d * lr * bias_correction
        d_numerator = state.d_numerator * beta3
        if decay != 0 and not self.decouple:
            g = g + decay * theta
        g_sliced = self._sliced(g)
        x_sliced = self._sliced(theta)
        dot = np.sum(g_sliced * (state.p0 - x_sliced), axis=-1).astype(np.float64)
        delta_numerator = (d / d0) * dlr * dot
        m = state.m * beta1 + per(d * (1 - beta1)).astype(theta.dtype) * g if beta1 > 0 else state.m
        v = state.v * beta2 + per(d * d * (1 - beta2)).astype(theta.dtype) * g * g
        weight = (d / d0) * (d if self.safeguard_warmup else dlr)
        s = state.s * beta3 + per_last(weight).astype(theta.dtype) * g_sliced
        d_denom = np.sum(np.abs(s), axis=-1).astype(np.float64)

        # Where nothing has been seen (sum |s| = 0) the reference returns before any step.
        moving = d_denom != 0
        global_numerator = d_numerator + delta_numerator
        d_hat = self.d_coef * global_numerator / np.where(moving, d_denom, 1.0)
        d_new = np.where(d == d0, np.maximum(d, d_hat), d)
        d_max = np.maximum(state.d_max, d_hat)
        d_new = np.minimum(d_max, d_new * self.growth_rate)

        denom = np.sqrt(v) + per(d_new * eps).astype(theta.dtype)
        new = theta
        if decay != 0 and self.decouple:
            new = new + per(-decay * dlr).astype(theta.dtype) * new
        if beta1 > 0:
            new = new + per(-dlr).astype(theta.dtype) * (m / denom)
        else:
            new = new + per(-dlr * d_new).astype(theta.dtype) * (g / denom)

        keep = per(moving)
        return np.where(keep, new, theta), ProdigyState(
            t=t, m=m, v=v, s=s, p0=state.p0, d=np.where(moving, d_new, d),
            d_max=np.where(moving, d_max, state.d_max),
            d_numerator=np.where(moving, global_numerator, state.d_numerator),
            k=np.where(moving, k + 1, k),
        )  # fmt: skip

    def effective_step(self, grad: np.ndarray, state: ProdigyState, params: np.ndarray,
                       new_state: ProdigyState) -> np.ndarray:  # fmt: skip
        r""":math:`d_{t-1}\gamma c_t / (\sqrt{v_t} + d_t \epsilon)` per unit of :math:`m_t`
        (:math:`c_t` the optional bias correction; with :math:`\beta_1 = 0`, per unit of
        :math:`g_t`, times :math:`d_t`); 0 for a tensor that took no step."""
        (beta1, beta2), k = self.betas, state.k
        n_axes = len(tensor_axes(np.asarray(params)))

        def per(a: np.ndarray) -> np.ndarray:
            return np.reshape(a, np.shape(a) + (1,) * n_axes)

        correction = ((1 - beta2 ** (k + 1)) ** 0.5 / (1 - beta1 ** (k + 1))
                      if self.use_bias_correction else 1.0)  # fmt: skip
        lr = self.tensor_rate(params)
        dlr = state.d * lr * correction * (new_state.k != k)  # 0 where nothing moved
        scale = dlr if beta1 > 0 else dlr * new_state.d
        return per(scale) / (np.sqrt(new_state.v) + per(new_state.d * self.eps))

    def momentum_buffer(self, state: ProdigyState) -> np.ndarray | None:
        """The first moment :math:`m_t` (scaled by :math:`d`), where :math:`\beta_1 > 0`."""
        return state.m if self.betas[0] > 0 else None


def per_last(a: np.ndarray) -> np.ndarray:
    """A per-tensor number against the last (flattened) axis of ``s`` and ``p0``."""
    return np.reshape(a, (*np.shape(a), 1))
