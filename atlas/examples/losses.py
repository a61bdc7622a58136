r"""Worked examples of the chapter *Loss functions*: the gradient of softmax + cross-entropy
checked three ways, and naive formulas that fail.

:func:`softmax_cross_entropy_checks` compares the fused backward of
``softmax_cross_entropy`` with :math:`(\operatorname{softmax}(z) - t)/N`, with the chain
through ``softmax`` and ``cross_entropy``, and with central differences.

The naive formulas are the *fragile* versions of something atlas computes properly
elsewhere, kept so the book can put the two side by side. Floating-point warnings are
silenced inside each one: their overflows are the point of the demonstration.

* :func:`naive_logsumexp`: :math:`\log\sum e^{x}` as written (right:
  :func:`atlas.activations.logsumexp`).
* :func:`naive_bce_of_logit`: BCE of :math:`\sigma(z)` without clamps (right:
  the ``bce_with_logits`` loss).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas import activations, losses
from atlas.nn.gradcheck import numerical_gradient

# ----------------------------------------------------------------- the gradient y - t, three ways


@dataclass(frozen=True)
class GradientChecks:
    """The largest absolute difference between the fused gradient of
    ``softmax_cross_entropy`` and each of three independent routes to it."""

    formula: float  # against (softmax(z) − t)/N, the gradient derived by hand
    chain: float  # against softmax's backward of cross_entropy's backward
    numerical: float  # against central differences of the loss


def softmax_cross_entropy_checks(z: np.ndarray, labels: np.ndarray) -> GradientChecks:
    """Check ``softmax_cross_entropy``'s backward on logits ``z`` (N, C) and class ``labels``
    (N,) against the formula, the chain rule through two layers, and central differences."""
    z = np.array(z, dtype=np.float64)  # a copy: central differences nudge it in place
    labels = np.asarray(labels)
    if z.ndim != 2 or labels.shape != (z.shape[0],):
        raise ValueError(f"need logits (N, C) and labels (N,), got {z.shape} and {labels.shape}")
    sce = losses.get("softmax_cross_entropy")
    softmax = activations.get("softmax")
    fused = sce.backward(z, labels)
    y = softmax(z)
    chained = softmax.vjp(z, y, losses.get("cross_entropy").backward(y, labels))
    numeric = numerical_gradient(lambda: sce.forward(z, labels), z)
    by_formula = (y - np.eye(z.shape[1])[labels]) / len(z)
    return GradientChecks(formula=float(np.max(np.abs(fused - by_formula))),
                          chain=float(np.max(np.abs(fused - chained))),
                          numerical=float(np.max(np.abs(fused - numeric))))


# --------------------------------------------------------------------------------- naive formulas


def naive_logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r""":math:`\log\sum_j e^{x_j}` as written: ``inf`` once some :math:`x_j > 709.78`
    (:math:`e^{x_j}` overflows), ``-inf`` once every :math:`x_j < -745` (all underflow)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.log(np.sum(np.exp(x), axis=axis))


def naive_bce_of_logit(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    r"""Binary cross-entropy of :math:`y = 1/(1 + e^{-z})` with unclamped logarithms,
    :math:`-(t\log y + (1 - t)\log(1 - y))`.

    Once :math:`y` rounds to 1 (:math:`z \gtrsim 37`) a wrong label costs
    :math:`-\log 0 = \infty`, and :math:`0 \cdot \log 0` gives ``nan`` for the right one.
    """
    z, t = np.asarray(z, dtype=np.float64), np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        y = 1.0 / (1.0 + np.exp(-z))
        return -(t * np.log(y) + (1.0 - t) * np.log(1.0 - y))
