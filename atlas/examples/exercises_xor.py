r"""Exercise 8.4 of the course notes, the XOR network, for the chapter *Exercises*.

The exercise is the 2-2-1 network

.. math::

    h = g(W x + b), \qquad \hat y = g(q \cdot h + c), \qquad
    W = \begin{pmatrix} 1 & 1 \\ -1 & -1 \end{pmatrix},\ b = (-\tfrac12, \tfrac32),\
    q = (1, 1),\ c = -\tfrac32,

which with the threshold :math:`g(z) = [z > 0]` computes XOR: :math:`h_1` is OR,
:math:`h_2` is NAND and the output their AND. We read :math:`g` as the sigmoid
:math:`\sigma` for training (a threshold has no useful gradient): :func:`xor_forward`
evaluates either reading. :func:`xor_network` builds the network's loss as a graph of
:mod:`atlas.graph` nodes, :func:`xor_formula` the same loss as one array expression
(the registry of :mod:`atlas.examples.exercises` holds both). Its output loss uses a
stable :func:`softplus` graph node.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from atlas import activations, graph
from atlas.graph import Value, sigmoid

# ------------------------------------------------------------------------- a stable softplus node


def _sigma(a: float) -> float:
    """σ(a) with exp only ever of a non-positive number (no overflow, full precision)."""
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


def softplus(a: Value | float) -> Value:
    r"""A graph node :math:`\operatorname{softplus}(a) = \log(1 + e^a)` with local derivative
    :math:`\sigma(a)`; computed as :math:`\max(a, 0) + \operatorname{log1p}(e^{-|a|})`, exact for
    any finite a (:math:`-\log\sigma(z)` as ``neg_log(sigmoid(z))`` loses digits once
    :math:`\sigma(z)` is close to 1)."""
    a = a if isinstance(a, Value) else Value(a, graph.fmt(a))
    data = max(a.data, 0.0) + math.log1p(math.exp(-abs(a.data)))
    return Value(data, op="softplus", form="softplus({})", parents=(a,),
                 local_grads=(_sigma(a.data),))


# ---------------------------------------------------------------------- exercise 8.4: XOR network


XOR_W = ((1.0, 1.0), (-1.0, -1.0))
XOR_B = (-0.5, 1.5)
XOR_Q = (1.0, 1.0)
XOR_C = -1.5
XOR_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
UNITS = ("sigmoid", "threshold")


def _unit(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The unit g: the sigmoid σ of :mod:`atlas.activations`, or the step [z > 0]."""
    if name == "sigmoid":
        return activations.get("sigmoid").forward
    if name == "threshold":
        return lambda z: np.heaviside(z, 0.0)
    raise ValueError(f"unit must be one of {UNITS}, got {name!r}")


@dataclass(frozen=True)
class XorForward:
    """The forward pass of the XOR network for one input: pre-activations and outputs."""

    x: np.ndarray  # (2,)
    a: np.ndarray  # hidden pre-activations W x + b, (2,)
    h: np.ndarray  # hidden outputs g(a), (2,)
    z: float  # output pre-activation q·h + c
    y_hat: float  # g(z)


def xor_forward(x: tuple[float, float] | np.ndarray, unit: str = "sigmoid",
                scale: float = 1.0) -> XorForward:
    r""":math:`h = g(s(Wx + b))`, :math:`\hat y = g(s(q \cdot h + c))` with the notes' weights.

    ``scale`` :math:`s` multiplies every weight and bias: a sigmoid network with a
    large :math:`s` approaches the threshold network (:math:`\sigma(s z) \to [z > 0]`).
    """
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    g = _unit(unit)
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (2,):
        raise ValueError(f"x must be a pair (x1, x2), got shape {x.shape}")
    a = scale * (np.array(XOR_W) @ x + np.array(XOR_B))
    h = g(a)
    z = float(scale * (np.array(XOR_Q) @ h + XOR_C))
    return XorForward(x=x, a=a, h=h, z=z, y_hat=float(g(np.float64(z))))


def xor_network(x1: float = 1.0, x2: float = 1.0, w11: float = XOR_W[0][0],
                w12: float = XOR_W[0][1], w21: float = XOR_W[1][0], w22: float = XOR_W[1][1],
                b1: float = XOR_B[0], b2: float = XOR_B[1], q1: float = XOR_Q[0],
                q2: float = XOR_Q[1], c: float = XOR_C, *, t: float = 0.0, loss: str = "bce",
                ) -> tuple[Value, dict[str, Value]]:
    """The sigmoid XOR network as a graph, ending in its loss on the target ``t``.

    ``loss="bce"``: the binary cross-entropy of :math:`\\hat y = \\sigma(z)` written on the
    logit, :math:`t\\operatorname{softplus}(-z) + (1-t)\\operatorname{softplus}(z)`, since
    :math:`-\\log\\sigma(z) = \\operatorname{softplus}(-z)`: no :math:`\\log` of a number
    near 1 and no :math:`1 - \\hat y` that cancels. ``loss="squared"``:
    :math:`\\frac12(\\hat y - t)^2`.
    """
    if loss not in ("bce", "squared"):
        raise ValueError(f"loss must be 'bce' or 'squared', got {loss!r}")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"target t must lie in [0, 1], got {t!r}")
    v = {name: Value(value, name) for name, value in dict(
        x1=x1, x2=x2, w11=w11, w12=w12, w21=w21, w22=w22, b1=b1, b2=b2, q1=q1, q2=q2,
        c=c).items()}
    a1 = (v["w11"] * v["x1"] + v["w12"] * v["x2"] + v["b1"]).named("a1")
    a2 = (v["w21"] * v["x1"] + v["w22"] * v["x2"] + v["b2"]).named("a2")
    h1, h2 = sigmoid(a1).named("h1"), sigmoid(a2).named("h2")
    z = (v["q1"] * h1 + v["q2"] * h2 + v["c"]).named("z")
    if loss == "squared":
        return (0.5 * (sigmoid(z).named("ŷ") - t) ** 2).named("L"), v
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z); a zero weight adds nothing
    terms = [w * softplus(u) for w, u in ((t, -z), (1 - t, z)) if w != 0]
    return sum(terms[1:], terms[0]).named("L"), v


def softplus_formula(xp: ModuleType, u: Any) -> Any:
    """:math:`\\log(1 + e^u)` as an expression in the namespace ``xp`` (``numpy`` or
    ``autograd.numpy``)."""
    return xp.logaddexp(0.0, u)


def xor_formula(xp: ModuleType, x1: Any, x2: Any, w11: Any, w12: Any, w21: Any, w22: Any,
                b1: Any, b2: Any, q1: Any, q2: Any, c: Any, *, t: float = 0.0,
                loss: str = "bce") -> Any:
    """The same loss as :func:`xor_network`, as one expression in ``xp``."""
    h1 = xp.exp(-softplus_formula(xp, -(w11 * x1 + w12 * x2 + b1)))
    h2 = xp.exp(-softplus_formula(xp, -(w21 * x1 + w22 * x2 + b2)))
    z = q1 * h1 + q2 * h2 + c
    if loss == "squared":
        return 0.5 * (xp.exp(-softplus_formula(xp, -z)) - t) ** 2
    return t * softplus_formula(xp, -z) + (1 - t) * softplus_formula(xp, z)
