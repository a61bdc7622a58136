"""Activation functions: forward rules with their local derivatives, in one registry.

Each activation is a frozen dataclass (its fields are its parameters) with
``forward(x)``, ``vjp(x, y, dy)`` (the vector–Jacobian product, given the
saved output ``y`` as ``autograd.Function`` does) and, when elementwise,
``derivative(x)``; softmax and log-softmax have ``jacobian(x)`` instead.
They are registered from simple to complex::

    from atlas import activations
    act = activations.get("leaky_relu", negative_slope=0.1)
    y = act.forward(x)
    dx = act.vjp(x, y, dy)

Module map: :mod:`~atlas.activations.base` (the interface),
:mod:`~atlas.activations.special` (stable σ, softplus, erf, erfc),
:mod:`~atlas.activations.classic`, :mod:`~atlas.activations.rectifiers`,
:mod:`~atlas.activations.smooth`, :mod:`~atlas.activations.hard`,
:mod:`~atlas.activations.softmax`, :mod:`~atlas.activations.saturation` (on which side
each derivative vanishes, computed).
"""

from __future__ import annotations

from typing import Any

from atlas.activations.base import PROPERTY_KEYS, Activation
from atlas.activations.classic import Identity, LogSigmoid, Sigmoid, Softsign, Tanh
from atlas.activations.hard import Hardsigmoid, Hardswish, Hardtanh
from atlas.activations.rectifiers import CELU, ELU, SELU, LeakyReLU, ReLU, ReLU6
from atlas.activations.saturation import Saturation, saturation
from atlas.activations.smooth import GELU, GELUTanh, Mish, SiLU, Softplus
from atlas.activations.softmax import LogSoftmax, Softmax, log_softmax, logsumexp, softmax
from atlas.registry import Registry

registry: Registry[type[Activation]] = Registry("activation")

for _cls in (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU, Softplus, GELU, GELUTanh,
             SiLU, Mish, Hardtanh, Hardsigmoid, Hardswish, Softsign, Softmax, LogSoftmax,
             ReLU6, CELU, LogSigmoid):
    registry.register(_cls.name, _cls)


def get(name: str, **params: Any) -> Activation:
    """The activation called ``name`` built with ``params`` (its dataclass fields).

    An unknown name raises :class:`~atlas.registry.UnknownNameError`; an unknown
    or bad parameter raises ``ValueError`` naming it and showing its value.
    """
    return registry.build(name, **params)


def names() -> list[str]:
    """Every activation name, from simple to complex."""
    return registry.names()


__all__ = [
    "CELU", "ELU", "GELU", "PROPERTY_KEYS", "SELU", "Activation", "GELUTanh", "Hardsigmoid",
    "Hardswish", "Hardtanh", "Identity", "LeakyReLU", "LogSigmoid", "LogSoftmax", "Mish",
    "ReLU", "ReLU6", "Saturation", "SiLU", "Sigmoid", "Softmax", "Softplus", "Softsign", "Tanh",
    "get", "log_softmax", "logsumexp", "names", "registry", "saturation", "softmax",
]
