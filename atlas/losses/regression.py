"""Regression losses on a real prediction y and target t: squared, absolute and Huber error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.losses.base import Loss


@dataclass(frozen=True)
class MSE(Loss):
    """Mean squared error :math:`(y - t)^2` per element, as ``torch.nn.MSELoss``.

    Its gradient is :math:`2(y - t)`: note the factor 2 (compare
    :class:`HalfSquaredError`, the course notes' form).
    """

    name: ClassVar[str] = "mse"
    title: ClassVar[str] = "Mean squared error"
    description: ClassVar[str] = "Squared error averaged over all elements, as torch's MSELoss"
    latex: ClassVar[str] = r"L = \frac{1}{N}\sum_i (y_i - t_i)^2"
    derivative_latex: ClassVar[str] = r"\frac{\partial L}{\partial y_i} = \frac{2}{N}(y_i - t_i)"
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Smooth; the maximum-likelihood loss for Gaussian noise",
                                       "Gradient proportional to the error")
    cons: ClassVar[tuple[str, ...]] = ("Outliers dominate: their error is squared",)
    kind: ClassVar[str] = "regression"
    input: ClassVar[str] = "value"

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (y - t) ** 2

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return 2.0 * (y - t)


@dataclass(frozen=True)
class HalfSquaredError(Loss):
    """:math:`\\tfrac12 (y - t)^2`, the course notes' squared error: the ½ cancels the 2.

    With ``reduction="sum"`` this is the classic :math:`E = \\tfrac12\\sum (y - t)^2`
    of backpropagation texts, whose gradient is simply :math:`y - t`.
    """

    name: ClassVar[str] = "half_squared_error"
    title: ClassVar[str] = "Half squared error"
    description: ClassVar[str] = "Half the squared error, whose gradient is just the residual"
    latex: ClassVar[str] = r"L = \frac{1}{N}\sum_i \frac{1}{2}(y_i - t_i)^2"
    derivative_latex: ClassVar[str] = r"\frac{\partial L}{\partial y_i} = \frac{1}{N}(y_i - t_i)"
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("The tidiest gradient: the residual y - t",)
    cons: ClassVar[tuple[str, ...]] = ("Half of torch's MSE: learning rates differ by 2",
                                       "Outliers dominate, as with MSE")
    kind: ClassVar[str] = "regression"
    input: ClassVar[str] = "value"

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return 0.5 * (y - t) ** 2

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return y - t


@dataclass(frozen=True)
class MAE(Loss):
    """Mean absolute error :math:`|y - t|`, as ``torch.nn.L1Loss``; gradient sign(y - t), 0 at 0."""

    name: ClassVar[str] = "mae"
    title: ClassVar[str] = "Mean absolute error"
    description: ClassVar[str] = "Absolute error averaged: the L1 loss, robust to outliers"
    latex: ClassVar[str] = r"L = \frac{1}{N}\sum_i |y_i - t_i|"
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial L}{\partial y_i} = \frac{1}{N}\operatorname{sign}(y_i - t_i)")
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Robust: outliers count linearly",
                                       "Fits the median rather than the mean")
    cons: ClassVar[tuple[str, ...]] = ("Constant-size gradient, even near the optimum",
                                       r"Not differentiable at \(y = t\)")
    kind: ClassVar[str] = "regression"
    input: ClassVar[str] = "value"

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.abs(y - t)

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.sign(y - t)


@dataclass(frozen=True)
class Huber(Loss):
    """Huber loss: quadratic for :math:`|y - t| < \\delta`, linear beyond (``torch.nn.HuberLoss``).

    Its gradient is the residual clipped to :math:`[-\\delta, \\delta]`.
    """

    name: ClassVar[str] = "huber"
    title: ClassVar[str] = "Huber"
    description: ClassVar[str] = "Squared error near 0, absolute error beyond delta"
    latex: ClassVar[str] = (r"\ell = \begin{cases} \frac{1}{2}(y - t)^2 & |y - t| < \delta \\ "
                            r"\delta\,(|y - t| - \frac{1}{2}\delta) & \text{otherwise} \end{cases}")
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial \ell}{\partial y} = \operatorname{clip}(y - t, -\delta, \delta)")
    range: ClassVar[str] = r"[0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Smooth near the optimum like MSE",
                                       "Robust to outliers like MAE")
    cons: ClassVar[tuple[str, ...]] = ("One more hyperparameter, delta",)
    kind: ClassVar[str] = "regression"
    input: ClassVar[str] = "value"

    delta: float = 1.0

    def check(self) -> None:
        if self.delta <= 0:
            self._fail("delta", "> 0")

    def pointwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        r = y - t
        a = np.abs(r)
        return np.where(a < self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.clip(y - t, -self.delta, self.delta)
