r"""The chapter *Layers from scratch*, drawn: the layer stack and its gradient check.

* :func:`stack_figure`: the pieces of a network as boxes, left to right, with the array
  that goes forward above each arrow and the gradient that comes back below it, each
  with its shape (:func:`atlas.examples.layers_check.stack`);
* :func:`gradient_check_figure`: the largest relative difference between back-propagated
  and central-difference gradients against the step :math:`h`, log-log
  (:func:`atlas.examples.layers_check.gradient_check`).

Both draw what they are handed. Sized for the book's column (6 in shown 672 CSS px wide,
342 on a phone), every text at least 11.5 pt: 16 CSS px in the column, 9 on a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import LogLocator

from atlas.viz.descent_plots import COLUMN_INCHES, SMALL
from atlas.viz.style import CYCLE, DERIVATIVE_COLOR, FUNCTION_COLOR, new_figure, style, tick_text


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as the pages write it: ``900 × 2``; a scalar as ``scalar``."""
    return " × ".join(str(n) for n in shape) if shape else "scalar"


def stack_figure(pieces: Sequence[Any], *, inputs: Sequence[str] = ("x",),
                 dpi: float = 200) -> Figure:
    """Boxes for ``pieces`` (each with ``name``, ``rule``, ``input``, ``output``, ``params``,
    ``grad_input``, ``grad_output``), left to right; between them the forward arrow with the
    array and its shape above, the backward arrow with the gradient and its shape below."""
    with style(text=SMALL):
        figure = new_figure((COLUMN_INCHES, 3.0), dpi)
        ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 4.0)
        ax.axis("off")
        n = len(pieces)
        half = 0.85  # half a box's width
        centres = [1.2 + half + k * (7.6 - 2 * half) / max(n - 1, 1) for k in range(n)]
        names = [inputs[0], *(_output_name(p) for p in pieces)]
        edges = [0.05, *(c + half for c in centres)]  # where each arrow starts, going right
        ends = [*(c - half for c in centres), 9.95]
        shapes = [pieces[0].input, *(p.output for p in pieces)]
        grads = [*(p.grad_input for p in pieces), ()]
        for k, piece in enumerate(pieces):
            cx = centres[k]
            ax.add_patch(FancyBboxPatch((cx - half, 1.05), 2 * half, 1.9,
                                        boxstyle="round,pad=0.05", fc="#f2f5f9", ec="0.35",
                                        lw=1.2))
            ax.text(cx, 2.5, piece.name, ha="center", fontsize=SMALL + 0.5, weight="bold")
            ax.text(cx, 1.95, f"${piece.rule}$", ha="center", fontsize=SMALL)
            params = "\n".join(f"${k}$: {shape_text(s)}" for k, s in piece.params.items())
            if params:
                ax.text(cx, 1.75, params, ha="center", va="top", fontsize=SMALL,
                        linespacing=1.1)  # fmt: skip
        for k in range(n + 1):
            mid = (edges[k] + ends[k]) / 2
            _arrow(ax, edges[k], ends[k], 2.55, FUNCTION_COLOR)
            ax.text(mid, 2.7, f"${names[k]}$\n{shape_text(shapes[k])}", ha="center",
                    va="bottom", fontsize=SMALL, color=FUNCTION_COLOR)
            grad = grads[k]
            if grad is None:
                continue
            _arrow(ax, ends[k], edges[k], 1.45, DERIVATIVE_COLOR)
            label = (f"$\\partial L/\\partial {names[k]}$\n{shape_text(grad)}" if k < n
                     else "$\\partial L/\\partial L$\n$= 1$")
            ax.text(mid, 1.3, label, ha="center", va="top", fontsize=SMALL,
                    color=DERIVATIVE_COLOR)
        ax.text(0.15, 3.75, "forward: each array and its shape", fontsize=SMALL,
                color=FUNCTION_COLOR)
        ax.text(0.15, 0.1, "backward: each gradient has the shape of its array",
                fontsize=SMALL, color=DERIVATIVE_COLOR)
        return figure


def _output_name(piece: Any) -> str:
    """The symbol left of the ``=`` of a piece's rule: ``z`` of ``z = xW + b``."""
    return piece.rule.split("=", 1)[0].strip()


def _arrow(ax: Any, x0: float, x1: float, y: float, color: str) -> None:
    ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=14,
                                 color=color, lw=1.6))


def gradient_check_figure(check: Any, *, dpi: float = 200) -> Figure:
    """The relative error of the gradient check against the step ``h``, log-log, with the
    best step marked."""
    with style(text=SMALL):
        figure = new_figure((COLUMN_INCHES, 3.8), dpi)
        figure.set_layout_engine("constrained")
        ax = figure.add_subplot()
        ax.loglog(check.h, check.error, "o-", color=CYCLE[0], ms=4.5, lw=1.6)
        h_best, error_best = check.best
        ax.loglog([h_best], [error_best], "o", ms=10, mfc="none", mec=CYCLE[3], mew=1.8)
        ax.annotate(f"best: $h = {_power(h_best)}$", (h_best, error_best),
                    xytext=(0.0, 70.0), textcoords="offset points", ha="center",
                    fontsize=SMALL, color=CYCLE[3],
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
                    arrowprops={"arrowstyle": "-", "color": CYCLE[3], "lw": 1.0})
        ax.text(0.03, 0.06, "rounding error\ngrows like $1/h$", transform=ax.transAxes,
                fontsize=SMALL, color="0.3")
        ax.text(0.97, 0.06, "truncation error\ngrows like $h^2$", transform=ax.transAxes,
                ha="right", fontsize=SMALL, color="0.3")
        ax.set_xlabel("step $h$ of the central differences")
        ax.set_ylabel("largest relative error")
        ax.set_title("Backward rules against central differences")
        ax.xaxis.set_major_locator(LogLocator(numticks=7))
        tick_text(figure, SMALL)
        ax.grid(True, which="major", alpha=0.35)
        return figure


def _power(value: float) -> str:
    """``10^{-6}``-style mathtext for a value, to one significant digit."""
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"
