"""What every activation is: a forward rule and its local derivative, side by side.

Modelled on PyTorch's ``autograd.Function`` and on micrograd: ``forward``
computes :math:`y = f(x)`; ``vjp`` receives the input :math:`x`, the
*saved output* :math:`y` and the upstream gradient :math:`\\bar y = \\partial L/\\partial y`
and returns the vector–Jacobian product

.. math::

    \\bar x = \\frac{\\partial L}{\\partial x} = J_f(x)^\\top \\bar y,

which for an elementwise :math:`f` is just :math:`\\bar x = f'(x) \\odot \\bar y`.
Several derivatives are cheapest from the output (:math:`\\sigma' = y(1-y)`,
:math:`\\tanh' = 1 - y^2`), which is why ``vjp`` is handed ``y`` rather
than recomputing it. Nothing is ever modified in place.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from atlas.registry_entry import RegistryEntry
from atlas.registry_entry import as_float_array as _as_float_array

#: The declared yes/no properties. Saturation is computed from the derivative instead
#: (:func:`atlas.activations.saturation.saturation`).
PROPERTY_KEYS = ("monotonic", "smooth", "zero_centred", "bounded")


def as_float_array(x: Any, what: str = "x") -> np.ndarray:
    """``x`` as a floating-point array, by the one input policy
    (:func:`atlas.registry_entry.as_float_array`) short of its finiteness check.

    The check sits elsewhere on purpose: in a network whose weights blow up, an
    activation's input turns infinite before the logits do, and training must see
    the non-finite logits (and report the divergence), not an error from a hidden
    layer. Batches are checked where they enter; finite inputs give finite outputs.
    """
    return _as_float_array(x, what, finite=False)


@dataclass(frozen=True)
class Activation(RegistryEntry):
    """Base class: a frozen dataclass whose fields are the activation's parameters.

    Subclasses set the class variables of :class:`atlas.registry_entry.RegistryEntry`
    (``name``, ``title``, ``description``, ``latex``: f(x) = ...) and the ones below,
    declare parameters as ``float`` (or ``int``) fields with defaults (coerced on
    construction by :func:`atlas.registry_entry.coerce`), validate them in :meth:`check`, and
    implement :meth:`forward` and either :meth:`derivative_from` (elementwise: the
    derivative :math:`f'(x)` from ``x`` and the saved ``y``) or :meth:`vjp`.
    """

    derivative_latex: ClassVar[str]  # f'(x) = ... (the VJP for softmax-like ones)
    range: ClassVar[str]  # the image of f, e.g. "(0, 1)"
    pros: ClassVar[tuple[str, ...]]
    cons: ClassVar[tuple[str, ...]]
    properties: ClassVar[dict[str, bool]]  # the keys of PROPERTY_KEYS
    elementwise: ClassVar[bool] = True

    def params(self) -> dict[str, float | int]:
        """Field name -> value, e.g. ``{"negative_slope": 0.01}``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """:math:`y = f(x)`, a new array shaped like ``x``."""
        raise NotImplementedError

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:  # pragma: no cover
        """Elementwise ones: :math:`f'(x)`, given ``x`` and the saved output ``y = f(x)``.

        The vector-Jacobian product :meth:`vjp` multiplies it by the upstream gradient.
        """
        raise NotImplementedError

    def vjp(self, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """The vector-Jacobian product :math:`\\partial L/\\partial x`, given the input,
        the saved output and :math:`\\bar y = \\partial L/\\partial y`.

        Elementwise: :math:`f'(x) \\odot \\bar y`. No argument is modified.
        """
        x, y, dy = vjp_inputs(x, y, dy)
        return dy * self.derivative_from(x, y)

    def derivative(self, x: np.ndarray) -> np.ndarray:
        """:math:`f'(x)` elementwise (for plots); equals ``vjp(x, f(x), 1)``."""
        x = as_float_array(x)
        return self.derivative_from(x, self.forward(x))


def where_constant(condition: np.ndarray, inside: float, outside: float,
                   like: np.ndarray) -> np.ndarray:
    """``inside`` where ``condition`` holds, else ``outside``, in the float dtype of ``like``.

    ``np.where(c, 1.0, 0.0)`` alone is float64 whatever the input, which would
    silently turn a float32 network's gradients into float64. With ``outside = 0``
    (ReLU's step, say) the mask times ``inside`` is the same numbers, and several
    times faster: ``np.where`` branches on every element of a random mask.
    """
    kind = like.dtype.type
    if outside == 0:
        return condition * kind(inside)
    return np.where(condition, kind(inside), kind(outside))


def vjp_inputs(x: Any, y: Any, dy: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x``, ``y``, ``dy`` as float arrays of one shape, or a ValueError saying which differs."""
    x, y, dy = as_float_array(x), as_float_array(y, "y"), as_float_array(dy, "dy")
    if not x.shape == y.shape == dy.shape:
        raise ValueError(f"x, y and dy must have one shape, got {x.shape}, {y.shape}, {dy.shape}")
    return x, y, dy

