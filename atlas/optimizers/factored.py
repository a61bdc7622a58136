"""Adafactor: Adam-like steps whose second moment of a matrix is stored as two vectors.

Follows ``torch.optim.Adafactor`` (``_single_tensor_adafactor`` in
``torch/optim/_adafactor.py``, PyTorch 2.13), after Shazeer & Stern (2018).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, lerp, step_inputs, tensor_axes


@dataclass(frozen=True)
class AdafactorState(State):
    """For a matrix (or a stack of them): ``row_var`` :math:`R_t` (shape ``(..., m, 1)``)
    and ``col_var`` :math:`C_t` (``(..., 1, n)``), ``variance`` None; for a vector:
    ``variance`` :math:`\\hat V_t` (its shape), the factors None."""

    row_var: np.ndarray | None
    col_var: np.ndarray | None
    variance: np.ndarray | None


def _norm(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The 2-norm of each tensor of ``x`` (kept as axes of length 1)."""
    return np.sqrt(np.sum(x * x, axis=axes, keepdims=True))


def _smaller(lr: float | np.ndarray, bound: float) -> float | np.ndarray:
    r""":math:`\min(\gamma, b)`: a Python float for one ``lr`` (which keeps float32
    parameters float32), an array for a rate per start (exact either way)."""
    return min(lr, bound) if isinstance(lr, float) else np.minimum(lr, bound)


