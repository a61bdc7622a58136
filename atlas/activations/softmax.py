"""Softmax and log-softmax: activations of a whole vector, with a full Jacobian.

Both act along ``axis`` (the last by default) and subtract the maximum before
exponentiating (the log-sum-exp trick), so no finite input overflows.

Shapes. Along ``axis`` there must be at least one score: a probability vector
over no classes does not exist, so an empty axis is a ``ValueError`` (an empty
*batch*, such as shape ``(0, 10)``, is fine). A 0-d ``x`` is one score, as in
PyTorch: ``softmax(3.0) == 1.0`` and ``log_softmax(3.0) == 0.0`` (its only axis
is ``0`` or ``-1``). An axis outside the array is a ``ValueError`` naming the
valid ones.

**The course notes' mistake.** Softmax's backward pass is *not* the elementwise
:math:`y(1-y)\\,\\bar y` of the sigmoid: every output depends on every input,

.. math::

    \\frac{\\partial y_i}{\\partial x_j} = y_i(\\delta_{ij} - y_j), \\qquad
    \\bar x = J^\\top \\bar y = y \\odot \\Big(\\bar y - \\sum_j \\bar y_j y_j\\Big),

and ``y * (1 - y) * dy`` keeps only the diagonal of :math:`J`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from atlas.activations.base import Activation, as_float_array, vjp_inputs


def _scores(x: Any, axis: int, what: str) -> np.ndarray:
    """``x`` as a float array with at least one score along ``axis``, or a ValueError.

    A 0-d ``x`` comes back as one score of shape ``(1,)`` (the caller reshapes its
    result back to ``()``).
    """
    x = as_float_array(x)
    ndim = max(x.ndim, 1)
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not (
            -ndim <= axis < ndim):
        raise ValueError(f"{what}: axis {axis!r} is out of range for a {x.ndim}-D x "
                         f"(valid axes: {-ndim} to {ndim - 1})")
    if x.ndim == 0:
        return x.reshape(1)
    if x.shape[axis] == 0:
        raise ValueError(f"{what} needs at least one score along axis {axis}, "
                         f"got shape {x.shape}")
    return x


def _shift_and_rest(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(m, x - m, log(1 + sum_{j != j*} e^{x_j - m}))`` along ``axis``, with m = max x.

    The largest term contributes exactly :math:`e^0 = 1`; the others go through
    ``log1p``, so their tiny sum keeps every digit. Reduced axes are kept (size 1).
    The work is done on rows (:func:`_shift_and_rest_rows`): the axis moved last,
    the other axes flattened. ``x`` is checked by :func:`_scores` (at least one score).
    """
    if x.ndim == 2 and axis in (1, -1):  # a batch of rows already (the common case)
        return _shift_and_rest_rows(x)
    z = np.moveaxis(x, axis, -1)
    parts = _shift_and_rest_rows(z.reshape(-1, z.shape[-1]))
    return tuple(np.moveaxis(a.reshape(*z.shape[:-1], a.shape[-1]), -1, axis) for a in parts)


