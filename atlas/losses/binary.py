"""Binary classification losses: on a probability, on a logit, and the hinge on a score.

Each is elementwise: one prediction per element of ``y``, "mean" averages over
all elements (PyTorch's semantics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from atlas.activations.special import sigmoid, softplus
from atlas.losses.base import Loss, check_probability, clamped_log, clamped_log1m

GRAD_EPS = 1e-12  # PyTorch's floor on y(1 - y) in binary_cross_entropy's backward


@dataclass(frozen=True)
class BCE(Loss):
    """Binary cross-entropy on a probability :math:`y \\in [0, 1]` (``torch.nn.BCELoss``).

    **Clamping, as PyTorch does.** Both logarithms are clamped at -100, so
    :math:`y = 0` or :math:`y = 1` give a finite loss (at most 100 per element)
    instead of ``inf``. :math:`\\log(1 - y)` is evaluated as ``log1p(-y)``, which
    keeps its digits for tiny y (PyTorch's ``log(1 - y)`` loses them).

    The gradient :math:`(y - t)/(y(1 - y))` has its denominator floored at
    :math:`10^{-12}`, as PyTorch's backward does, so it is finite (at most
    :math:`10^{12}` in size) at :math:`y = 0` and 1. Where possible prefer
    :class:`BCEWithLogits`, which needs no clamping at all.
    """

    name: ClassVar[str] = "bce"
    title: ClassVar[str] = "Binary cross-entropy"
    description: ClassVar[str] = "Binary cross-entropy on probabilities, logs clamped"
    latex: ClassVar[str] = r"\ell = -\left(t \log y + (1 - t) \log(1 - y)\right)"
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial \ell}{\partial y} = -\frac{t}{y} + \frac{1 - t}{1 - y}"
        r" = \frac{y - t}{y(1 - y)}")
    range: ClassVar[str] = r"[0, 100]"
    pros: ClassVar[tuple[str, ...]] = ("The likelihood loss of a Bernoulli output",
                                       "Accepts soft targets t in [0, 1]")
    cons: ClassVar[tuple[str, ...]] = (r"Needs a clamp: \(\log 0 = -\infty\)",
                                       "Sigmoid + BCE loses precision; use bce_with_logits")
    kind: ClassVar[str] = "classification"
    input: ClassVar[str] = "probability"

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        y, t = super().inputs(y, t)
        check_probability(y, f"{self.title}: the prediction y")
        return y, t

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -(t * clamped_log(y) + (1.0 - t) * clamped_log1m(y))

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (y - t) / np.maximum(y * (1.0 - y), GRAD_EPS)


@dataclass(frozen=True)
class BCEWithLogits(Loss):
    """Binary cross-entropy on a logit z, with :math:`y = \\sigma(z)` folded in, stably.

    .. math:: \\ell = \\max(z, 0) - z t + \\log(1 + e^{-|z|}),
              \\qquad \\frac{\\partial \\ell}{\\partial z} = \\sigma(z) - t,

    exact for every finite z: no logarithm of 0, no clamp (``torch.nn.BCEWithLogitsLoss``).
    """

    name: ClassVar[str] = "bce_with_logits"
    title: ClassVar[str] = "Binary cross-entropy with logits"
    description: ClassVar[str] = "BCE of the sigmoid of a logit, computed stably from the logit"
    latex: ClassVar[str] = r"\ell = \max(z, 0) - z t + \log(1 + e^{-|z|})"
    derivative_latex: ClassVar[str] = r"\frac{\partial \ell}{\partial z} = \sigma(z) - t"
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Exact for any logit: no clamping needed",
                                       r"The simplest gradient: \(\sigma(z) - t\)")
    cons: ClassVar[tuple[str, ...]] = ("The model must output logits, not probabilities",)
    kind: ClassVar[str] = "classification"
    input: ClassVar[str] = "logit"

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return softplus(y) - y * t  # softplus(z) = max(z, 0) + log1p(e^{-|z|})

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return sigmoid(y) - t


@dataclass(frozen=True)
class Hinge(Loss):
    """The SVM hinge :math:`\\max(0, 1 - t y)` on a real score y, for targets **t ∈ {-1, +1}**.

    Targets 0/1 are refused with a ValueError (map them by :math:`2t - 1`).
    At the kink :math:`t y = 1` the (sub)gradient is taken as 0.
    """

    name: ClassVar[str] = "hinge"
    title: ClassVar[str] = "Hinge"
    description: ClassVar[str] = "The SVM margin loss, for targets of -1 and +1"
    latex: ClassVar[str] = r"\ell = \max(0, 1 - t y),\ t \in \{-1, +1\}"
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial \ell}{\partial y} = \begin{cases} -t & t y < 1 \\ 0 & t y \ge 1 "
        r"\end{cases}")
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Zero loss once the margin exceeds 1: sparse gradients",
                                       "Maximises the margin, as in SVMs")
    cons: ClassVar[tuple[str, ...]] = ("No probabilities", r"Not differentiable at \(t y = 1\)")
    kind: ClassVar[str] = "classification"
    input: ClassVar[str] = "value"

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        y, t = super().inputs(y, t)
        bad = np.abs(t) != 1
        if np.any(bad):
            raise ValueError(f"{self.title}: targets must be -1 or +1, "
                             f"got {np.unique(t[bad])[:3]!r}")
        return y, t

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, 1.0 - t * y)

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.where(t * y < 1.0, -t, 0.0)
