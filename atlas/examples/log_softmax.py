r"""Softmax + cross-entropy against log-softmax + NLL: which is more accurate, and why.

Both compute the same loss on logits :math:`z` with true class :math:`k`,

.. math:: \ell = -\log \operatorname{softmax}(z)_k = \log\sum_j e^{z_j} - z_k,
          \qquad \frac{\partial \ell}{\partial z} = \operatorname{softmax}(z) - t,

but in a different order. **Softmax first** (``softmax`` then ``cross_entropy``)
rounds the probabilities before taking the log: a probability below
:math:`2^{-1074}` becomes exactly 0, its log :math:`-\infty` (clamped at -100, as
PyTorch does), and a probability close to 1 keeps only the digits of
:math:`1 - p` that survive next to 1. **Log first** (``log_softmax`` then ``nll``)
never forms the small probability: :math:`z_k - \log\sum_j e^{z_j}` via
log-sum-exp is exact for any logits. :func:`compare` computes both, with their
gradients, against a 60-digit reference in Python's :mod:`decimal`.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas import activations, losses

REFERENCE_DIGITS = 60


def reference(z: Sequence[float], target: int,
              digits: int = REFERENCE_DIGITS) -> tuple[float, np.ndarray]:
    """The loss :math:`\\log\\sum_j e^{z_j} - z_k` and gradient :math:`\\operatorname{softmax}(z)
    - t`, computed with ``digits`` significant digits and rounded once to float64."""
    values = [float(v) for v in z]
    if not 0 <= target < len(values):
        raise ValueError(f"target must be a class index in [0, {len(values)}), got {target!r}")
    with decimal.localcontext() as ctx:
        ctx.prec = digits
        zs = [decimal.Decimal(v) for v in values]  # exact: every float is a decimal
        m = max(zs)
        lse = m + sum((v - m).exp() for v in zs).ln()
        loss = lse - zs[target]
        grad = [(v - lse).exp() - (1 if i == target else 0) for i, v in enumerate(zs)]
    return float(loss), np.array([float(g) for g in grad])


@dataclass(frozen=True)
class Comparison:
    """The loss and its gradient computed both ways, and the reference."""

    z: np.ndarray
    target: int
    probabilities: np.ndarray  # softmax(z), as the softmax-first route sees it
    loss_softmax_first: float  # cross_entropy(softmax(z))
    loss_log_first: float  # nll(log_softmax(z))
    loss_reference: float
    grad_softmax_first: np.ndarray
    grad_log_first: np.ndarray
    grad_reference: np.ndarray

    @property
    def loss_error_softmax_first(self) -> float:
        """Relative error of the softmax-first loss."""
        return _relative(self.loss_softmax_first, self.loss_reference)

    @property
    def loss_error_log_first(self) -> float:
        """Relative error of the log-first loss."""
        return _relative(self.loss_log_first, self.loss_reference)

    @property
    def grad_error_softmax_first(self) -> float:
        """Largest gradient error, relative to the largest reference entry."""
        return _relative_array(self.grad_softmax_first, self.grad_reference)

    @property
    def grad_error_log_first(self) -> float:
        """Largest gradient error, relative to the largest reference entry."""
        return _relative_array(self.grad_log_first, self.grad_reference)


def _relative(value: float, ref: float) -> float:
    if ref == 0:
        return 0.0 if value == 0 else float("inf")
    return abs(value - ref) / abs(ref)


def _relative_array(value: np.ndarray, ref: np.ndarray) -> float:
    scale = float(np.max(np.abs(ref)))
    error = float(np.max(np.abs(value - ref)))
    if scale == 0:
        return 0.0 if error == 0 else float("inf")
    return error / scale


def compare(z: Sequence[float], target: int) -> Comparison:
    """Loss and gradient of logits ``z`` (one example) for class ``target``, both ways."""
    z_row = np.asarray(z, dtype=np.float64)[None, :]
    t = np.array([target])
    softmax, cross_entropy = activations.get("softmax"), losses.get("cross_entropy")
    p = softmax.forward(z_row)
    grad_sf = softmax.backward(z_row, p, cross_entropy.backward(p, t))
    log_softmax, nll = activations.get("log_softmax"), losses.get("nll")
    log_p = log_softmax.forward(z_row)
    grad_lf = log_softmax.backward(z_row, log_p, nll.backward(log_p, t))
    loss_ref, grad_ref = reference(z_row[0], target)
    return Comparison(z=z_row[0], target=target, probabilities=p[0],
                      loss_softmax_first=float(cross_entropy.forward(p, t)),
                      loss_log_first=float(nll.forward(log_p, t)), loss_reference=loss_ref,
                      grad_softmax_first=grad_sf[0], grad_log_first=grad_lf[0],
                      grad_reference=grad_ref)


def margin_sweep(margins: Sequence[float], *, correct: bool) -> list[Comparison]:
    """:func:`compare` for logits :math:`z = (m, 0)` at every margin m, the true class being
    the favoured one (``correct=True``, loss ≈ :math:`e^{-m}`) or the other (loss ≈ m)."""
    return [compare([float(m), 0.0], 0 if correct else 1) for m in margins]
