r"""The notes' two-class data, and logistic regression built from :mod:`atlas.nn` layers.

Points :math:`(x_1, x_2)` uniform in the square :math:`[0, 3]^2`, labelled 1 above the
line :math:`x_2 = -x_1 + 3` and 0 below it: two classes that a straight line separates.
Logistic regression is the smallest network for it,

.. math:: z = x W + b, \qquad p = \sigma(z), \qquad
          L = -\frac1N \sum_n \big(t_n \log p_n + (1 - t_n) \log(1 - p_n)\big),

an :class:`atlas.nn.Linear` layer (2 → 1), a sigmoid :class:`atlas.nn.Activation` and
the ``bce`` loss of :mod:`atlas.losses`, trained by any optimizer of
:mod:`atlas.optimizers`. Backward is the three local rules in reverse order; together
they give :math:`\partial L/\partial z_n = (p_n - t_n)/N`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas import losses, nn
from atlas.nn import metrics
from atlas.optimizers.base import Optimizer

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
        self.sigmoid = nn.Activation("sigmoid")
        self.bce = losses.get("bce")

    def probability(self, x: np.ndarray) -> np.ndarray:
        """:math:`p(\\text{class 1} \\mid x) = \\sigma(x W + b)`, one per row."""
        return self.sigmoid.forward(self.linear.forward(x))[:, 0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class 1 where :math:`p > 1/2`, i.e. where :math:`z > 0`."""
        return (self.linear.forward(x)[:, 0] > 0).astype(np.int64)

    def loss_and_grads(self, x: np.ndarray, t: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Forward through the three pieces, then backward through them in reverse."""
        target = np.asarray(t, dtype=np.float64)[:, None]
        p = self.sigmoid.forward(self.linear.forward(x))
        dp = self.bce.backward(p, target)  # ∂L/∂p = (p − t)/(p(1 − p)) / N
        dz = self.sigmoid.backward(dp)  # ⊙ σ'(z) = p(1 − p): leaves (p − t)/N
        self.linear.backward(dz, input_grad=False)  # ∂L/∂W = xᵀ dz, ∂L/∂b = Σ dz
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
