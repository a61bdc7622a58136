"""Activations and losses drawn with their derivatives, from the registries' own code.

Every curve is computed by :mod:`atlas.activations` / :mod:`atlas.losses`
(``forward``, ``derivative``, ``vjp``, ``jacobian``; ``backward``): nothing is
re-derived here. Compared with the course notes' ``plotActGraph`` and
``plotErrGraph``, each activation is drawn with its derivative on the same
axes, and each classification loss against the *prediction*, once for the
target t = 0 and once for t = 1, with the gradient the backward pass returns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser

from atlas.column import COLUMN_PX
from atlas.viz.png import save_figure
from atlas.viz.readable import inches, text_points
from atlas.viz.style import new_figure, style, tick_text

_PARSER = MathTextParser("agg")
#: LaTeX commands mathtext lacks, and what to write instead.
_REPLACEMENTS = {r"\tfrac": r"\frac", r"\dfrac": r"\frac", r"\le": r"\leq", r"\ge": r"\geq"}
LOSS_VIEW = (-4.0, 6.0)  # y-limits of loss plots: gradients of log losses grow without bound


def mathtext(latex: str) -> str | None:
    """``$latex$`` if matplotlib's mathtext can typeset it (after small fixes), else None.

    Mathtext lacks ``cases`` and ``\\tfrac``; a ``cases`` block is rewritten
    as ``value (condition); ...`` on one line.
    """

    def one_line(match: re.Match[str]) -> str:
        rows = [r.strip() for r in match.group(1).split(r"\\") if r.strip()]
        parts = []
        for row in rows:
            value, _, condition = row.partition("&")
            parts.append(value.strip() + (rf"\ ({condition.strip()})" if condition else ""))
        return r";\ ".join(parts)

    text = re.sub(r"\\begin\{cases\}(.*?)\\end\{cases\}", one_line, latex, flags=re.S)
    for latex_name, mathtext_name in _REPLACEMENTS.items():
        text = re.sub(re.escape(latex_name) + r"(?![a-zA-Z])", lambda _m, r=mathtext_name: r, text)
    text = text.strip()
    try:
        _PARSER.parse(f"${text}$")
    except ValueError:
        return None
    return f"${text}$"


def constrained_figure(figsize: tuple[float, float], dpi: float) -> Figure:
    """An atlas figure (even pixel size, opaque) with constrained layout."""
    fig = new_figure(figsize, dpi)
    fig.set_layout_engine("constrained")
    return fig


def column_figure(height: float, dpi: float, width_px: float = COLUMN_PX) -> Figure:
    """A constrained figure at the book's scale for ``width_px`` CSS px (its width in inches
    :func:`atlas.viz.readable.inches`), ``height`` times as tall as wide; draw it inside
    ``style(text=text_points(width_px))`` and finish it with :func:`finish`."""
    width = inches(width_px)
    return constrained_figure((width, height * width), dpi)


def finish(fig: Figure, width_px: float = COLUMN_PX) -> Figure:
    """Tick labels at the figure's text size (ticks made when it is drawn included)."""
    tick_text(fig, text_points(width_px))
    return fig


def figure_png(fig: Figure, path: Path | str) -> Path:
    """Draw ``fig`` and write it as a deterministic PNG, atomically (the writer's own code)."""
    return save_figure(fig, path)


def _axes_frame(ax: Axes) -> None:
    ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.6", lw=0.8, zorder=0)
    ax.grid(True, alpha=0.3)


# ------------------------------------------------------------------------ activations


def plot_activation(ax: Axes, activation: Any, x: np.ndarray | None = None,
                    title: bool = True, legend: bool = True) -> list[Any]:
    """f and f′ of an elementwise activation on one axes; returns the two lines."""
    x = np.linspace(-5.0, 5.0, 1001) if x is None else np.asarray(x, dtype=float)
    f, df = activation.forward(x), activation.derivative(x)
    (f_line,) = ax.plot(x, f, lw=2.2, label=r"$f(x)$")
    (df_line,) = ax.plot(x, df, lw=1.8, ls="--", label=r"$f\,'(x)$")
    _axes_frame(ax)
    ax.set_xlim(x[0], x[-1])
    if title:
        formula = mathtext(activation.latex)
        ax.set_title(activation.title + (f"\n{formula}" if formula else ""))
    if legend:
        ax.legend(loc="upper left")
    return [f_line, df_line]


