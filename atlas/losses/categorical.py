"""Multi-class losses: cross-entropy on probabilities, on logits, NLL and KL divergence.

Class scores lie along the **last axis** of ``y`` (one row per example). Targets
of the row losses are either probability rows shaped like ``y`` (one-hot or soft)
or integer class indices shaped like ``y`` without its last axis; both give the
same numbers. "mean" divides by the number of rows, as in PyTorch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from atlas.activations.softmax import log_softmax
from atlas.losses.base import REDUCTIONS, Loss, as_float_array, check_probability, clamped_log

PROB_EPS = 1e-12  # floor on y in cross_entropy's gradient (PyTorch's BCE epsilon)


def class_indices(t: Any, y: np.ndarray, title: str) -> np.ndarray | None:
    """``t`` as validated integer class indices if it has ``y``'s shape without the
    class axis, else None (``t`` is then meant as probability rows)."""
    if y.ndim == 0:
        raise ValueError(f"{title}: the prediction needs a class axis, got a scalar")
    classes = y.shape[-1]
    if classes == 0:
        raise ValueError(f"{title}: the prediction needs at least one class along its last "
                         f"axis, got shape {y.shape}")
    t_array = np.asarray(t)
    if t_array.shape != y.shape[:-1] or t_array.shape == y.shape:
        return None
    if not (np.issubdtype(t_array.dtype, np.integer)
            or (np.issubdtype(t_array.dtype, np.floating)
                and np.all(t_array == np.round(t_array)))):
        raise ValueError(f"{title}: class indices must be integers, got {t_array!r}")
    if t_array.size and (t_array.min() < 0 or t_array.max() >= classes):
        raise ValueError(f"{title}: class indices must lie in [0, {classes}), "
                         f"got {t_array!r}")
    return t_array.astype(np.intp, copy=False)


def class_targets(t: Any, y: np.ndarray, title: str) -> np.ndarray:
    """Targets as probability rows shaped like ``y``: class indices become one-hot rows
    (in ``y``'s dtype)."""
    indices = class_indices(t, y, title)
    if indices is not None:
        return np.eye(y.shape[-1], dtype=y.dtype)[indices]
    return _probability_rows(t, y, title)


def _probability_rows(t: Any, y: np.ndarray, title: str) -> np.ndarray:
    """``t`` (not class indices) as float rows shaped like ``y``, or a ValueError."""
    rows = as_float_array(t, "target t", like=y)
    if rows.shape != y.shape:
        raise ValueError(f"{title}: targets must be class indices of shape {y.shape[:-1]} or "
                         f"rows of shape {y.shape}, got shape {rows.shape}")
    return rows


def _at_class(a: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``a[..., indices]`` row by row: the entry of each row's class, shaped like ``indices``."""
    rows = a.reshape(-1, a.shape[-1])
    return rows[np.arange(len(rows)), indices.ravel()].reshape(indices.shape)


def _nll(log_p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """:math:`-\\sum_c t_c \\log p_c` per row; for class indices, :math:`-\\log p_{t}`."""
    return -np.sum(t * log_p, axis=-1) if t.shape == log_p.shape else -_at_class(log_p, t)


def _softmax_minus_target(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """:math:`p \\sum_c t_c - t`; for class indices, ``p`` with 1 taken from each row's class.

    ``p`` must be a fresh array of the caller (it is changed in place for indices).
    """
    if t.shape == p.shape:
        return p * np.sum(t, axis=-1, keepdims=True) - t
    rows = p.reshape(-1, p.shape[-1])  # a view: p is a fresh, contiguous array
    rows[np.arange(len(rows)), t.ravel()] -= 1
    return p


@dataclass(frozen=True)
class _RowLoss(Loss):
    """A loss with one value per row of class scores, targets as rows or indices."""

    kind: ClassVar[str] = "classification"
    per_row: ClassVar[bool] = True

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        y = as_float_array(y, "prediction y")
        return y, class_targets(t, y, self.title)


@dataclass(frozen=True)
class CrossEntropy(_RowLoss):
    """Cross-entropy :math:`-\\sum_c t_c \\log y_c` of probability rows y (each summing to 1).

    As in PyTorch's probability losses the log is clamped at -100, so a 0
    probability gives a finite loss. The gradient :math:`-t_c / y_c` has
    :math:`y_c` floored at :math:`10^{-12}` (the epsilon PyTorch's BCE backward
    uses), so it is finite, and still points the right way, at :math:`y_c = 0`.
    The rows are not renormalised: the gradient is for y as given.
    """

    name: ClassVar[str] = "cross_entropy"
    title: ClassVar[str] = "Cross-entropy"
    description: ClassVar[str] = "Cross-entropy on rows of probabilities, logs clamped at -100"
    latex: ClassVar[str] = r"\ell = -\sum_c t_c \log y_c"
    derivative_latex: ClassVar[str] = r"\frac{\partial \ell}{\partial y_c} = -\frac{t_c}{y_c}"
    range: ClassVar[str] = r"[0, 100]"
    pros: ClassVar[tuple[str, ...]] = ("The likelihood loss of a categorical output",
                                       "Accepts soft targets")
    cons: ClassVar[tuple[str, ...]] = (r"Needs a clamp: \(\log 0 = -\infty\)",
                                       "Softmax then log loses precision; prefer logits")
    input: ClassVar[str] = "probability"

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        y, t = super().inputs(y, t)
        check_probability(y, f"{self.title}: the prediction y")
        return y, t

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -np.sum(t * clamped_log(y), axis=-1)

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -t / np.maximum(y, PROB_EPS)


@dataclass(frozen=True)
class SoftmaxCrossEntropy(_RowLoss):
    """Cross-entropy of softmax(z) for logit rows z: ``torch.nn.CrossEntropyLoss``.

    .. math:: \\ell = -\\sum_c t_c \\log\\operatorname{softmax}(z)_c
              = \\Big(\\sum_c t_c\\Big) \\log\\sum_j e^{z_j} - \\sum_c t_c z_c,

    through log-sum-exp, so exact for any logits; the gradient is
    :math:`\\operatorname{softmax}(z) - t` for rows t summing to 1 (in general
    :math:`\\operatorname{softmax}(z)\\sum_c t_c - t`), divided by the batch size for "mean".
    """

    name: ClassVar[str] = "softmax_cross_entropy"
    title: ClassVar[str] = "Softmax cross-entropy"
    description: ClassVar[str] = "Cross-entropy of the softmax of logits, through log-sum-exp"
    latex: ClassVar[str] = r"\ell = \log\sum_j e^{z_j} - \sum_c t_c z_c"
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial \ell}{\partial z_c} = \operatorname{softmax}(z)_c - t_c")
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Exact for any logits",
                                       r"Gradient \(\operatorname{softmax}(z) - t\)")
    cons: ClassVar[tuple[str, ...]] = ("The model must output logits",)
    input: ClassVar[str] = "logit"

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        """Class indices are kept as they are (no one-hot rows), as in PyTorch."""
        y = as_float_array(y, "prediction y")
        indices = class_indices(t, y, self.title)
        return y, (indices if indices is not None else _probability_rows(t, y, self.title))

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return _nll(log_softmax(y), t)

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return _softmax_minus_target(np.exp(log_softmax(y)), t)

    def pointwise_and_gradient(self, y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # One log-softmax for both; softmax(y) = exp(log_p) exactly as in gradient(),
        # so the fused step and the two separate calls agree to the last bit.
        log_p = log_softmax(y)
        return _nll(log_p, t), _softmax_minus_target(np.exp(log_p), t)


@dataclass(frozen=True)
class NLL(_RowLoss):
    """Negative log-likelihood :math:`-\\sum_c t_c y_c` of log-probability rows y.

    ``torch.nn.NLLLoss``, fed by log-softmax; one-hot rows are accepted as well
    as class indices.
    """

    name: ClassVar[str] = "nll"
    title: ClassVar[str] = "Negative log-likelihood"
    description: ClassVar[str] = (
        "Negative log-probability of the true class, given rows of log-probabilities")
    latex: ClassVar[str] = r"\ell = -\sum_c t_c y_c = -y_{\text{class}}"
    derivative_latex: ClassVar[str] = r"\frac{\partial \ell}{\partial y_c} = -t_c"
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Log-softmax + NLL is exact cross-entropy",
                                       "Trivial gradient")
    cons: ClassVar[tuple[str, ...]] = ("Needs log-probabilities as input",)
    input: ClassVar[str] = "log_probability"

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -np.sum(t * y, axis=-1)

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -t


@dataclass(frozen=True)
class KLDiv(Loss):
    """Kullback–Leibler divergence with PyTorch's ``kl_div`` semantics.

    The prediction y holds log-probabilities :math:`\\log q`, the target t
    probabilities p; elementwise :math:`\\ell = p \\log p - p \\log q`, with
    :math:`0 \\log 0 = 0` (``xlogy``). "mean" averages over all elements;
    ``reduction="batchmean"`` (sum / batch size) is the true KL per example,
    as PyTorch recommends.
    """

    name: ClassVar[str] = "kl_div"
    title: ClassVar[str] = "KL divergence"
    description: ClassVar[str] = (
        "Kullback-Leibler divergence, given log-probabilities: torch's kl_div")
    latex: ClassVar[str] = r"\ell = p\,(\log p - y),\ y = \log q,\ 0 \log 0 = 0"
    derivative_latex: ClassVar[str] = r"\frac{\partial \ell}{\partial y} = -p"
    range: ClassVar[str] = r"[0, \infty)\ \text{(summed over classes)}"
    pros: ClassVar[tuple[str, ...]] = ("Compares whole distributions (distillation, VAEs)",
                                       r"Zero exactly when \(q = p\)")
    cons: ClassVar[tuple[str, ...]] = ("Asymmetric", "'mean' is not the KL: use 'batchmean'")
    kind: ClassVar[str] = "classification"
    input: ClassVar[str] = "log_probability"
    reductions: ClassVar[tuple[str, ...]] = (*REDUCTIONS, "batchmean")

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        y, t = super().inputs(y, t)
        if np.any(t < 0):
            raise ValueError(f"{self.title}: target probabilities must be >= 0, "
                             f"got {t[t < 0].ravel()[:3]!r}")
        return y, t

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        positive = t > 0
        t_log_t = np.where(positive, t * np.log(np.where(positive, t, 1.0)), 0.0)
        return t_log_t - t * y

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -t