def _shift_and_rest_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_shift_and_rest` along the rows of a 2-D ``x``.

    The max is read at the argmax (``x.max(axis=1)`` is several times slower on
    short rows), and that same entry is the one left out of the sum.
    """
    r = np.arange(len(x))
    top = x.argmax(axis=1)
    m = x[r, top][:, None]
    shifted = x - m
    e = np.exp(shifted)
    e[r, top] = 0.0  # e is this function's own array
    return m, shifted, np.log1p(e.sum(axis=1, keepdims=True))


def logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """:math:`\\log\\sum_j e^{x_j} = m + \\log(1 + \\sum_{j \\ne j^*} e^{x_j - m})`, m = max.

    For ``[20, 0, 0]`` this keeps every digit of the tiny :math:`\\log(1 + 2e^{-20})`,
    which ``log(sum)`` would round to 8 digits. Keeps the reduced axis (size 1).
    """
    scores = _scores(x, axis, "logsumexp")
    m, _, rest = _shift_and_rest(scores, axis)
    return (m + rest).reshape(()) if np.ndim(x) == 0 else m + rest


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """:math:`(x_i - m) - \\log(1 + \\sum_{j \\ne j^*} e^{x_j - m})`, m = max (exact for [1000, 0]).

    Subtracting ``m`` before the small ``log1p`` term (rather than computing
    ``x - logsumexp(x)``, which adds ``m`` back and takes it away again) keeps every
    digit of the winning class's log-probability at large margins: for [40, 0] it
    gives -4.25e-18, where ``x - logsumexp(x)`` rounds to 0.

    ``x`` needs at least one score along ``axis`` (else ``ValueError``); a 0-d ``x``
    is one score, whose log-probability is 0, as for PyTorch and as
    ``log(softmax(x))``.
    """
    scores = _scores(x, axis, "log_softmax")
    _, shifted, rest = _shift_and_rest(scores, axis)
    shifted -= rest  # shifted is a fresh array of this call
    return shifted.reshape(()) if np.ndim(x) == 0 else shifted


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """:math:`e^{x_i}/\\sum_j e^{x_j}`, with the maximum subtracted first.

    ``x`` needs at least one score along ``axis`` (else ``ValueError``); a 0-d ``x``
    is one score, whose probability is 1, as for PyTorch.
    """
    scores = _scores(x, axis, "softmax")
    e = np.exp(scores - np.max(scores, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)  # e is this call's own array
    return e.reshape(()) if np.ndim(x) == 0 else e


@dataclass(frozen=True)
class _VectorActivation(Activation):
    """An activation of vectors along ``axis``: no elementwise derivative, but a Jacobian."""

    elementwise: ClassVar[bool] = False
    axis: int = -1

    def derivative(self, x: Any) -> np.ndarray:
        raise TypeError(f"{self.title} is not elementwise: it has no f'(x). Use vjp(x, y, dy)"
                        " for the vector-Jacobian product, or jacobian(x) for a 1-D x.")

    def _vector(self, x: Any) -> np.ndarray:
        x = as_float_array(x)
        if x.ndim != 1:
            raise ValueError(f"jacobian needs a 1-D x, got shape {x.shape}")
        return x


@dataclass(frozen=True)
class Softmax(_VectorActivation):
    """:math:`y_i = e^{x_i}/\\sum_j e^{x_j}` along ``axis``: scores to a probability vector.

    Its vjp is the vector-Jacobian product
    :math:`y \\odot (\\bar y - \\langle \\bar y, y\\rangle)`,
    NOT the elementwise :math:`y(1-y)\\bar y` of the course notes (that is only the
    Jacobian's diagonal).
    """

    name: ClassVar[str] = "softmax"
    title: ClassVar[str] = "Softmax"
    description: ClassVar[str] = "Scores to probabilities along an axis, summing to one"
    latex: ClassVar[str] = r"y_i = \frac{e^{x_i}}{\sum_j e^{x_j}}"
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial y_i}{\partial x_j} = y_i(\delta_{ij} - y_j),\ "
        r"\bar{x} = y \odot \left(\bar{y} - \sum_j \bar{y}_j y_j\right)")
    range: ClassVar[str] = r"(0, 1)^n,\ \sum_i y_i = 1"
    pros: ClassVar[tuple[str, ...]] = ("Outputs form a probability distribution",
                                       "Pairs with cross-entropy to the gradient y - t")
    cons: ClassVar[tuple[str, ...]] = ("Saturates when one score dominates",
                                       "Needs the max-shift to avoid overflow")
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": False,
        "bounded": True}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return softmax(x, self.axis)

    def vjp(self, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """:math:`\\bar x = y \\odot (\\bar y - \\sum_j \\bar y_j y_j)` along ``axis``."""
        x, y, dy = vjp_inputs(x, y, dy)
        return y * (dy - np.sum(dy * y, axis=self.axis, keepdims=True))

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """:math:`J_{ij} = \\partial y_i/\\partial x_j = y_i(\\delta_{ij} - y_j)` for a 1-D x."""
        y = self.forward(self._vector(x))
        return np.diag(y) - np.outer(y, y)


@dataclass(frozen=True)
class LogSoftmax(_VectorActivation):
    """:math:`y_i = x_i - \\log\\sum_j e^{x_j}` along ``axis``: log-probabilities, exactly.

    ``np.log(softmax(x))`` gives ``-inf`` once a probability underflows
    (e.g. ``x = [1000, 0]``); the log-sum-exp form gives ``[0, -1000]`` exactly.
    VJP: :math:`\\bar x = \\bar y - \\operatorname{softmax}(x) \\sum_j \\bar y_j`,
    with softmax :math:`= e^{y}` from the saved output.
    """

    name: ClassVar[str] = "log_softmax"
    title: ClassVar[str] = "Log-softmax"
    description: ClassVar[str] = "Scores to log-probabilities, through log-sum-exp"
    latex: ClassVar[str] = r"y_i = x_i - \log \sum_j e^{x_j}"
    derivative_latex: ClassVar[str] = (
        r"\frac{\partial y_i}{\partial x_j} = \delta_{ij} - \operatorname{softmax}(x)_j,\ "
        r"\bar{x} = \bar{y} - e^{y} \sum_j \bar{y}_j")
    range: ClassVar[str] = r"(-\infty, 0)^n"
    pros: ClassVar[tuple[str, ...]] = ("Exact log-probabilities for any scores",
                                       "With NLL it is cross-entropy on logits")
    cons: ClassVar[tuple[str, ...]] = ("Unbounded below",)
    properties: ClassVar[dict[str, bool]] = {
        "monotonic": True, "smooth": True, "zero_centred": False,
        "bounded": False}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return log_softmax(x, self.axis)

    def vjp(self, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """:math:`\\bar x = \\bar y - e^{y} \\sum_j \\bar y_j` along ``axis``."""
        x, y, dy = vjp_inputs(x, y, dy)
        return dy - np.exp(y) * np.sum(dy, axis=self.axis, keepdims=True)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """:math:`J_{ij} = \\delta_{ij} - \\operatorname{softmax}(x)_j` for a 1-D x."""
        x = self._vector(x)
        return np.eye(x.size) - softmax(x)[None, :]
