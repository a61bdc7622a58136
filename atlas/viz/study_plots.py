r"""The MNIST optimizer study drawn: test error against the step, one panel per group.

:func:`draw_study_curves` draws what it is handed: for every group of
optimizers (:mod:`atlas.races.groups`) the test-error curves of its members,
each at the learning rate the study chose on the validation split
(:mod:`atlas.nn.study`). It computes nothing. The figure is 6.8 in wide, the
book's column, and its smallest text 8.5 pt (at least 11 CSS pixels there).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

from atlas.viz.png import save_figure
from atlas.viz.style import DPI, new_figure, style

WIDTH = 6.8
SMALL = 8.5
#: Test error ticks (per cent) on the log axis.
TICKS = (5, 7, 10, 15, 20, 30, 50, 90)


@dataclass(frozen=True)
class Curve:
    """One optimizer's test error (a fraction) at ``steps``; ``label`` names it and its rate."""

    label: str
    steps: Sequence[int]
    errors: Sequence[float]
    color: str
    marker: str


def draw_study_curves(path: str | os.PathLike, title: str,
                      panels: Sequence[tuple[str, Sequence[Curve]]], *,
                      dpi: float = DPI) -> Path:  # fmt: skip
    """One axes per ``(panel title, curves)``, two columns, the same axes limits everywhere."""
    errors = [e for _, curves in panels for c in curves for e in c.errors]
    steps = [s for _, curves in panels for c in curves for s in c.steps]
    low = min([e for e in errors if e > 0], default=0.05) * 100 * 0.9
    high = max(errors, default=0.9) * 100 * 1.1
    rows = math.ceil(len(panels) / 2)
    height = 0.45 + 2.6 * rows
    with style():
        figure = new_figure((WIDTH, height), dpi)
        figure.suptitle(title, fontsize=10, y=1 - 0.12 / height)
        for i, (name, curves) in enumerate(panels):
            row, col = divmod(i, 2)
            left = 0.085 + 0.475 * col
            bottom = 1 - (0.45 + 2.6 * (row + 1) - 0.55) / height
            ax = figure.add_axes((left, bottom, 0.40, 1.75 / height))
            for curve in curves:
                percent = 100 * np.asarray(curve.errors, dtype=float)
                ax.plot(curve.steps, percent, color=curve.color, lw=1.6, label=curve.label,
                        marker=curve.marker, markersize=3.5, markevery=[len(percent) - 1])
            ax.set_yscale("log")
            ax.set_ylim(low, high)
            ax.set_xlim(0, max(steps, default=1))
            ax.yaxis.set_major_locator(FixedLocator([t for t in TICKS if low <= t <= high]))
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:g}")
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.grid(True, which="major")
            ax.tick_params(labelsize=SMALL)
            ax.set_title(name, fontsize=9.5)
            ax.set_xlabel("step (minibatches of 100)", fontsize=SMALL)
            if col == 0:
                ax.set_ylabel("test error (%)", fontsize=9)
            ax.legend(fontsize=SMALL, loc="upper right", handlelength=1.4,
                      labelspacing=0.25, borderaxespad=0.3)  # fmt: skip
        return save_figure(figure, _png(path))


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path if path.suffix == ".png" else path.with_name(path.name + ".png")
