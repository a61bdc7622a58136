"""Loss functions: value, gradient with respect to the prediction, and reduction.

Each loss is a frozen dataclass (``reduction`` and its parameters are fields)
with ``forward(y, t)`` and ``backward(y, t, dl=1.0)``; ``input`` says what the
prediction is ("value", "probability", "logit" or "log_probability") and
``kind`` whether it is a regression or a classification loss::

    from atlas import losses
    mse = losses.get("mse")
    value, grad = mse.forward(y, t), mse.backward(y, t)

Module map: :mod:`~atlas.losses.base` (the interface and reductions),
:mod:`~atlas.losses.regression`, :mod:`~atlas.losses.binary`,
:mod:`~atlas.losses.categorical`.
"""

from __future__ import annotations

from typing import Any

from atlas.losses.base import REDUCTIONS, Loss
from atlas.losses.binary import BCE, BCEWithLogits, Hinge
from atlas.losses.categorical import NLL, CrossEntropy, KLDiv, SoftmaxCrossEntropy
from atlas.losses.regression import MAE, MSE, HalfSquaredError, Huber
from atlas.registry import Registry

registry: Registry[type[Loss]] = Registry("loss")

for _cls in (MSE, HalfSquaredError, MAE, Huber, BCE, BCEWithLogits, CrossEntropy,
             SoftmaxCrossEntropy, NLL, Hinge, KLDiv):
    registry.register(_cls.name, _cls)


def get(name: str, **params: Any) -> Loss:
    """The loss called ``name`` built with ``params`` (e.g. ``reduction="sum"``, ``delta``).

    An unknown name raises :class:`~atlas.registry.UnknownNameError`; an unknown
    or bad parameter raises ``ValueError`` naming it and showing its value.
    """
    return registry.build(name, **params)


def names() -> list[str]:
    """Every loss name, regression first."""
    return registry.names()


__all__ = [
    "BCE", "MAE", "MSE", "NLL", "REDUCTIONS", "BCEWithLogits", "CrossEntropy",
    "HalfSquaredError", "Hinge", "Huber", "KLDiv", "Loss", "SoftmaxCrossEntropy", "get",
    "names", "registry",
]
