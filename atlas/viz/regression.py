r"""Nonlinear regression, as in the course notes' first chapter, animated.

Eight points :math:`x = -3, -2, \dots, 4`, :math:`t = \sin x`; a network with
one hidden layer of H sigmoid units,

.. math:: y(x) = W_2\,\sigma(W_1 x + b_1) + b_2,

trained on the mean squared error by full-batch SGD (learning rate 0.01,
2000 iterations). The left panel shows the fitted curve as training goes on,
the right panel the loss on a log scale. Every number comes from
:mod:`atlas.activations`, :mod:`atlas.losses` and :mod:`atlas.optimizers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    da = sigmoid.backward(a, h, dy @ params["W2"].T)  # (n, H)
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


def draw_regression(path: Path | str, formats: tuple[str, ...], hidden: int, lr: float = 0.01,
                    iterations: int = 2000, frames: int = 100, seed: int = 0, fps: int = 20,
                    dpi: int = 100) -> None:
    """Write the animation (left: the fit over time; right: the loss, log scale)."""
    from atlas.viz.animation import render_animation
    from atlas.viz.function_plots import constrained_figure
    from atlas.viz.style import style

    run = train(hidden, lr, iterations, frames, seed)
    with style():
        fig = constrained_figure((11.2, 4.4), dpi)
        fit_ax, loss_ax = fig.subplots(1, 2)
        fit_ax.plot(run.grid, np.sin(run.grid), color="0.65", lw=1.2, ls=":", label=r"$\sin x$")
        fit_ax.plot(run.x, run.t, "o", color="0.15", ms=7, label="training points", zorder=3)
        (curve,) = fit_ax.plot(run.grid, run.curves[-1], lw=2.4, label="network", animated=True)
        fit_ax.set_ylim(-2.0, 2.0)
        fit_ax.set_xlim(run.grid[0], run.grid[-1])
        fit_ax.set_xlabel("$x$")
        fit_ax.legend(loc="lower left")
        fit_ax.set_title(f"One hidden layer, $H = {hidden}$ sigmoid units")
        label = fit_ax.text(0.98, 0.95, "", transform=fit_ax.transAxes, ha="right", va="top",
                            animated=True)
        steps = np.arange(run.loss.size)
        loss_ax.plot(steps, run.loss, color="0.8", lw=1.2)
        (trace,) = loss_ax.plot(steps, run.loss, lw=2.2, animated=True)
        (head,) = loss_ax.plot([0], [run.loss[0]], "o", ms=7, animated=True)
        loss_ax.set_yscale("log")
        loss_ax.set_xlim(0, max(steps[-1], 1))
        loss_ax.set_xlabel("iteration")
        loss_ax.set_ylabel("mean squared error")
        loss_ax.set_title(f"Loss (full-batch SGD, lr = {lr:g})")
        loss_ax.grid(True, which="both", alpha=0.3)

        def update(frame: int) -> None:
            step = int(run.iterations[frame])
            curve.set_ydata(run.curves[frame])
            trace.set_data(steps[: step + 1], run.loss[: step + 1])
            head.set_data([step], [run.loss[step]])
            label.set_text(f"iteration {step}\nMSE {run.loss[step]:.4f}")

        render_animation(fig, [curve, label, trace, head], update, len(run.iterations), path,
                         fps=fps, formats=formats)