@dataclass(frozen=True)
class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018): a factored second moment and a relative step size.

    For an :math:`m \\times n` matrix the second moment :math:`V_t` is not
    stored; its row means :math:`R_t` and column means :math:`C_t` are, and
    :math:`\\hat V_t = R_t C_t / \\mathrm{mean}(R_t)` (the rank-1 estimate):
    :math:`m + n` numbers instead of :math:`mn`. A vector keeps its
    :math:`\\hat V_t` whole. The decay :math:`\\hat\\beta_{2,t} = 1 - t^{\\tau}`
    grows towards 1 (the first step uses :math:`g^2` alone), there is no
    momentum, the normalised step :math:`U_t` is clipped to RMS :math:`\\le d`,
    and its size is *relative*: :math:`\\rho_t = \\min(\\gamma, 1/\\sqrt t)` times
    the parameters' RMS (at least :math:`\\epsilon_2`). :math:`\\epsilon_1`
    (``eps[0]``, ``None`` for the dtype's machine epsilon) floors
    :math:`\\mathrm{mean}(R_t)` and :math:`\\sqrt{\\hat V_t}`.

    Shapes (see :mod:`atlas.optimizers.base`): the last two axes of an array
    with two or more are one matrix (leading axes a batch, whose RMS and clipping
    are per matrix); a 1-D array is one vector. On the 2-D surfaces a point is a
    ``1 x 2`` matrix, whose factored estimate is its column factor:
    :math:`\\hat V_t = C_t`, the unfactored rule up to rounding.
    """

    name: ClassVar[str] = "adafactor"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Adafactor"
    description: ClassVar[str] = "Factored second moment (row and column means) and relative steps"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \tau \text{ (beta2 decay)},
  \ \epsilon_1, \epsilon_2 \text{ (eps)},\ d,\ \lambda \text{ (weight decay)} \\
&\textbf{initialize}: R_0 \leftarrow 0,\ C_0 \leftarrow 0 \text{ (matrix)},
  \ \hat V_0 \leftarrow 0 \text{ (vector)} \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad G_t \leftarrow \nabla_\theta f(\theta_{t-1}),
  \quad \hat\beta_{2,t} \leftarrow 1 - t^{\tau},
  \quad \rho_t \leftarrow \min(\gamma, 1/\sqrt{t}) \\
&\quad \alpha_t \leftarrow \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,\rho_t,
  \quad \theta_t \leftarrow (1 - \gamma\lambda)\,\theta_{t-1} \\
&\quad \textbf{if}\ G_t\ \text{is an}\ m \times n\ \text{matrix}: \\
&\qquad R_t \leftarrow \hat\beta_{2,t} R_{t-1}
  + (1 - \hat\beta_{2,t})\,\tfrac{1}{n} (G_t \odot G_t) 1_n \\
&\qquad C_t \leftarrow \hat\beta_{2,t} C_{t-1}
  + (1 - \hat\beta_{2,t})\,\tfrac{1}{m} 1_m^\top (G_t \odot G_t) \\
&\qquad \hat V_t \leftarrow R_t C_t / \max(\mathrm{mean}(R_t), \epsilon_1) \\
&\quad \textbf{else}:
  \ \hat V_t \leftarrow \hat\beta_{2,t} \hat V_{t-1} + (1 - \hat\beta_{2,t})\, G_t \odot G_t \\
&\quad U_t \leftarrow G_t / \max(\sqrt{\hat V_t}, \epsilon_1) \\
&\quad \theta_t \leftarrow \theta_t - \alpha_t\, U_t / \max(1, \mathrm{RMS}(U_t) / d)
"""
    elementwise: ClassVar[bool] = False

    lr: float = 1e-2
    beta2_decay: float = -0.8
    eps: tuple[float | None, float] = (None, 1e-3)
    d: float = 1.0
    weight_decay: float = 0.0

    def check(self) -> None:
        self._require_nonnegative("lr", "weight_decay")
        if self.beta2_decay > 0:
            self._fail("beta2_decay", "<= 0")
        if (self.eps[0] is not None and self.eps[0] < 0) or self.eps[1] < 0:
            self._fail("eps", "(eps1, eps2) with eps1 None or >= 0, and eps2 >= 0")
        if self.d < 1:
            self._fail("d", ">= 1")

    def init(self, params: np.ndarray) -> AdafactorState:
        theta = as_float_array(params, "params")
        if theta.ndim < 2:
            return AdafactorState(t=0, row_var=None, col_var=None, variance=np.zeros_like(theta))
        row_var = np.zeros((*theta.shape[:-1], 1), dtype=theta.dtype)
        col_var = np.zeros((*theta.shape[:-2], 1, theta.shape[-1]), dtype=theta.dtype)
        return AdafactorState(t=0, row_var=row_var, col_var=col_var, variance=None)

    def update(
        self, grad: np.ndarray, state: AdafactorState, params: np.ndarray
    ) -> tuple[np.ndarray, AdafactorState]:
        g, theta, t = step_inputs(grad, state, params)
        eps1 = np.finfo(theta.dtype).eps if self.eps[0] is None else self.eps[0]
        eps2 = self.eps[1]
        axes = tensor_axes(theta)
        root_size = int(np.prod([theta.shape[a] for a in axes])) ** 0.5  # sqrt(numel) per tensor
        one_minus_beta2 = float(t) ** self.beta2_decay
        lr = self.rate(theta)
        rho = _smaller(lr, 1 / float(t) ** 0.5)
        alpha = np.maximum(eps2, _norm(theta, axes) / root_size) * rho
        if self.weight_decay != 0:
            theta = theta * (1 - lr * self.weight_decay)
        row_var = col_var = variance = None
        if theta.ndim >= 2:
            m, n = theta.shape[-2:]
            # mean of g^2 along a row (column), as torch: the squared norm over the length
            row_mean = np.square(np.sqrt(np.sum(g * g, axis=-1, keepdims=True))) / n
            col_mean = np.square(np.sqrt(np.sum(g * g, axis=-2, keepdims=True))) / m
            row_var = lerp(state.row_var, row_mean, one_minus_beta2)
            col_var = lerp(state.col_var, col_mean, one_minus_beta2)
            v_hat = row_var @ col_var
            v_hat = v_hat / np.maximum(np.sum(row_var, axis=-2, keepdims=True) / m, eps1)
        else:
            variance = lerp(state.variance, g * g, one_minus_beta2)
            v_hat = variance
        u = 1 / np.sqrt(np.maximum(v_hat, eps1 * eps1)) * g  # torch: rsqrt, then times g
        denom = np.maximum(1.0, _norm(u, axes) / (root_size * self.d))
        theta = theta + u * (-alpha / denom)
        new_state = AdafactorState(t=t, row_var=row_var, col_var=col_var, variance=variance)
        return theta, new_state

    def effective_step(self, grad: np.ndarray, state: AdafactorState, params: np.ndarray,
                       new_state: AdafactorState) -> np.ndarray:  # fmt: skip
        r""":math:`\alpha_t / (\max(1, \mathrm{RMS}(U_t) / d)\, \sqrt{\max(\hat V_t,
        \epsilon_1^2)})` per unit of :math:`g_t`: the relative step
        :math:`\alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1})) \min(\gamma, 1/\sqrt t)`,
        the clipping of :math:`U_t = g_t / \sqrt{\hat V_t}` and the factored second moment."""
        g, theta, t = np.asarray(grad, float), np.asarray(params, float), new_state.t
        eps1 = np.finfo(theta.dtype).eps if self.eps[0] is None else self.eps[0]
        axes = tensor_axes(theta)
        root_size = int(np.prod([theta.shape[a] for a in axes])) ** 0.5
        rho = _smaller(self.rate(theta), t**-0.5)
        alpha = np.maximum(self.eps[1], _norm(theta, axes) / root_size) * rho
        if new_state.variance is not None:
            v_hat = new_state.variance
        else:
            m = theta.shape[-2]
            v_hat = new_state.row_var @ new_state.col_var
            v_hat = v_hat / np.maximum(np.sum(new_state.row_var, axis=-2, keepdims=True) / m, eps1)
        scale = 1 / np.sqrt(np.maximum(v_hat, eps1 * eps1))
        denom = np.maximum(1.0, _norm(scale * g, axes) / (root_size * self.d))
        return alpha / denom * scale
