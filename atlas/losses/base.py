"""What every loss is: a per-example formula, its gradient, and a reduction.

A loss compares a prediction ``y`` with a target ``t``. ``forward`` returns

.. math::

    L = \\operatorname{reduce}(\\ell), \\qquad
    \\operatorname{mean}: \\frac1N\\sum_i \\ell_i, \\quad
    \\operatorname{sum}: \\sum_i \\ell_i, \\quad
    \\operatorname{none}: \\ell,

and ``backward`` returns :math:`\\bar L \\cdot \\partial L/\\partial y`, shaped like
``y``, for an upstream gradient :math:`\\bar L` (``dl``: a number, or an array
shaped like ``ℓ`` when ``reduction="none"``). The semantics are PyTorch's: for
elementwise losses ℓ has one entry per element of ``y`` and "mean" divides by
``y.size``; for class losses (``per_row``) ``y`` holds one row of class scores
per example along its last axis, ℓ has one entry per row and "mean" divides by
the number of rows. Inputs are never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from atlas.registry_entry import RegistryEntry, as_float_array

REDUCTIONS = ("mean", "sum", "none")
LOG_FLOOR = -100.0  # PyTorch clamps log-probabilities at -100 in its probability losses


def clamped_log(p: np.ndarray) -> np.ndarray:
    """:math:`\\max(\\log p, -100)` for p in [0, 1], without ever evaluating ``log(0)``."""
    positive = p > 0
    return np.where(positive, np.maximum(np.log(np.where(positive, p, 1.0)), LOG_FLOOR),
                    LOG_FLOOR)


def clamped_log1m(p: np.ndarray) -> np.ndarray:
    """:math:`\\max(\\log(1 - p), -100)` for p in [0, 1], as ``log1p(-p)`` (exact for tiny p)."""
    below_one = p < 1
    return np.where(below_one, np.maximum(np.log1p(-np.where(below_one, p, 0.0)), LOG_FLOOR),
                    LOG_FLOOR)


def check_probability(p: np.ndarray, what: str) -> None:
    """A ValueError unless every entry of ``p`` lies in [0, 1] (as PyTorch demands)."""
    bad = (p < 0) | (p > 1)
    if np.any(bad):
        raise ValueError(f"{what} must lie in [0, 1], got {p[bad].ravel()[:3]!r}")


@dataclass(frozen=True)
class Loss(RegistryEntry):
    """Base class: a frozen dataclass whose fields are ``reduction`` and the loss's parameters.

    Subclasses set the class variables of :class:`atlas.registry_entry.RegistryEntry`
    (``name``, ``title``, ``description``, ``latex``: the loss formula) and the ones
    below, declare parameters as ``float`` fields (coerced on construction by
    :func:`atlas.registry_entry.coerce`), validate them in :meth:`check`,
    implement :meth:`pointwise` (the unreduced ℓ) and :meth:`gradient`
    (:math:`\\partial \\ell/\\partial y`, shaped like ``y``) and may override
    :meth:`inputs` to check and convert ``(y, t)``.
    """

    derivative_latex: ClassVar[str]  # its gradient with respect to the prediction
    range: ClassVar[str]
    pros: ClassVar[tuple[str, ...]]
    cons: ClassVar[tuple[str, ...]]
    kind: ClassVar[str]  # "regression" or "classification"
    input: ClassVar[str]  # "value", "probability", "logit" or "log_probability"
    per_row: ClassVar[bool] = False  # one loss per row of class scores (last axis)
    reductions: ClassVar[tuple[str, ...]] = REDUCTIONS

    reduction: str = "mean"

    def __post_init__(self) -> None:
        if self.reduction not in self.reductions:
            raise ValueError(f"{self.title}: reduction must be one of {self.reductions}, "
                             f"got {self.reduction!r}")
        super().__post_init__()

    def params(self) -> dict[str, Any]:
        """Field name -> value, e.g. ``{"reduction": "mean", "delta": 1.0}``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __call__(self, y: np.ndarray, t: np.ndarray) -> np.ndarray | float:
        return self.forward(y, t)

    def inputs(self, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
        """Checked float ``(y, t)``; by default ``t`` must broadcast to ``y``'s shape.

        Integer or boolean targets take the prediction's dtype, so a float32
        prediction gives a float32 loss gradient.
        """
        y, t = as_float_array(y, "prediction y"), as_float_array(t, "target t", like=y)
        try:
            t = np.broadcast_to(t, y.shape)
        except ValueError:
            raise ValueError(f"{self.title}: target shape {t.shape} does not match "
                             f"prediction shape {y.shape}") from None
        return y, t

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:  # pragma: no cover
        """The unreduced losses ℓ (one per element, or one per row if ``per_row``)."""
        raise NotImplementedError

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:  # pragma: no cover
        """:math:`\\partial \\ell/\\partial y`, shaped like ``y`` (row by row if ``per_row``)."""
        raise NotImplementedError

    def pointwise_and_gradient(
        self, y: np.ndarray, t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """ℓ and :math:`\\partial \\ell/\\partial y` together (override to share work)."""
        return self.pointwise(y, t), self.gradient(y, t)

    def forward(self, y: np.ndarray, t: np.ndarray) -> np.ndarray | float:
        """The reduced loss: a float for "mean"/"sum", the array ℓ for "none"."""
        y, t = self.inputs(y, t)
        losses = self.pointwise(y, t)
        if self.reduction == "none":
            return losses
        return float(np.sum(losses)) / self._count(y, losses)

    def forward_backward(
        self, y: np.ndarray, t: np.ndarray
    ) -> tuple[np.ndarray | float, np.ndarray]:
        """``(forward(y, t), backward(y, t))`` in one pass: what a training step needs.

        The inputs are checked once, and a loss may compute its value and gradient
        from shared intermediates (softmax cross-entropy: one log-softmax for both).
        """
        y, t = self.inputs(y, t)
        losses, grad = self.pointwise_and_gradient(y, t)
        if self.reduction == "none":
            return losses, grad
        count = self._count(y, losses)
        return float(np.sum(losses)) / count, grad * (1.0 / count)

    def backward(self, y: np.ndarray, t: np.ndarray, dl: float | np.ndarray = 1.0) -> np.ndarray:
        """:math:`\\bar L\\,\\partial L/\\partial y`, shaped like ``y``; nothing is modified."""
        y, t = self.inputs(y, t)
        grad = self.gradient(y, t)
        dl = np.asarray(dl, dtype=np.float64)
        if self.reduction != "none":
            if dl.size != 1:
                raise ValueError(f"dl must be a number for reduction={self.reduction!r}, "
                                 f"got shape {dl.shape}")
            return grad * (float(dl.reshape(())) / self._count(y, grad))
        shape = y.shape[:-1] if self.per_row else y.shape
        try:
            dl = np.broadcast_to(dl, shape)
        except ValueError:
            raise ValueError(f"dl shape {dl.shape} does not match the losses' shape "
                             f"{shape}") from None
        dl = dl.astype(grad.dtype, copy=False)  # a float32 gradient stays float32
        return grad * (dl[..., None] if self.per_row else dl)

    def _count(self, y: np.ndarray, losses: np.ndarray) -> int:
        """The divisor of the reduction: 1 (sum), the batch size (batchmean), or the
        number of losses (mean)."""
        if self.reduction == "sum":
            return 1
        if self.reduction == "batchmean":
            return y.shape[0] if y.ndim and y.shape[0] else 1
        size = int(np.prod(y.shape[:-1])) if self.per_row else y.size
        return max(size, 1)

