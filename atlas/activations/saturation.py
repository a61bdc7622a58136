r"""Where an activation saturates: on which side its derivative tends to 0.

An activation :math:`f` *saturates on the left* if :math:`f'(x) \to 0` as
:math:`x \to -\infty`, *on the right* if :math:`f'(x) \to 0` as :math:`x \to +\infty`
(Gulcehre et al., 2016, "Noisy activation functions"). Where the derivative
vanishes, so does every gradient that passes through the unit, which is why
saturation matters: a sigmoid saturates on both sides, ReLU on the left only (its
slope is exactly 0 there), leaky ReLU nowhere.

The answer is *computed* from the activation's own backward rule, not declared:
:func:`saturation` evaluates :math:`|f'|` far out on each side, at
:data:`FAR` = :math:`\pm 10^6`, and calls a side saturating when it is below
:data:`VANISHING` (the polynomial tail of softsign, :math:`1/(1+|x|)^2`, is
:math:`10^{-12}` there; a leaky ReLU's slope is :math:`10^{-2}`). An activation that
is not elementwise (softmax) is read along a 2-class input :math:`(s, 0)`, by the
largest entry of its Jacobian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas.activations.base import Activation

#: How far out each side is probed.
FAR = 1e6
#: A derivative below this (in absolute value) counts as vanished.
VANISHING = 1e-9


@dataclass(frozen=True)
class Saturation:
    """On which sides the derivative of an activation tends to 0."""

    left: bool  # f'(x) -> 0 as x -> -inf
    right: bool  # f'(x) -> 0 as x -> +inf

    @property
    def sides(self) -> str:
        """``"both"``, ``"left"``, ``"right"`` or ``"none"``."""
        if self.left and self.right:
            return "both"
        return "left" if self.left else "right" if self.right else "none"

    @property
    def any(self) -> bool:
        """Whether the derivative vanishes on at least one side."""
        return self.left or self.right


def slope(act: Activation, x: float) -> float:
    """:math:`|f'(x)|`, or for a non-elementwise activation the largest :math:`|J_{ij}|`
    at the 2-class input :math:`(x, 0)`."""
    if act.elementwise:
        return float(abs(act.derivative(np.array([x]))[0]))
    return float(np.max(np.abs(act.jacobian(np.array([x, 0.0])))))


def saturation(act: Activation) -> Saturation:
    """On which sides ``act``'s derivative vanishes (see the module docstring)."""
    return Saturation(left=slope(act, -FAR) < VANISHING, right=slope(act, FAR) < VANISHING)
