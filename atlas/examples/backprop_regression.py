r"""Worked example of the chapter *Backpropagation*: nonlinear regression, as in the course
notes' first chapter.

Eight points :math:`x = -3, -2, \dots, 4`, :math:`t = \sin x`; a network with
one hidden layer of H sigmoid units,

.. math:: y(x) = W_2\,\sigma(W_1 x + b_1) + b_2,

trained on the mean squared error by full-batch SGD (learning rate 0.01,
2000 iterations by default). :func:`train` records the fitted curve at chosen
iterations and the whole loss history; the catalog's ``regression/h<H>``
animates them (:mod:`atlas.viz.regression`). Every number comes from
:mod:`atlas.activations`, :mod:`atlas.losses` and :mod:`atlas.optimizers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas import activations, losses, optimizers


@dataclass(frozen=True)
class RegressionRun:
    """Snapshots of a training run: curves at chosen iterations and the full loss history."""

    x: np.ndarray          # (8,) training inputs
    t: np.ndarray          # (8,) targets sin x
    grid: np.ndarray       # (G,) where the fitted curve is drawn
    iterations: np.ndarray  # (F,) iteration of each snapshot (0 = initialisation)
    curves: np.ndarray     # (F, G) fitted curve at each snapshot
    loss: np.ndarray       # (iterations + 1,) MSE before each update, and after the last


def training_data() -> tuple[np.ndarray, np.ndarray]:
    """The notes' eight points: x = −3, −2, …, 4 and t = sin x."""
    x = np.arange(-3.0, 5.0)
    return x, np.sin(x)


def snapshot_iterations(iterations: int, frames: int) -> np.ndarray:
    """``frames`` snapshot iterations in [0, iterations], spaced geometrically."""
    steps = np.geomspace(1.0, iterations, max(frames - 1, 1)) if iterations else np.array([])
    return np.unique(np.concatenate([[0], np.round(steps).astype(int)]))


def _forward(params: dict[str, np.ndarray], x: np.ndarray):
    a = x[:, None] @ params["W1"] + params["b1"]  # (n, H) pre-activations
    h = activations.get("sigmoid").forward(a)
    return a, h, (h @ params["W2"] + params["b2"])[:, 0]


def predict(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    r"""The network's output :math:`W_2 \sigma(W_1 x + b_1) + b_2` at every point of ``x``."""
    return _forward(params, x)[2]


def loss_and_grads(params: dict[str, np.ndarray], x: np.ndarray,
                   t: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """The MSE of the network on (x, t) and its gradient w.r.t. every parameter (backprop)."""
    sigmoid, mse = activations.get("sigmoid"), losses.get("mse")
    a, h, y = _forward(params, x)
    dy = mse.backward(y, t)[:, None]  # (n, 1)
    da = sigmoid.vjp(a, h, dy @ params["W2"].T)  # (n, H)
    grads = {"W1": x[None, :] @ da, "b1": da.sum(0), "W2": h.T @ dy, "b2": dy.sum(0)}
    return float(mse.forward(y, t)), grads


def train(hidden: int, lr: float = 0.01, iterations: int = 2000, frames: int = 100,
          seed: int = 0) -> RegressionRun:
    """Train the H-sigmoid network on the eight points and record snapshots.

    Initialisation (from ``numpy.random.default_rng(seed)``): W₁, b₁ ~ N(0, 1)
    so the sigmoids' steps spread over the data, W₂ ~ N(0, 1/H), b₂ = 0.
    """
    if hidden < 1 or iterations < 0 or frames < 1:
        raise ValueError(f"need hidden >= 1, iterations >= 0, frames >= 1; got "
                         f"{hidden}, {iterations}, {frames}")
    rng = np.random.default_rng(seed)
    x, t = training_data()
    grid = np.linspace(-4.0, 5.0, 241)
    params = {
        "W1": rng.standard_normal((1, hidden)),
        "b1": rng.standard_normal(hidden),
        "W2": rng.standard_normal((hidden, 1)) / np.sqrt(hidden),
        "b2": np.zeros(1),
    }
    sgd = optimizers.get("sgd", lr=lr)
    states = {name: sgd.init(p) for name, p in params.items()}
    keep = set(snapshot_iterations(iterations, frames).tolist())
    snaps, curves, history = [], [], []
    for step in range(iterations + 1):
        if step in keep:
            snaps.append(step)
            curves.append(predict(params, grid))
        loss, grads = loss_and_grads(params, x, t)
        history.append(loss)
        if step == iterations:
            break
        for name in params:
            params[name], states[name] = sgd.update(grads[name], states[name], params[name])
    return RegressionRun(x, t, grid, np.array(snaps), np.array(curves), np.array(history))
