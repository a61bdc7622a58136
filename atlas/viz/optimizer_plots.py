r"""One optimizer at a time: its paths, and what its internal state does.

* :func:`draw_optimizer_paths` — the optimizer alone on three contrasting
  surfaces side by side: an ill-conditioned bowl (``ellipse``), a curved
  valley (``rosenbrock``) and a surface without minimum (``saddle``), each at
  the learning rate the protocol of :mod:`atlas.learning_rates` chose.
* :func:`draw_optimizer_state` — its state along the Rosenbrock path: the
  momentum buffer as arrows on the path (where it has one), and the
  per-coordinate step size its adaptive denominator gives, against the step
  on a log scale (where it has one).

The state is read from ``trajectory(..., record_state=True)`` by field name,
so a new optimizer whose state uses the same names is drawn without changes:

* momentum buffer: ``b`` (SGD, RMSprop) or ``m`` (the Adam family);
* per-coordinate step size :func:`effective_step`, from ``state_sum``
  (Adagrad), ``v`` (RMSprop, the Adam family), ``v`` and ``u`` (Adadelta),
  ``u`` (Adamax, an infinity norm) or ``eta`` (Rprop's own step sizes).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from atlas import learning_rates, optimizers
from atlas.optimizers import Optimizer, State
from atlas.trajectory import Trajectory, trajectory
from atlas.viz.png import save_figure
from atlas.viz.race import Run, run_race
from atlas.viz.style import DPI, new_figure, style
from atlas.viz.surface_plots import plot_contours

#: The three contrasting surfaces of every optimizer's figure.
PATH_SURFACES = ("ellipse", "rosenbrock", "saddle")
#: The surface whose path shows the optimizer's state.
STATE_SURFACE = "rosenbrock"
MOMENTUM_FIELDS = ("b", "m", "momentum_buffer", "exp_avg")
N_ARROWS = 14


def plot_path(ax: Axes, run: Run) -> list[Artist]:
    """One run on a 2D ``ax``: its path, start (circle) and end (dot); returns the artists."""
    with style():
        artists = ax.plot(run.xy[:, 0], run.xy[:, 1], color=run.color, lw=1.8, zorder=6)
        artists += ax.plot(*run.xy[0], marker="o", markersize=7, markerfacecolor="white",
                           markeredgecolor=run.color, markeredgewidth=1.5, zorder=7)  # fmt: skip
        end_marker = "x" if run.diverged_at is not None else "o"
        artists += ax.plot(*run.xy[-1], marker=end_marker, markersize=7, color=run.color,
                           markeredgecolor="white" if end_marker == "o" else run.color,
                           markeredgewidth=1.2 if end_marker == "o" else 2.2, zorder=8)  # fmt: skip
    return artists


def draw_optimizer_paths(
    path: str | os.PathLike,
    optimizer_name: str,
    *,
    surfaces: Sequence[str] = PATH_SURFACES,
    dpi: float = DPI,
) -> Path:
    """The optimizer's path on three ``surfaces``, side by side, as a PNG."""
    optimizer_cls = optimizers.registry.get(optimizer_name)
    with style():
        figure = new_figure((12.0, 4.3), dpi)
        figure.suptitle(f"{optimizer_cls.title} on three surfaces  (learning rate from the "
                        "protocol, step budget per surface)", fontsize=11.5)  # fmt: skip
        for i, name in enumerate(surfaces):
            race = run_race(name, [optimizer_name])
            run = race.runs[0]
            ax = figure.add_axes((0.045 + i * 0.33, 0.11, 0.27, 0.72))
            plot_contours(ax, race.surface, levels=18)
            plot_path(ax, run)
            status = (f"diverged at step {run.diverged_at}" if run.diverged_at is not None
                      else f"{race.steps} steps")  # fmt: skip
            ax.set_title(f"{race.surface.title}\nlr={learning_rates.format_lr(run.lr)}, {status}",
                         fontsize=10)  # fmt: skip
    return save_figure(figure, _png(path))


def effective_step(
    optimizer: Optimizer, state: State, previous: State | None = None
) -> np.ndarray | None:
    r"""The per-coordinate step size the optimizer's state gives, or None if it has none.

    * Adagrad: :math:`\tilde\gamma / (\sqrt{\mathrm{sum}_t} + \epsilon)`;
    * RMSprop: :math:`\gamma / (\sqrt{v_t} + \epsilon)` (centred: :math:`v_t - \bar g_t^2`);
    * Adam family: :math:`\gamma / (\sqrt{\hat v_t} + \epsilon)`,
      :math:`\hat v_t = v_t / (1 - \beta_2^t)` (AMSGrad: the running max of :math:`v`);
    * Adamax: :math:`\gamma / ((1 - \beta_1^t)\, u_t)`;
    * Adadelta: :math:`\gamma \sqrt{u_{t-1} + \epsilon} / \sqrt{v_t + \epsilon}` (``previous``
      is the state before the step, which holds :math:`u_{t-1}`);
    * Rprop: its step sizes :math:`\eta_t` (it steps by :math:`\eta_t \operatorname{sign} g`).

    SGD and its momentum variants return None: every coordinate moves by
    :math:`\gamma` times its (averaged) gradient. ``state`` is the state after
    step :math:`t`; the step it describes is step :math:`t`.
    """
    h = optimizer.hyperparameters()
    a = state.arrays()
    t = state.t
    if t == 0:
        return None
    lr = float(h["lr"])
    eps = float(h.get("eps", 0.0))
    if "eta" in a:
        return a["eta"]
    if "state_sum" in a:
        clr = lr / (1 + (t - 1) * float(h.get("lr_decay", 0.0)))
        return clr / (np.sqrt(a["state_sum"]) + eps)
    if "u" in a and "rho" in h:
        if previous is None:
            raise ValueError("Adadelta's step size needs the previous state (u_{t-1})")
        return lr * np.sqrt(previous.arrays()["u"] + eps) / np.sqrt(a["v"] + eps)
    if "u" in a and "betas" in h:
        return lr / ((1 - h["betas"][0] ** t) * a["u"])
    if "v" in a and "betas" in h:
        v = a["v_max"] if h.get("amsgrad") else a["v"]
        return lr / (np.sqrt(v / (1 - h["betas"][1] ** t)) + eps)
    if "v" in a and "alpha" in h:
        v = a["v"] - a["g_ave"] ** 2 if h.get("centered") else a["v"]
        return lr / (np.sqrt(v) + eps)
    return None


