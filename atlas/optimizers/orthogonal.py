"""Muon: momentum orthogonalised by a Newton–Schulz iteration, for matrix parameters.

Follows ``torch.optim.Muon`` (``_single_tensor_muon`` and
``_zeropower_via_newtonschulz`` in ``torch/optim/_muon.py``, PyTorch 2.13), after
Keller Jordan's Muon (2024). One deliberate difference: PyTorch runs the
Newton–Schulz iteration in bfloat16 (about three significant digits), atlas in
the parameters' own dtype, so a float64 run is exact and a float32 run is float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, lerp, step_inputs

#: PyTorch's (and Keller Jordan's) quintic coefficients, chosen for the largest slope at 0.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


@dataclass(frozen=True)
class MuonState(State):
    """``b``: the momentum buffer :math:`B_t` (shaped like the parameters)."""

    b: np.ndarray


def newton_schulz(
    x: np.ndarray, coefficients: tuple[float, float, float], steps: int, eps: float
) -> np.ndarray:
    """The Newton–Schulz orthogonalisation :math:`\\mathrm{NS}_k(X)` of each matrix of a stack.

    :math:`X` is divided by its Frobenius norm (at least ``eps``), so that its
    singular values are at most 1, then ``steps`` times :math:`A = X X^\\top`,
    :math:`X \\leftarrow a X + (b A + c A^2) X`, which drives every singular value
    towards 1 (to roughly 0.7–1.2: the coefficients trade accuracy for speed).
    A wide matrix is iterated as it is, a tall one transposed (so :math:`A` is
    the smaller Gram matrix); a 1-D array is one ``1 x n`` matrix.
    """
    a, b, c = coefficients
    matrix = x if x.ndim >= 2 else x[np.newaxis, :]
    tall = matrix.shape[-2] > matrix.shape[-1]
    o = np.swapaxes(matrix, -1, -2) if tall else matrix
    norm = np.sqrt(np.sum(o * o, axis=(-2, -1), keepdims=True))
    o = o / np.maximum(norm, eps)
    row = o.shape[-2] == 1  # A is 1 x 1: A A and (bA + cA²) X are plain products, exactly
    for _ in range(steps):
        if row:  # A = X Xᵀ summed as numpy sums (in order below 8 terms), not by matmul, which
            # fuses a multiply-add on some machines and not on others (the explorer adds so)
            gram = np.sum(o * o, axis=-1, keepdims=True)
            o = a * o + (b * gram + c * (gram * gram)) * o
        else:
            gram = o @ np.swapaxes(o, -1, -2)
            o = a * o + (b * gram + c * (gram @ gram)) @ o
    o = np.swapaxes(o, -1, -2) if tall else o
    return o.reshape(x.shape)


@dataclass(frozen=True)
class Muon(Optimizer):
    """Muon (Jordan et al., 2024): the momentum step with its singular values set to ~1.

    For a matrix parameter, Muon replaces the (Nesterov) momentum
    :math:`\\tilde B_t` by :math:`\\mathrm{NS}(\\tilde B_t) \\approx U V^\\top`
    (from :math:`\\tilde B_t = U S V^\\top`): every direction of the update gets
    about the same size, however unevenly the gradient spreads over them. The
    step is scaled by :math:`\\sqrt{\\max(1, m/n)}` for an :math:`m \\times n`
    matrix (``adjust_lr_fn="original"``, the default) or by
    :math:`0.2\\sqrt{\\max(m, n)}` (``"match_rms_adamw"``, Moonshot's, to reuse
    AdamW's learning rate).

    Shapes (see :mod:`atlas.optimizers.base`): a matrix, a stack of independent
    matrices, or a vector, taken as one ``1 x n`` matrix (PyTorch refuses
    vectors; ``atlas train`` gives a network's biases to AdamW, as PyTorch's
    documentation recommends).

    **On the 2-D surfaces** a point is one ``1 x 2`` matrix, whose only
    singular value Newton–Schulz maps from 1 (after the normalisation) to
    :math:`\\kappa = p^{5}(1) \\approx 0.6964` with :math:`p(\\sigma) = a\\sigma
    + b\\sigma^3 + c\\sigma^5`: Muon is *normalised momentum*,
    :math:`\\theta_t = (1 - \\gamma\\lambda)\\theta_{t-1} - \\gamma\\kappa\\,
    \\tilde B_t / \\lVert \\tilde B_t \\rVert` (for :math:`\\lVert \\tilde B_t
    \\rVert \\ge \\epsilon`): steps of constant length whatever the gradient's size.

    Departures from ``torch.optim.Muon``: the Newton–Schulz iteration runs in
    the parameters' dtype, not bfloat16 (see the module docstring); vectors are
    accepted as ``1 x n`` matrices. A network's weight matrix in atlas is
    ``(in, out)``, the transpose of a ``torch.nn.Linear`` weight, so the
    ``"original"`` factor reads :math:`\\sqrt{\\max(1, \\text{in}/\\text{out})}`
    where PyTorch's ``Linear`` would give :math:`\\sqrt{\\max(1,
    \\text{out}/\\text{in})}` (the orthogonalised update itself is the same, transposed).
    """

    name: ClassVar[str] = "muon"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Muon"
    description: ClassVar[str] = "Momentum orthogonalised by Newton-Schulz, for weight matrices"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \lambda \text{ (weight decay)},\ \mu \text{ (momentum)},
  \ \textit{nesterov},\ (a, b, c) \text{ (NS coefficients)},\ \epsilon,\ k \text{ (NS steps)} \\
&\textbf{initialize}: B_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad B_t \leftarrow \mu B_{t-1} + (1 - \mu) g_t \\
&\quad \tilde B_t \leftarrow \textbf{if}\ \textit{nesterov}:\ (1 - \mu) g_t + \mu B_t
  \ \textbf{else}\ B_t \\
&\quad X \leftarrow \tilde B_t / \max(\lVert \tilde B_t \rVert_F, \epsilon)
  \quad (\text{transposed if it has more rows than columns}) \\
&\quad \textbf{repeat}\ k\ \textbf{times}:\ A \leftarrow X X^\top,
  \ X \leftarrow a X + (b A + c A^2) X \\
&\quad O_t \leftarrow X \quad (\text{transposed back}) \\
&\quad \gamma' \leftarrow \gamma \sqrt{\max(1, m/n)}\ \text{for an}\ m \times n\ \text{matrix} \\
&\quad \theta_t \leftarrow (1 - \gamma\lambda)\,\theta_{t-1} - \gamma' O_t
"""
    elementwise: ClassVar[bool] = False

    lr: float = 1e-3
    weight_decay: float = 0.1
    momentum: float = 0.95
    nesterov: bool = True
    ns_coefficients: tuple[float, float, float] = NS_COEFFICIENTS
    eps: float = 1e-7
    ns_steps: int = 5
    adjust_lr_fn: str | None = None

    def check(self) -> None:
        self._require_nonnegative("lr", "momentum", "weight_decay", "eps", "ns_steps")
        if self.ns_steps >= 100:  # PyTorch refuses it at the first step; atlas at once
            self._fail("ns_steps", "less than 100")
        if self.adjust_lr_fn not in ADJUST_LR_FNS:
            self._fail("adjust_lr_fn", "None, 'original' or 'match_rms_adamw'")

    def init(self, params: np.ndarray) -> MuonState:
        theta = as_float_array(params, "params")
        if theta.ndim == 0:
            raise ValueError("Muon needs a vector or a matrix (or a stack of them), got a scalar")
        return MuonState(t=0, b=np.zeros_like(theta))

    def adjusted_lr(self, shape: tuple[int, ...],
                    lr: float | np.ndarray | None = None) -> float | np.ndarray:  # fmt: skip
        """The learning rate ``lr`` (by default the optimizer's one ``lr``; or the rates per
        start of a stack, :meth:`rate`) scaled for one matrix of ``shape`` (a vector:
        ``1 x n``)."""
        lr = self.lr if lr is None else lr
        rows, cols = shape[-2:] if len(shape) >= 2 else (1, shape[-1])
        if self.adjust_lr_fn == "match_rms_adamw":
            return lr * 0.2 * math.sqrt(max(rows, cols))
        return lr * math.sqrt(max(1, rows / cols))

    def update(
        self, grad: np.ndarray, state: MuonState, params: np.ndarray
    ) -> tuple[np.ndarray, MuonState]:
        g, theta, t = step_inputs(grad, state, params)
        b = lerp(state.b, g, 1 - self.momentum)  # B + (1 - mu)(g - B), as torch's lerp_
        b_tilde = lerp(g, b, self.momentum) if self.nesterov else b
        o = newton_schulz(b_tilde, self.ns_coefficients, self.ns_steps, self.eps)
        lr = self.rate(theta)
        theta = theta * (1 - lr * self.weight_decay)
        theta = theta - self.adjusted_lr(theta.shape, lr) * o
        return theta, MuonState(t=t, b=b)

    def effective_step(self, grad: np.ndarray, state: MuonState, params: np.ndarray,
                       new_state: MuonState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma'` (the learning rate adjusted to the matrix's shape) in every
        coordinate, per unit of the orthogonalised momentum :math:`O_t`."""
        return np.full(np.shape(params), self.adjusted_lr(np.shape(params), self.rate(params)))

    def momentum_buffer(self, state: MuonState) -> np.ndarray | None:
        """The momentum buffer :math:`B_t`."""
        return state.b
