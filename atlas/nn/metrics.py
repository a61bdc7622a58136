"""How good is a classifier: accuracy, confusion matrix, precision, recall, F1.

Also the notes' exercise 8.5: the *easiest* test images (correctly classified
with the highest confidence :math:`p(\\hat y \\mid x)`) and the *hardest* ones
(misclassified with the highest confidence in the wrong class).

Convention (as scikit-learn's ``zero_division=0``): a precision, recall or F1
whose denominator is zero (a class never predicted, or absent) is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _labels(y: np.ndarray, what: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"{what} must be a 1-D array of integer class labels, got {y.dtype} {y.shape}"
        )
    return y


def _pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.shape} vs {y_pred.shape}")
    return y_true, y_pred


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of correct predictions, :math:`\\frac{1}{N}\\sum_n [\\hat y_n = y_n]`."""
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.size == 0:
        raise ValueError("accuracy of an empty set of predictions is undefined")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``C[i, j]`` = number of examples of true class ``i`` predicted as class ``j``."""
    y_true, y_pred = _pair(y_true, y_pred)
    for what, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{what} has labels outside 0..{n_classes - 1}")
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    safe = np.where(den > 0, den, 1)
    return np.where(den > 0, num / safe, 0.0)


@dataclass(frozen=True)
class ClassReport:
    r"""Per-class precision, recall, F1 (arrays over classes) and their macro averages.

    .. math::

        P_k = \frac{C_{kk}}{\sum_i C_{ik}}, \qquad
        R_k = \frac{C_{kk}}{\sum_j C_{kj}}, \qquad
        F_k = \frac{2 P_k R_k}{P_k + R_k},

    and each macro average is the plain mean over the classes.
    """

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # true examples per class

    @property
    def macro_precision(self) -> float:
        return float(self.precision.mean())

    @property
    def macro_recall(self) -> float:
        return float(self.recall.mean())

    @property
    def macro_f1(self) -> float:
        return float(self.f1.mean())

    def to_dict(self) -> dict[str, object]:
        """Plain lists and floats, for JSON."""
        return {
            "precision": self.precision.tolist(),
            "recall": self.recall.tolist(),
            "f1": self.f1.tolist(),
            "support": self.support.tolist(),
            "macro_precision": self.macro_precision,
            "macro_recall": self.macro_recall,
            "macro_f1": self.macro_f1,
        }


def class_report(confusion: np.ndarray) -> ClassReport:
    """Precision, recall and F1 of every class from a confusion matrix."""
    C = np.asarray(confusion)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"confusion matrix must be square, got shape {C.shape}")
    true_positives = np.diag(C).astype(np.float64)
    predicted = C.sum(axis=0)
    actual = C.sum(axis=1)
    precision = _ratio(true_positives, predicted)
    recall = _ratio(true_positives, actual)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return ClassReport(precision=precision, recall=recall, f1=f1, support=actual)


@dataclass(frozen=True)
class Confusion:
    """One off-diagonal cell of a confusion matrix: ``count`` of ``support`` examples of
    class ``true`` were predicted as ``predicted``."""

    true: int
    predicted: int
    count: int
    support: int  # every example of class ``true``


def most_confused(confusion: np.ndarray) -> Confusion:
    """The largest off-diagonal cell: the commonest mistake (the first in row order on a tie)."""
    C = np.asarray(confusion)
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] < 2:
        raise ValueError(f"confusion matrix must be square with at least 2 classes, "
                         f"got shape {C.shape}")
    off_diagonal = C - np.diag(np.diag(C))
    true, predicted = np.unravel_index(np.argmax(off_diagonal), C.shape)
    return Confusion(true=int(true), predicted=int(predicted),
                     count=int(off_diagonal[true, predicted]), support=int(C[true].sum()))


@dataclass(frozen=True)
class Extremes:
    """Indices of the easiest and hardest examples, most confident first."""

    easiest: np.ndarray  # correct predictions with the highest p(ŷ|x)
    easiest_confidence: np.ndarray
    hardest: np.ndarray  # wrong predictions with the highest p(ŷ|x)
    hardest_confidence: np.ndarray

    def to_dict(self) -> dict[str, list]:
        return {
            "easiest": self.easiest.tolist(),
            "easiest_confidence": self.easiest_confidence.tolist(),
            "hardest": self.hardest.tolist(),
            "hardest_confidence": self.hardest_confidence.tolist(),
        }


def extremes(probabilities: np.ndarray, y_true: np.ndarray, k: int = 10) -> Extremes:
    """The ``k`` easiest and ``k`` hardest examples (fewer if there are not enough).

    ``probabilities`` has one row :math:`p(\\cdot \\mid x_n)` per example; the
    prediction is :math:`\\hat y_n = \\arg\\max_k p(k \\mid x_n)` and its
    confidence :math:`p(\\hat y_n \\mid x_n)`. Ties keep the lower index first.
    """
    P = np.asarray(probabilities)
    y_true = _labels(y_true, "y_true")
    if P.ndim != 2 or P.shape[0] != y_true.shape[0]:
        raise ValueError(f"probabilities must have shape (N, classes) with N={y_true.shape[0]}, "
                         f"got {P.shape}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    y_pred = P.argmax(axis=1)
    confidence = P[np.arange(len(P)), y_pred]

    def most_confident(mask: np.ndarray) -> np.ndarray:
        candidates = np.flatnonzero(mask)
        order = np.argsort(-confidence[candidates], kind="stable")
        return candidates[order[:k]]

    easiest = most_confident(y_pred == y_true)
    hardest = most_confident(y_pred != y_true)
    return Extremes(easiest, confidence[easiest], hardest, confidence[hardest])