def activation_figure(activation: Any, dpi: float = 100, width_px: float = COLUMN_PX) -> Figure:
    """One activation and its derivative, with both formulas, to be shown ``width_px`` wide."""
    with style(text=text_points(width_px)):
        fig = column_figure(0.75, dpi, width_px)
        ax = fig.add_subplot()
        plot_activation(ax, activation)
        derivative = mathtext(activation.derivative_latex)
        if derivative:
            ax.set_xlabel(derivative)
    return finish(fig, width_px)


def gallery_figure(activations: Sequence[Any], columns: int = 4, dpi: float = 100) -> Figure:
    """A grid of small panels, one per elementwise activation, f solid and f′ dashed; the
    panels share their axes, so only the outer ones carry tick labels."""
    rows = -(-len(activations) // columns)
    with style(text=text_points()):
        fig = column_figure(0.24 * rows + 0.04, dpi)
        axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True).ravel()
        for ax, activation in zip(axes, activations, strict=False):
            plot_activation(ax, activation, title=False, legend=False)
            ax.set_title(activation.title)
            ax.set_ylim(-2.0, 3.5)
            ax.set_xticks([-4, 0, 4])
            ax.set_yticks([-1, 0, 1, 2, 3])
        for ax in axes[len(activations):]:
            ax.set_axis_off()
        for ax in axes[len(activations) - columns:len(activations)]:
            ax.xaxis.set_tick_params(labelbottom=True)
        lines = axes[0].get_lines()
        fig.legend(lines[:2], [r"$f(x)$", r"$f\,'(x)$"], loc="outside upper center", ncols=2)
    return finish(fig)


def two_class_figure(activation: Any, dpi: int = 100) -> Figure:
    """A softmax-like activation of z = (d, 0): outputs and Jacobian entries against d = z₁ − z₂."""
    d = np.linspace(-8.0, 8.0, 401)
    z = np.stack([d, np.zeros_like(d)], axis=-1)
    y = activation.forward(z)
    jac = np.stack([activation.jacobian(row) for row in z])  # (n, 2, 2): ∂y_i/∂z_j
    with style(text=text_points()):
        fig = column_figure(0.62, dpi)
        left, right = fig.subplots(1, 2)
        _two_class_panels(activation, fig, left, right, d, y, jac)
    return finish(fig)


def _two_class_panels(activation: Any, fig: Figure, left: Axes, right: Axes, d: np.ndarray,
                      y: np.ndarray, jac: np.ndarray) -> None:
    left.plot(d, y[:, 0], lw=2.2, label=r"$y_1$")
    left.plot(d, y[:, 1], lw=2.2, ls="--", label=r"$y_2$")
    left.set_title("outputs")
    styles = {(0, 0): "-", (0, 1): "--", (1, 0): ":", (1, 1): "-."}
    for (i, j), ls in styles.items():
        label = rf"$\partial y_{i + 1}/\partial z_{j + 1}$"
        right.plot(d, jac[:, i, j], lw=2.0, ls=ls, label=label)
    right.set_title("Jacobian entries")
    for ax in (left, right):
        _axes_frame(ax)
        ax.set_xlabel(r"$z_1 - z_2$")
        ax.set_xlim(d[0], d[-1])
        ax.legend(loc="best", handlelength=1.6, borderpad=0.3, labelspacing=0.25)
    formula = mathtext(activation.latex)
    fig.suptitle(f"{activation.title} of a 2-class input" + (f"\n{formula}" if formula else ""))


def plot_gradient_profiles(ax: Axes, profiles: Sequence[Any]) -> list[Any]:
    """The weight-gradient norm of every layer (log scale), one line per gradient profile
    (:class:`atlas.examples.activations.GradientProfile`); returns the lines."""
    lines = []
    for profile in profiles:
        layers = np.arange(1, len(profile.weight_grad_norms) + 1)
        (line,) = ax.semilogy(layers, profile.weight_grad_norms, marker="o", ms=4,
                              label=f"{profile.activation} ({profile.init} init)")
        lines.append(line)
    output = max(len(profile.weight_grad_norms) for profile in profiles)
    ax.set_xlabel(f"layer $l$ (1 = next to the input, {output} = output layer)")
    ax.set_ylabel(r"$\|\partial L / \partial W_l\|$")
    ax.legend()
    ax.grid(alpha=0.3)
    return lines


