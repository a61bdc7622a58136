"""Piecewise-linear "hard" versions of tanh, sigmoid and swish (cheap on mobile hardware).

Derivatives follow PyTorch at the kinks: 0 on and beyond the clip points, except
Hardswish, whose slope on the interval :math:`[-3, 3]` includes :math:`x = 3`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.activations.base import Activation, as_float_array, where_constant

HARD_CONS = ("Zero gradient outside the linear piece", "Kinks: not differentiable everywhere")


@dataclass(frozen=True)
class Hardtanh(Activation):
    """:math:`\\operatorname{clip}(x, a, b)`, a piecewise-linear tanh.

    a = ``min_val`` and b = ``max_val`` (-1 and 1 by default, as in PyTorch).
    """

    name: ClassVar[str] = "hardtanh"
    title: ClassVar[str] = "Hardtanh"
    description: ClassVar[str] = "The identity clipped to a window: a piecewise-linear tanh"
    latex: ClassVar[str] = r"f(x) = \min(\max(x, a), b)"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 1 & a < x < b \\ 0 & \text{otherwise} \end{cases}")
    range: ClassVar[str] = r"[a, b]"
    pros: ClassVar[tuple[str, ...]] = ("No exponential", "Zero-centred with the default [-1, 1]")
    cons: ClassVar[tuple[str, ...]] = HARD_CONS
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": True,
        "bounded": True}

    min_val: float = -1.0
    max_val: float = 1.0

    def check(self) -> None:
        if not self.min_val < self.max_val:
            raise ValueError(f"Hardtanh: min_val must be < max_val, got min_val={self.min_val!r}"
                             f", max_val={self.max_val!r}")

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.clip(as_float_array(x), self.min_val, self.max_val)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return where_constant((x > self.min_val) & (x < self.max_val), 1.0, 0.0, like=x)


@dataclass(frozen=True)
class Hardsigmoid(Activation):
    """PyTorch's hard sigmoid :math:`\\operatorname{clip}(x/6 + 1/2, 0, 1)`, slope 1/6 inside."""

    name: ClassVar[str] = "hardsigmoid"
    title: ClassVar[str] = "Hardsigmoid"
    description: ClassVar[str] = "A clipped ramp: a piecewise-linear sigmoid"
    latex: ClassVar[str] = r"f(x) = \min(\max(x/6 + 1/2, 0), 1)"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}")
    range: ClassVar[str] = r"[0, 1]"
    pros: ClassVar[tuple[str, ...]] = ("No exponential", "Output in [0, 1] like a gate")
    cons: ClassVar[tuple[str, ...]] = HARD_CONS
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": False,
        "bounded": True}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.clip(as_float_array(x) / 6.0 + 0.5, 0.0, 1.0)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return where_constant((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0, like=x)


@dataclass(frozen=True)
class Hardswish(Activation):
    """:math:`x \\cdot \\operatorname{hardsigmoid}(x)`, MobileNetV3's cheap Swish.

    On :math:`[-3, 3]`, :math:`f(x) = x(x+3)/6` and :math:`f'(x) = x/3 + 1/2`;
    so the slope jumps from 0 to -1/2 at -3 and from 3/2 to 1 at 3.
    """

    name: ClassVar[str] = "hardswish"
    title: ClassVar[str] = "Hardswish"
    description: ClassVar[str] = "Input times its hardsigmoid: a piecewise-quadratic Swish"
    latex: ClassVar[str] = r"f(x) = x \cdot \frac{\min(\max(x + 3, 0), 6)}{6}"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \begin{cases} 0 & x < -3 \\ x/3 + 1/2 & -3 \le x \le 3 \\ "
        r"1 & x > 3 \end{cases}")
    range: ClassVar[str] = r"[-0.375, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Swish-like shape without an exponential",)
    cons: ClassVar[tuple[str, ...]] = ("Kinks at ±3", "Non-monotonic on [-3, -1.5]")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": False, "smooth": False, "zero_centred": False,
        "bounded": False}

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.where(x < -3.0, 0.0, np.where(x <= 3.0, x / 3.0 + 0.5, 1.0))
