r"""Worked examples of the chapter *Layers from scratch*: logistic regression, and log-softmax.

**The notes' two-class data, and logistic regression built from :mod:`atlas.nn` layers.**

Points :math:`(x_1, x_2)` uniform in the square :math:`[0, 3]^2`, labelled 1 above the
line :math:`x_2 = -x_1 + 3` and 0 below it: two classes that a straight line separates.
Logistic regression is the smallest network for it,

.. math:: z = x W + b, \qquad p = \sigma(z), \qquad
          L = -\frac1N \sum_n \big(t_n \log p_n + (1 - t_n) \log(1 - p_n)\big),

an :class:`atlas.nn.Linear` layer (2 → 1), a sigmoid :class:`atlas.nn.ActivationLayer` and
the ``bce`` loss of :mod:`atlas.losses`, trained by any optimizer of
:mod:`atlas.optimizers`. Backward is the three local rules in reverse order; together
they give :math:`\partial L/\partial z_n = (p_n - t_n)/N`.

**Softmax + cross-entropy against log-softmax + NLL: which is more accurate, and why.**

Both compute the same loss on logits :math:`z` with true class :math:`k`,

.. math:: \ell = -\log \operatorname{softmax}(z)_k = \log\sum_j e^{z_j} - z_k,
          \qquad \frac{\partial \ell}{\partial z} = \operatorname{softmax}(z) - t,

but in a different order. **Softmax first** (``softmax`` then ``cross_entropy``)
rounds the probabilities before taking the log: a probability below
:math:`2^{-1074}` becomes exactly 0, its log :math:`-\infty` (clamped at -100, as
PyTorch does), and a probability close to 1 keeps only the digits of
:math:`1 - p` that survive next to 1. **Log first** (``log_softmax`` then ``nll``)
never forms the small probability: :math:`z_k - \log\sum_j e^{z_j}` via
log-sum-exp is exact for any logits. :func:`compare` computes both, with their
gradients, against a 60-digit reference in Python's :mod:`decimal`.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas import activations, losses, nn
from atlas.nn import metrics
from atlas.optimizers.base import Optimizer

# --------------------------------------------------------------- two classes, logistic regression


BOUNDARY_LATEX = r"x_2 = -x_1 + 3"


@dataclass(frozen=True)
class TwoClassData:
    """Train and test points (rows ``(x1, x2)``) with integer labels 0/1."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "two_class"
    classes: tuple[str, ...] = ("below", "above")


def label(x: np.ndarray) -> np.ndarray:
    """1 where the point lies above the boundary :math:`x_2 = -x_1 + 3`, else 0."""
    x = np.asarray(x, dtype=np.float64)
    return (x[:, 1] > -x[:, 0] + 3.0).astype(np.int64)


