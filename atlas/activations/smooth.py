"""Smooth rectifiers: softplus, GELU (exact and tanh form), SiLU/Swish and Mish.

Each behaves like ReLU far from 0 and is infinitely differentiable. All are
written so that every finite input, up to ±1000 and beyond, gives a finite,
correctly rounded-as-possible value and derivative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.activations.base import Activation, as_float_array
from atlas.activations.special import erfc, exp_minus_square, sech2, sigmoid, softplus

SMOOTH_RECTIFIER = {"monotonic": False, "smooth": True, "zero_centred": False,
                    "bounded": False}


@dataclass(frozen=True)
class Softplus(Activation):
    """:math:`\\frac1\\beta\\log(1 + e^{\\beta x})`, a smooth ReLU with derivative σ(βx).

    Computed as :math:`\\max(z,0) + \\log1p(e^{-|z|})` with :math:`z = \\beta x`, exact
    for every finite input. Like PyTorch it returns :math:`x` itself once
    :math:`\\beta x` > ``threshold`` (20 by default); the two differ there by
    :math:`\\log(1 + e^{-20})/\\beta \\approx 2 \\times 10^{-9}/\\beta`.
    """

    name: ClassVar[str] = "softplus"
    title: ClassVar[str] = "Softplus"
    description: ClassVar[str] = "A smooth ReLU whose derivative is the sigmoid"
    latex: ClassVar[str] = r"f(x) = \frac{1}{\beta} \log(1 + e^{\beta x})"
    derivative_latex: ClassVar[str] = r"f'(x) = \sigma(\beta x) = \frac{1}{1 + e^{-\beta x}}"
    range: ClassVar[str] = r"(0, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Smooth everywhere, strictly positive",
                                       "Gradient never exactly 0")
    cons: ClassVar[tuple[str, ...]] = ("Not zero-centred", "Costs an exp and a log")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": False,
        "bounded": False}

    beta: float = 1.0
    threshold: float = 20.0

    def check(self) -> None:
        if self.beta <= 0:
            self._fail("beta", "> 0")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        z = self.beta * x
        return np.where(z > self.threshold, x, softplus(z) / self.beta)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        z = self.beta * x
        return np.where(z > self.threshold, 1.0, sigmoid(z))


@dataclass(frozen=True)
class GELU(Activation):
    """Gaussian error linear unit :math:`x\\,\\Phi(x)`, Φ the standard normal CDF (exact erf form).

    :math:`\\Phi(x) = \\tfrac12\\operatorname{erfc}(-x/\\sqrt2)`, which keeps its
    relative precision in the far left tail (``(1 + erf)/2`` would be 0 there),
    and :math:`f'(x) = \\Phi(x) + x\\,\\varphi(x)`, φ the normal density.
    """

    name: ClassVar[str] = "gelu"
    title: ClassVar[str] = "GELU"
    description: ClassVar[str] = (
        "Input weighted by the normal distribution function: the transformer activation")
    latex: ClassVar[str] = (r"f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + "
                            r"\operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)\right)")
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \Phi(x) + x\,\varphi(x) = \Phi(x) + \frac{x}{\sqrt{2\pi}} e^{-x^2/2}")
    range: ClassVar[str] = r"[-0.17, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Smooth; weights inputs by how likely they are positive",
                                       "Standard in transformers (BERT, GPT)")
    cons: ClassVar[tuple[str, ...]] = ("Needs erf: costlier than ReLU", "Non-monotonic near -0.75")
    properties: ClassVar[dict[str, bool]] = SMOOTH_RECTIFIER

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return x * (0.5 * erfc(-x / math.sqrt(2.0)))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        near = np.clip(x, -100.0, 100.0)  # φ(100) underflows to 0 already
        phi = exp_minus_square(near / math.sqrt(2.0)) / math.sqrt(2.0 * math.pi)
        return 0.5 * erfc(-x / math.sqrt(2.0)) + x * phi


@dataclass(frozen=True)
class GELUTanh(Activation):
    """GELU's tanh approximation (Hendrycks & Gimpel), PyTorch's ``approximate="tanh"``.

    With :math:`u = \\sqrt{2/\\pi}\\,(x + 0.044715x^3)`, the factor
    :math:`\\tfrac12(1 + \\tanh u)` equals :math:`\\sigma(2u)`, evaluated in that
    stable form (``1 + tanh u`` cancels to 0 for u < -19).
    """

    name: ClassVar[str] = "gelu_tanh"
    title: ClassVar[str] = "GELU (tanh)"
    description: ClassVar[str] = "GELU's tanh approximation, as in the original BERT/GPT-2 code"
    latex: ClassVar[str] = (r"f(x) = \frac{x}{2}\left(1 + \tanh u\right),\ "
                            r"u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)")
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \frac{1 + \tanh u}{2} + \frac{x}{2}(1 - \tanh^2 u)"
        r"\sqrt{2/\pi}\,(1 + 0.134145\,x^2)")
    range: ClassVar[str] = r"[-0.17, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Within 1e-3 of exact GELU with elementary functions",)
    cons: ClassVar[tuple[str, ...]] = ("An approximation: not exactly GELU",
                                       "Non-monotonic near -0.75")
    properties: ClassVar[dict[str, bool]] = SMOOTH_RECTIFIER

    k: ClassVar[float] = math.sqrt(2.0 / math.pi)
    c: ClassVar[float] = 0.044715

    def _u(self, x: np.ndarray) -> np.ndarray:
        x = np.clip(x, -1e4, 1e4)  # beyond, σ(2u) is exactly 0 or 1; x³ cannot overflow
        return self.k * (x + self.c * x**3)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return x * sigmoid(2.0 * self._u(x))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u = self._u(x)
        du = self.k * (1.0 + 3.0 * self.c * np.clip(x, -1e4, 1e4) ** 2)
        return sigmoid(2.0 * u) + 0.5 * x * sech2(u) * du  # d σ(2u)/du = ½ sech² u


@dataclass(frozen=True)
class SiLU(Activation):
    """Sigmoid-weighted linear unit :math:`x\\,\\sigma(\\beta x)` (Swish-β; β = 1 is SiLU)."""

    name: ClassVar[str] = "silu"
    title: ClassVar[str] = "SiLU / Swish"
    description: ClassVar[str] = "Input times its sigmoid (Swish; SiLU is Swish with slope 1)"
    latex: ClassVar[str] = r"f(x) = x\,\sigma(\beta x)"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\,(1 - \sigma(\beta x))")
    range: ClassVar[str] = r"[-0.28/\beta, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Smooth, self-gated", "Often beats ReLU in deep nets")
    cons: ClassVar[tuple[str, ...]] = ("Costs an exp", r"Non-monotonic near \(x = -1.28/\beta\)")
    properties: ClassVar[dict[str, bool]] = SMOOTH_RECTIFIER

    beta: float = 1.0

    def check(self) -> None:
        if self.beta <= 0:
            self._fail("beta", "> 0")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return x * sigmoid(self.beta * x)

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        z = self.beta * x
        s = sigmoid(z)
        return s + z * s * sigmoid(-z)  # 1 − σ(z) taken as σ(−z), exact in the tail


@dataclass(frozen=True)
class Mish(Activation):
    """:math:`x\\tanh(\\operatorname{softplus}(x))` (Misra, 2019).

    The course notes' derivative,
    :math:`e^x\\omega/\\delta^2` with :math:`\\omega = 4(x+1) + 4e^{2x} + e^{3x} + \\ldots`,
    overflows through :math:`e^{3x}` already at x ≈ 237 and gives ``inf/inf = nan``.
    Here, with :math:`s = \\operatorname{softplus}(x)` (stable) and :math:`t = \\tanh s`,

    .. math:: f'(x) = t + x\\,\\sigma(x)\\,(1 - t^2),

    using :math:`s' = \\sigma(x)` and :math:`1 - t^2 = \\operatorname{sech}^2 s`.
    """

    name: ClassVar[str] = "mish"
    title: ClassVar[str] = "Mish"
    description: ClassVar[str] = (
        "Input times the tanh of its softplus: a smooth, self-regularising rectifier")
    latex: ClassVar[str] = r"f(x) = x \tanh(\operatorname{softplus}(x))"
    derivative_latex: ClassVar[str] = (
        r"f'(x) = \tanh s + x\,\sigma(x)\,(1 - \tanh^2 s),\ s = \operatorname{softplus}(x)")
    range: ClassVar[str] = r"[-0.31, \infty)"
    pros: ClassVar[tuple[str, ...]] = ("Smooth, non-monotonic, unbounded above",
                                       "Strong results in object detection (YOLOv4)")
    cons: ClassVar[tuple[str, ...]] = ("Costly: exp, log and tanh",
                                       "Naive derivative formulas overflow")
    properties: ClassVar[dict[str, bool]] = SMOOTH_RECTIFIER

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        return x * np.tanh(softplus(x))

    def derivative_from(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        s = softplus(x)
        return np.tanh(s) + x * sigmoid(x) * sech2(s)
