"""Rectifiers: ReLU and its relatives that fix its dead negative half.

All follow PyTorch's conventions at the kinks (``relu'(0) = 0``). The
exponential ones (ELU, SELU, CELU) evaluate :math:`e^{x} - 1` as ``expm1`` of
:math:`\\min(x, 0)`, so the branch that ``np.where`` discards never sees a large
positive argument and never overflows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.activations.base import Activation, as_float_array, where_constant

RECTIFIER_PROS = (r"No saturation for \(x > 0\): the gradient is exactly 1 there",
                  "Cheap: a comparison, no exponential")


@dataclass(frozen=True)
class ReLU(Activation):
    """Rectified linear unit :math:`\\max(x, 0)`; its derivative at 0 is taken as 0."""

    name: ClassVar[str] = "relu"
    title: ClassVar[str] = "ReLU"
    description: ClassVar[str] = (
        "Rectified linear unit, zero for negative inputs: the default hidden-layer activation")
    latex: ClassVar[str] = r"f(x) = \max(x, 0)"
    derivative_latex: ClassVar[str] = r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = (*RECTIFIER_PROS, "Sparse activations")
    cons: ClassVar[tuple[str, ...]] = (r"Dying ReLU: a unit stuck at \(x < 0\) gets no gradient",
                                       "Not zero-centred; kink at 0")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": False}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(as_float_array(x), 0.0)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return where_constant(x > 0, 1.0, 0.0, like=x)


@dataclass(frozen=True)
class LeakyReLU(Activation):
    """:math:`\\max(x, 0) + a\\min(x, 0)`: a small slope ``negative_slope`` for x < 0."""

    name: ClassVar[str] = "leaky_relu"
    title: ClassVar[str] = "Leaky ReLU"
    description: ClassVar[str] = "ReLU with a small slope for negative inputs, so no unit dies"
    latex: ClassVar[str] = r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}")
    range: ClassVar[str] = r"(-\infty, \infty)"
    pros: ClassVar[tuple[str, ...]] = (*RECTIFIER_PROS, r"Never dies: gradient \(a\) for \(x < 0\)")
    cons: ClassVar[tuple[str, ...]] = ("One more hyperparameter a", "Kink at 0")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": False}

    negative_slope: float = 0.01

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return np.where(x > 0, x, self.negative_slope * x)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return where_constant(x > 0, 1.0, self.negative_slope, like=x)


@dataclass(frozen=True)
class ELU(Activation):
    """Exponential linear unit: :math:`x` for x > 0, :math:`\\alpha(e^x - 1)` below.

    For x ≤ 0, :math:`f'(x) = \\alpha e^x`; PyTorch computes it as ``y + alpha``
    from the output, which loses every digit once :math:`e^x` is below
    :math:`2^{-53}`; here it is :math:`\\alpha e^{\\min(x,0)}`, exact.
    """

    name: ClassVar[str] = "elu"
    title: ClassVar[str] = "ELU"
    description: ClassVar[str] = (
        "Exponential linear unit: smooth, with negative outputs that level off")
    latex: ClassVar[str] = (
        r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}")
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}")
    range: ClassVar[str] = r"(-\alpha, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Negative outputs push mean activations towards 0",
                                       r"Smooth at 0 when \(\alpha = 1\)")
    cons: ClassVar[tuple[str, ...]] = (r"An exponential for \(x < 0\)", "Saturates at -alpha")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": False}

    alpha: float = 1.0

    def check(self) -> None:
        if self.alpha <= 0:
            self._fail("alpha", "> 0")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0.0)))


@dataclass(frozen=True)
class SELU(Activation):
    """Scaled ELU, :math:`\\lambda\\,\\mathrm{ELU}_\\alpha(x)` with the self-normalising constants.

    :math:`\\lambda \\approx 1.0507` and :math:`\\alpha \\approx 1.6733` (Klambauer et
    al., 2017) make zero mean and unit variance a fixed point of a layer.
    """

    name: ClassVar[str] = "selu"
    title: ClassVar[str] = "SELU"
    description: ClassVar[str] = "ELU scaled by two fixed constants: self-normalising"
    latex: ClassVar[str] = (r"f(x) = \lambda \begin{cases} x & x > 0 \\ "
                            r"\alpha (e^{x} - 1) & x \le 0 \end{cases}")
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}")
    range: ClassVar[str] = r"(-\lambda\alpha, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Keeps activations near zero mean, unit variance",
                                       "Can train deep plain nets without normalisation")
    cons: ClassVar[tuple[str, ...]] = ("Needs LeCun-normal initialisation to self-normalise",
                                       r"Kink at 0 (slopes \(\lambda\) and \(\lambda\alpha\))")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": False}

    scale: ClassVar[float] = 1.0507009873554804934193349852946  # λ
    alpha: ClassVar[float] = 1.6732632423543772848170429916717  # α

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return self.scale * np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.scale * np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0.0)))


@dataclass(frozen=True)
class CELU(Activation):
    """Continuously differentiable ELU: :math:`\\max(0,x) + \\min(0, \\alpha(e^{x/\\alpha} - 1))`.

    Its slope at :math:`0^-` is 1 for every :math:`\\alpha`, so it is C¹.
    """

    name: ClassVar[str] = "celu"
    title: ClassVar[str] = "CELU"
    description: ClassVar[str] = "ELU rescaled so that its slope is continuous for every alpha"
    latex: ClassVar[str] = (r"f(x) = \begin{cases} x & x > 0 \\ "
                            r"\alpha (e^{x/\alpha} - 1) & x \le 0 \end{cases}")
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}")
    range: ClassVar[str] = r"(-\alpha, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Continuously differentiable for any alpha",
                                       "Negative outputs, like ELU")
    cons: ClassVar[tuple[str, ...]] = (r"An exponential for \(x < 0\)", "Saturates at -alpha")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": False}

    alpha: float = 1.0

    def check(self) -> None:
        if self.alpha <= 0:
            self._fail("alpha", "> 0")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0) / self.alpha))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0) / self.alpha))


@dataclass(frozen=True)
class ReLU6(Activation):
    """:math:`\\min(\\max(x, 0), 6)`: ReLU capped at 6 (robust in low precision)."""

    name: ClassVar[str] = "relu6"
    title: ClassVar[str] = "ReLU6"
    description: ClassVar[str] = "ReLU capped at 6, as in MobileNet"
    latex: ClassVar[str] = r"f(x) = \min(\max(x, 0), 6)"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}")
    range: ClassVar[str] = r"[0, 6]"
    pros: ClassVar[tuple[str, ...]] = ("Bounded output suits fixed-point arithmetic",
                                       "Cheap")
    cons: ClassVar[tuple[str, ...]] = (r"Zero gradient for \(x < 0\) and \(x > 6\)", "Two kinks")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": True}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.clip(as_float_array(x), 0.0, 6.0)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return where_constant((x > 0) & (x < 6), 1.0, 0.0, like=x)