def make_two_class(rng: np.random.Generator, n: int = 1000, *, side: float = 3.0,
                   test_fraction: float = 0.1) -> TwoClassData:
    """``n`` points uniform in ``[0, side]²`` from ``rng``, labelled by :func:`label`, split
    at random into train and test (``test_fraction`` of them, 10 % by default)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    if not (side > 0 and np.isfinite(side)):
        raise ValueError(f"side must be a positive number, got {side!r}")
    x = rng.uniform(0.0, side, size=(n, 2))
    y = label(x)
    order = rng.permutation(n)
    n_test = max(1, round(n * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return TwoClassData(x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test])


class LogisticRegression:
    """:class:`atlas.nn.Linear` (2 → 1), then a sigmoid, then binary cross-entropy."""

    description = "Linear(2 -> 1) + sigmoid + BCE: the smallest classifier"

    def __init__(self, rng: np.random.Generator, n_in: int = 2) -> None:
        self.linear = nn.Linear(n_in, 1, rng=rng, init="xavier", dtype=np.float64)
        self.sigmoid = nn.ActivationLayer("sigmoid")
        self.bce = losses.get("bce")

    def probability(self, x: np.ndarray) -> np.ndarray:
        """:math:`p(\\text{class 1} \\mid x) = \\sigma(x W + b)`, one per row."""
        return self.sigmoid.forward(self.linear.forward(x))[:, 0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class 1 where :math:`p > 1/2`, i.e. where :math:`z > 0`."""
        return (self.linear.forward(x)[:, 0] > 0).astype(np.int64)

    def loss_and_grads(
        self, x: np.ndarray, t: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Forward through the three pieces, then backward in reverse."""
        target = np.asarray(t, dtype=np.float64)[:, None]
        p = self.sigmoid.forward(self.linear.forward(x))
        dp = self.bce.backward(p, target)  # ∂L/∂p = (p − t)/(p(1 − p)) / N
        dz = self.sigmoid.backward(dp)  # ⊙ σ'(z) = p(1 − p): leaves (p − t)/N
        # ∂L/∂W = xᵀ dz, ∂L/∂b = Σ dz
        self.linear.backward(dz, input_grad=False)
        return float(self.bce.forward(p, target)), self.linear.grads()


def train(data: TwoClassData, optimizer: Optimizer, *, rng: np.random.Generator,
          steps: int = 300) -> tuple[LogisticRegression, np.ndarray]:
    """Full-batch training for ``steps`` updates; the model and the loss before each step."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    model = LogisticRegression(rng, n_in=data.x_train.shape[1])
    params = model.linear.params()
    states = {k: optimizer.init(v) for k, v in params.items()}
    history = []
    for _ in range(steps):
        loss, grads = model.loss_and_grads(data.x_train, data.y_train)
        history.append(loss)
        for key, theta in model.linear.params().items():
            new, states[key] = optimizer.update(grads[key], states[key], theta)
            model.linear.set_param(key, new)
    return model, np.array(history)


@dataclass(frozen=True)
class Scores:
    """Accuracy, and precision, recall and F1 of class 1 (the positive class)."""

    accuracy: float
    precision: float
    recall: float
    f1: float
    confusion: np.ndarray


def scores(model: LogisticRegression, x: np.ndarray, y: np.ndarray) -> Scores:
    """The metrics of :mod:`atlas.nn.metrics` for ``model`` on ``(x, y)``."""
    y_pred = model.predict(x)
    confusion = metrics.confusion_matrix(y, y_pred, 2)
    report = metrics.class_report(confusion)
    return Scores(accuracy=metrics.accuracy(y, y_pred), precision=float(report.precision[1]),
                  recall=float(report.recall[1]), f1=float(report.f1[1]), confusion=confusion)


# ---------------------------------------------- softmax + cross-entropy against log-softmax + NLL


REFERENCE_DIGITS = 60


def reference(z: Sequence[float], target: int,
              digits: int = REFERENCE_DIGITS) -> tuple[float, np.ndarray]:
    """The loss :math:`\\log\\sum_j e^{z_j} - z_k` and gradient :math:`\\operatorname{softmax}(z)
    - t`, computed with ``digits`` significant digits and rounded once to float64."""
    values = [float(v) for v in z]
    if not 0 <= target < len(values):
        raise ValueError(f"target must be a class index in [0, {len(values)}), got {target!r}")
    with decimal.localcontext() as ctx:
        ctx.prec = digits
        zs = [decimal.Decimal(v) for v in values]  # exact: every float is a decimal
        m = max(zs)
        lse = m + sum((v - m).exp() for v in zs).ln()
        loss = lse - zs[target]
        grad = [(v - lse).exp() - (1 if i == target else 0) for i, v in enumerate(zs)]
    return float(loss), np.array([float(g) for g in grad])


@dataclass(frozen=True)
class Comparison:
    """The loss and its gradient computed both ways, and the reference."""

    z: np.ndarray
    target: int
    probabilities: np.ndarray  # softmax(z), as the softmax-first route sees it
    loss_softmax_first: float  # cross_entropy(softmax(z))
    loss_log_first: float  # nll(log_softmax(z))
    loss_reference: float
    grad_softmax_first: np.ndarray
    grad_log_first: np.ndarray
    grad_reference: np.ndarray

    @property
    def loss_error_softmax_first(self) -> float:
        """Relative error of the softmax-first loss."""
        return _relative(self.loss_softmax_first, self.loss_reference)

    @property
    def loss_error_log_first(self) -> float:
        """Relative error of the log-first loss."""
        return _relative(self.loss_log_first, self.loss_reference)

    @property
    def grad_error_softmax_first(self) -> float:
        """Largest gradient error, relative to the largest reference entry."""
        return _relative_array(self.grad_softmax_first, self.grad_reference)

    @property
    def grad_error_log_first(self) -> float:
        """Largest gradient error, relative to the largest reference entry."""
        return _relative_array(self.grad_log_first, self.grad_reference)


def _relative(value: float, ref: float) -> float:
    if ref == 0:
        return 0.0 if value == 0 else float("inf")
    return abs(value - ref) / abs(ref)


def _relative_array(value: np.ndarray, ref: np.ndarray) -> float:
    scale = float(np.max(np.abs(ref)))
    error = float(np.max(np.abs(value - ref)))
    if scale == 0:
        return 0.0 if error == 0 else float("inf")
    return error / scale


def compare(z: Sequence[float], target: int) -> Comparison:
    """Loss and gradient of logits ``z`` (one example) for class ``target``, both ways."""
    z_row = np.asarray(z, dtype=np.float64)[None, :]
    t = np.array([target])
    softmax, cross_entropy = activations.get("softmax"), losses.get("cross_entropy")
    p = softmax.forward(z_row)
    grad_sf = softmax.vjp(z_row, p, cross_entropy.backward(p, t))
    log_softmax, nll = activations.get("log_softmax"), losses.get("nll")
    log_p = log_softmax.forward(z_row)
    grad_lf = log_softmax.vjp(z_row, log_p, nll.backward(log_p, t))
    loss_ref, grad_ref = reference(z_row[0], target)
    return Comparison(z=z_row[0], target=target, probabilities=p[0],
                      loss_softmax_first=float(cross_entropy.forward(p, t)),
                      loss_log_first=float(nll.forward(log_p, t)), loss_reference=loss_ref,
                      grad_softmax_first=grad_sf[0], grad_log_first=grad_lf[0],
                      grad_reference=grad_ref)


def margin_sweep(margins: Sequence[float], *, correct: bool) -> list[Comparison]:
    """:func:`compare` for logits :math:`z = (m, 0)` at every margin m, the true class being
    the favoured one (``correct=True``, loss ≈ :math:`e^{-m}`) or the other (loss ≈ m)."""
    return [compare([float(m), 0.0], 0 if correct else 1) for m in margins]