def gradient_profile_figure(profiles: Sequence[Any], dpi: float = 100) -> Figure:
    """Vanishing gradients: how much gradient reaches each layer of deep stacks."""
    with style(text=text_points()):
        fig = column_figure(0.6, dpi)
        plot_gradient_profiles(fig.add_subplot(), profiles)
    return finish(fig)


# ----------------------------------------------------------------------------- losses


def _is_row_loss(loss: Any) -> bool:
    """True if the loss reduces over classes (one value per row of class scores)."""
    return bool(loss.per_row)


def loss_curve(loss: Any, target: int, p: np.ndarray | None = None,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """(prediction axis, loss, dL/d prediction, axis label) for one 2-class target.

    The prediction is one number: a probability p, a logit z or a score y.
    Row losses (one value per row of class scores) see it as the class row
    (1 − p, p), (log(1 − p), log p) or (0, z), and the target as the one-hot row
    of class 1 if ``target == 1`` else class 0; the plotted gradient is the chain
    rule through that row, applied to what ``backward`` returns.
    """
    kind, row = loss.input, _is_row_loss(loss)
    if kind in ("probability", "log_probability"):
        p = np.linspace(0.005, 0.995, 397) if p is None else np.asarray(p, dtype=float)
        label = r"predicted probability $p$"
        q = np.stack([1.0 - p, p], -1) if row else p
        y = np.log(q) if kind == "log_probability" else q
    else:
        p = np.linspace(-6.0, 6.0, 481) if p is None else np.asarray(p, dtype=float)
        label = r"logit $z$" if kind == "logit" else r"prediction $y$"
        y = np.stack([np.zeros_like(p), p], -1) if row else p
    if row:
        t = np.zeros((p.size, 2))
        t[:, 1 if target == 1 else 0] = 1.0
    else:
        t = np.full_like(p, float(target))
    value = np.asarray(loss.forward(y, t), dtype=float)
    g = np.asarray(loss.backward(y, t, np.ones_like(value)), dtype=float)
    if not row:  # y = p, y = log p or y = z
        grad = g / p if kind == "log_probability" else g
    elif kind == "probability":  # y = (1 - p, p)
        grad = g[:, 1] - g[:, 0]
    elif kind == "log_probability":  # y = (log(1 - p), log p)
        grad = g[:, 1] / p - g[:, 0] / (1.0 - p)
    else:  # y = (0, z)
        grad = g[:, 1]
    return p, value, grad, label


def negative_target(loss: Any) -> int:
    """0, or −1 for a loss whose targets are ±1 (it rejects t = 0)."""
    try:
        loss.forward(np.array([0.5]), np.array([0.0]))
    except ValueError:
        return -1
    return 0


def loss_figure(loss: Any, dpi: float = 100) -> Figure:
    """Classification: loss and gradient against the prediction for t = 0 and t = 1.
    Regression: loss and gradient against the residual y − t."""
    with style(text=text_points()):
        return finish(_loss_figure(loss, dpi))


def _loss_figure(loss: Any, dpi: float) -> Figure:
    formula = mathtext(loss.latex)
    if loss.kind == "regression":
        fig = column_figure(0.7, dpi)
        ax = fig.add_subplot()
        r = np.linspace(-3.0, 3.0, 601)
        value = loss.forward(r, np.zeros_like(r))
        grad = loss.backward(r, np.zeros_like(r), np.ones_like(r))
        ax.plot(r, value, lw=2.2, label=r"loss $L$")
        ax.plot(r, grad, lw=1.8, ls="--", label=r"gradient $\partial L/\partial y$")
        ax.set_xlabel(r"residual $y - t$")
        axes = [ax]
    else:
        fig = column_figure(0.66, dpi)
        axes = list(fig.subplots(1, 2, sharey=True))
        for ax, target in zip(axes, (negative_target(loss), 1), strict=True):
            p, value, grad, label = loss_curve(loss, target)
            ax.plot(p, value, lw=2.2, label=r"loss $L$")
            ax.plot(p, grad, lw=1.8, ls="--", label=r"gradient $\partial L/\partial$ prediction")
            ax.set_xlabel(label)
            ax.set_title(f"target $t = {target}$")
            ax.set_ylim(*LOSS_VIEW)
            ax.set_xlim(p[0], p[-1])
    for ax in axes:
        _axes_frame(ax)
    if len(axes) == 1:
        axes[0].legend(loc="upper center")
    else:
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    fig.suptitle(loss.title + (f"\n{formula}" if formula else ""))
    return fig
