"""The classic smooth activations: identity, logistic sigmoid, tanh, softsign, log-sigmoid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.activations.base import Activation, as_float_array
from atlas.activations.special import sech2, sigmoid, sigmoid_derivative, softplus


@dataclass(frozen=True)
class Identity(Activation):
    """:math:`f(x) = x`: no non-linearity (a linear layer's "activation")."""

    name: ClassVar[str] = "identity"
    title: ClassVar[str] = "Identity"
    description: ClassVar[str] = "No non-linearity at all; the output layer of a regression"
    latex: ClassVar[str] = r"f(x) = x"
    derivative_latex: ClassVar[str] = r"f'(x) = 1"
    range: ClassVar[str] = r"(-\infty, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Exact gradient 1: nothing vanishes or explodes",
                                       "The right output for unbounded regression targets")
    cons: ClassVar[tuple[str, ...]] = ("A stack of linear layers is still one linear map",)
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": True,
        "bounded": False}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return as_float_array(x).copy()

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.ones_like(x)


@dataclass(frozen=True)
class Sigmoid(Activation):
    """The logistic function, computed as :math:`e^{\\min(x,0)}/(1+e^{-|x|})` (never overflows).

    Its derivative is :math:`\\sigma'(x) = \\sigma(x)(1 - \\sigma(x))` (the course
    notes write a :math:`\\sigma` where this :math:`\\sigma'` belongs), evaluated as
    :math:`e^{-|x|}/(1+e^{-|x|})^2`, because ``y * (1 - y)`` is exactly 0 once ``y``
    rounds to 1 (x > 37) while the true :math:`\\sigma'(40) \\approx 4.2 \\times 10^{-18}`.
    """

    name: ClassVar[str] = "sigmoid"
    title: ClassVar[str] = "Sigmoid"
    description: ClassVar[str] = (
        "Logistic function: squashes any input to a probability between 0 and 1")
    latex: ClassVar[str] = r"\sigma(x) = \frac{1}{1 + e^{-x}}"
    derivative_latex: ClassVar[str] = r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))"
    range: ClassVar[str] = r"(0, 1)"
    pros: ClassVar[tuple[str, ...]] = ("Output reads as a probability",
                                       "Smooth, with a derivative from the output alone")
    cons: ClassVar[tuple[str, ...]] = (
        r"Saturates: \(\sigma' \le 1/4\), and it vanishes for large \(|x|\)",
        "Not zero-centred, which slows gradient descent")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": False,
        "bounded": True}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(as_float_array(x))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return sigmoid_derivative(x)


@dataclass(frozen=True)
class Tanh(Activation):
    """Hyperbolic tangent, :math:`\\tanh x = 2\\sigma(2x) - 1`.

    :math:`\\tanh'(x) = 1 - \\tanh^2 x = \\operatorname{sech}^2 x`, evaluated as
    :math:`4e^{-2|x|}/(1+e^{-2|x|})^2` since ``1 - y**2`` is 0 once ``y`` rounds to ±1.
    """

    name: ClassVar[str] = "tanh"
    title: ClassVar[str] = "Tanh"
    description: ClassVar[str] = "Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1)"
    latex: ClassVar[str] = r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}"
    derivative_latex: ClassVar[str] = r"\tanh'(x) = 1 - \tanh^2 x"
    range: ClassVar[str] = r"(-1, 1)"
    pros: ClassVar[tuple[str, ...]] = ("Zero-centred",
                                       r"Steeper than the sigmoid: \(\tanh'(0) = 1\)")
    cons: ClassVar[tuple[str, ...]] = (r"Saturates: the gradient vanishes for large \(|x|\)",)
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": True,
        "bounded": True}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(as_float_array(x))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return sech2(x)  # 1 − y², without losing the digits of a y that rounds to ±1


@dataclass(frozen=True)
class Softsign(Activation):
    """:math:`x/(1+|x|)`: tanh-shaped but with polynomial, not exponential, tails."""

    name: ClassVar[str] = "softsign"
    title: ClassVar[str] = "Softsign"
    description: ClassVar[str] = "A tanh-like squashing with slow polynomial tails"
    latex: ClassVar[str] = r"f(x) = \frac{x}{1 + |x|}"
    derivative_latex: ClassVar[str] = r"f'(x) = \frac{1}{(1 + |x|)^2}"
    range: ClassVar[str] = r"(-1, 1)"
    pros: ClassVar[tuple[str, ...]] = ("Zero-centred", "Saturates more slowly than tanh",
                                       "No exponential: cheap")
    cons: ClassVar[tuple[str, ...]] = (r"Still saturating: \(f'\) decays like \(1/x^2\)",
                                       "Only once differentiable at 0")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": False, "zero_centred": True,
        "bounded": True}

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return x / (1.0 + np.abs(x))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = 1.0 / (1.0 + np.abs(x))
        return r * r  # not 1/(1+|x|)**2, whose square overflows for |x| > 1e154


@dataclass(frozen=True)
class LogSigmoid(Activation):
    """:math:`\\log\\sigma(x) = -\\operatorname{softplus}(-x) = \\min(x, 0) - \\log(1 + e^{-|x|})`.

    ``np.log(sigmoid(x))`` would give ``-inf`` for x < -745; this form is exact.
    """

    name: ClassVar[str] = "logsigmoid"
    title: ClassVar[str] = "Log-sigmoid"
    description: ClassVar[str] = (
        "The log of the sigmoid, as a negative softplus: a logistic unit's log-probability")
    latex: ClassVar[str] = r"f(x) = \log \sigma(x) = -\log(1 + e^{-x})"
    derivative_latex: ClassVar[str] = r"f'(x) = 1 - \sigma(x) = \sigma(-x)"
    range: ClassVar[str] = r"(-\infty, 0)"
    pros: ClassVar[tuple[str, ...]] = (r"Exact log-probability without computing \(\sigma\) first",
                                       "The building block of logistic losses")
    cons: ClassVar[tuple[str, ...]] = ("Unbounded below; rarely a hidden-layer activation",)
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": False,
        "bounded": False}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -softplus(-as_float_array(x))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return sigmoid(-x)
