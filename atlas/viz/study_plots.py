r"""The MNIST optimizer study drawn: test error against the step, one panel per group.

:func:`draw_study_curves` draws what it is handed: for every group of
optimizers (:mod:`atlas.races.groups`) the test-error curves of its members,
each at the learning rate the study chose on the validation split
(:mod:`atlas.nn.study`). It computes nothing. The figure is the book's column wide,
and its smallest text 11.5 pt (at least 9 CSS pixels on a phone, :mod:`atlas.viz.readable`).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

from atlas.viz.png import save_figure
from atlas.viz.readable import COLUMN_INCHES, text_points
from atlas.viz.style import DPI, new_figure, style, tick_text

WIDTH = COLUMN_INCHES
ROW_INCHES = 2.0  # one panel: its curves on the left, their legend on the right
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
    """One row per ``(panel title, curves)``, its legend on the right, the same axes limits in
    every row; the column's width, 11.5 pt text."""
    errors = [e for _, curves in panels for c in curves for e in c.errors]
    steps = [s for _, curves in panels for c in curves for s in c.steps]
    low = min([e for e in errors if e > 0], default=0.05) * 100 * 0.9
    high = max(errors, default=0.9) * 100 * 1.1
    size = text_points()
    with style(text=size):
        figure = new_figure((COLUMN_INCHES, 0.5 + ROW_INCHES * len(panels)), dpi)
        figure.set_layout_engine("constrained", h_pad=0.06)
        figure.suptitle(textwrap.fill(title, 55))
        axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
        for ax, (name, curves) in zip(axes, panels, strict=True):
            for curve in curves:
                percent = 100 * np.asarray(curve.errors, dtype=float)
                ax.plot(curve.steps, percent, color=curve.color, lw=1.6, label=curve.label,
                        marker=curve.marker, markersize=4.5, markevery=[len(percent) - 1])
            ax.set_yscale("log")
            ax.set_ylim(low, high)
            ax.set_xlim(0, max(steps, default=1))
            ax.yaxis.set_major_locator(FixedLocator([t for t in TICKS if low <= t <= high]))
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:g}")
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.grid(True, which="major")
            ax.set_title(name, loc="left")
            ax.set_ylabel("test error (%)")
            ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), handlelength=1.4,
                      labelspacing=0.25, borderaxespad=0.0, frameon=False)  # fmt: skip
        axes[-1].set_xlabel("step (minibatches of 100)")
        tick_text(figure, size)
        return save_figure(figure, _png(path))


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path if path.suffix == ".png" else path.with_name(path.name + ".png")