def momentum_buffer(state: State) -> np.ndarray | None:
    """The state's momentum buffer (see :data:`MOMENTUM_FIELDS`), None if absent or zero."""
    a = state.arrays()
    for name in MOMENTUM_FIELDS:
        if name in a and np.any(a[name] != 0):
            return a[name]
    return None


def plot_momentum_arrows(ax: Axes, path: Trajectory, color: str) -> list[Artist]:
    """Arrows of :math:`-b_t` (the direction the buffer pushes) at points along the path."""
    steps = np.unique(np.linspace(1, len(path.xy) - 1, N_ARROWS).astype(int))
    rows = [(k, momentum_buffer(path.states[k])) for k in steps]
    rows = [(k, b) for k, b in rows if b is not None]
    if not rows:
        return []
    xy = np.array([path.xy[k] for k, _ in rows])
    push = -np.array([b for _, b in rows])
    (x0, x1), _ = path.surface.domain
    # Lengths grow like the square root of |b| (so late, small buffers stay visible),
    # the longest arrow being 15 % of the domain's width.
    norm = np.hypot(push[:, 0], push[:, 1])
    relative = np.sqrt(norm / norm.max()) if norm.max() > 0 else norm
    length = 0.15 * (x1 - x0) * np.maximum(relative, 0.15)
    safe = np.where(norm > 0, norm, 1.0)
    push = push / safe[:, None] * length[:, None]
    with style():
        arrows = ax.quiver(xy[:, 0], xy[:, 1], push[:, 0], push[:, 1],
                           angles="xy", scale_units="xy", scale=1, color=color, width=0.006,
                           zorder=9, alpha=0.9)  # fmt: skip
    return [arrows]


def plot_effective_steps(ax: Axes, path: Trajectory, color: str) -> list[Artist]:
    """Per-coordinate step size (:func:`effective_step`) against step, log scale."""
    states = path.states
    sizes = [effective_step(path.optimizer, s, p) for p, s in itertools.pairwise(states)]
    with style():
        if any(s is None for s in sizes) or not sizes:
            lr = float(path.optimizer.hyperparameters()["lr"])
            lines = ax.plot([1, max(len(path.xy) - 1, 1)], [lr, lr], color=color, lw=1.8,
                            label=r"$\gamma$ (the same for every coordinate)")  # fmt: skip
        else:
            values = np.array(sizes)
            steps = np.arange(1, len(values) + 1)
            lines = ax.plot(steps, values[:, 0], color=color, lw=1.8, label="$x$ coordinate")
            lines += ax.plot(steps, values[:, 1], color=color, lw=1.8, linestyle="--",
                             label="$y$ coordinate")  # fmt: skip
        ax.set_yscale("log")
        ax.set(xlabel="step $t$", ylabel="step size per unit gradient")
        ax.grid(True, which="major")
        ax.legend(loc="best")
    return lines


def draw_optimizer_state(path: str | os.PathLike, optimizer_name: str, *,
                         surface: str = STATE_SURFACE, dpi: float = DPI) -> Path:  # fmt: skip
    """Momentum arrows on the path on ``surface`` and per-coordinate step sizes, as a PNG."""
    race = run_race(surface, [optimizer_name])
    run = race.runs[0]
    optimizer = optimizers.get(optimizer_name, lr=run.lr)
    traced = trajectory(optimizer, race.surface, race.surface.start, race.steps,
                        record_state=True)  # fmt: skip
    with style():
        figure = new_figure((11.0, 4.5), dpi)
        figure.suptitle(f"{optimizer.title} on {race.surface.title}, "
                        f"lr={learning_rates.format_lr(run.lr)}: its internal state",
                        fontsize=11.5)  # fmt: skip
        left = figure.add_axes((0.06, 0.12, 0.4, 0.74))
        plot_contours(left, race.surface, levels=18)
        plot_path(left, run)
        if plot_momentum_arrows(left, traced, run.color):
            left.set_title(r"momentum buffer: arrows of $-b_t$ along the path", fontsize=10)
        else:
            left.set_title("path (no momentum buffer)", fontsize=10)
        right = figure.add_axes((0.57, 0.12, 0.4, 0.74))
        plot_effective_steps(right, traced, run.color)
        right.set_title("per-coordinate step size", fontsize=10)
    return save_figure(figure, _png(path))


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
