r"""Figures of a trained MNIST network, all drawn from a saved run (:func:`atlas.nn.load_run`)
and what the catalog computed from it (``atlas.catalog.mnist``): this module only draws.

Each ``plot_*`` function draws on one ``ax`` and returns its artists; each
``draw_*`` function builds a whole figure and writes ``<path>.png``:

* :func:`draw_curves` — loss and accuracy per epoch, training and test;
* :func:`draw_confusion` — the confusion matrix :math:`C_{ij}` (counts), coloured
  by the row-normalised :math:`C_{ij} / \sum_j C_{ij}` (the fraction of true
  class :math:`i` predicted as :math:`j`);
* :func:`draw_class_report` — per-class precision, recall and F1 with their macro averages;
* :func:`draw_extremes` — the easiest and hardest test images (the notes' exercise 8.5);
* :func:`draw_optimizers` — test accuracy and loss per epoch of several runs.

The loss landscapes of a trained network are in :mod:`atlas.viz.landscape_plots`.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from atlas.viz.png import save_figure
from atlas.viz.readable import COLUMN_INCHES, text_points
from atlas.viz.style import (
    DPI,
    new_figure,
    optimizer_color,
    style,
    tick_text,
)

if TYPE_CHECKING:  # for annotations only: drawing runs no training code
    from atlas.nn.results import SavedRun

TRAIN_COLOR, TEST_COLOR = "#0072B2", "#D55E00"
SIZE = text_points()  # points: every text of a column-wide figure
PER_ROW = 4  # test images per row of mnist/extremes
METRIC_COLORS = {"precision": "#0072B2", "recall": "#E69F00", "f1": "#009E73"}


def _probability(p: float) -> str:
    """``p = 0.873``, or ``p = 1 − 3e-06`` when p rounds to 1 at three decimals."""
    if p < 0.9995 or p >= 1.0:
        return f"p = {p:.3f}"
    return f"p = 1 − {1.0 - p:.0e}"


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".png")


# ------------------------------------------------------------------------ curves and metrics


def plot_curves(ax: Axes, history: Mapping[str, list], metric: str) -> list[Artist]:
    """``train_<metric>`` and ``test_<metric>`` (``loss`` or ``accuracy``) against the epoch."""
    artists: list[Artist] = []
    for split, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR)):
        artists += ax.plot(history["epoch"], history[f"{split}_{metric}"], color=color,
                           marker="o", markersize=4, label=split)  # fmt: skip
    ax.set(xlabel="epoch", ylabel=metric)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True)
    ax.legend()
    return artists


def plot_confusion(ax: Axes, confusion: np.ndarray, classes: Sequence[str]) -> list[Artist]:
    """Counts in every cell, coloured by the row-normalised fraction (power scale)."""
    counts = np.asarray(confusion)
    totals = counts.sum(axis=1, keepdims=True)
    fraction = counts / np.where(totals > 0, totals, 1)
    norm = PowerNorm(gamma=0.35, vmin=0.0, vmax=1.0)
    image = ax.imshow(fraction, cmap="Blues", norm=norm)
    artists: list[Artist] = [image]
    fontsize = None if len(classes) <= 10 else 6  # the figure's text size for ten classes
    for (i, j), count in np.ndenumerate(counts):
        dark = norm(fraction[i, j]) > 0.6
        artists.append(ax.text(j, i, str(count), ha="center", va="center", fontsize=fontsize,
                               color="white" if dark else "#222222"))  # fmt: skip
    ticks = np.arange(len(classes))
    ax.set(xticks=ticks, yticks=ticks, xticklabels=classes, yticklabels=classes,
           xlabel="predicted class", ylabel="true class")  # fmt: skip
    ax.spines[:].set_visible(False)
    return artists


def plot_class_report(ax: Axes, report: Mapping[str, list], classes: Sequence[str]) -> list[Artist]:
    """Grouped bars of precision, recall and F1 per class; dashed lines at the macro averages."""
    x = np.arange(len(classes))
    width = 0.26
    artists: list[Artist] = []
    lowest = 1.0
    for k, metric in enumerate(("precision", "recall", "f1")):
        values = np.asarray(report[metric])
        lowest = min(lowest, float(values.min()))
        macro = float(report[f"macro_{metric}"])
        label = f"{'F1' if metric == 'f1' else metric} (macro {macro:.3f})"
        artists.append(ax.bar(x + (k - 1) * width, values, width, color=METRIC_COLORS[metric],
                              label=label))  # fmt: skip
        artists.append(ax.axhline(macro, color=METRIC_COLORS[metric], ls="--", lw=1.0))
    ax.set(xticks=x, xticklabels=classes, xlabel="class", ylabel="score",
           ylim=(max(0.0, lowest - 0.05), 1.005))  # fmt: skip
    ax.grid(True, axis="y")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False,
              columnspacing=1.0, handlelength=1.2)
    return artists


def plot_image_grid(
    ax: Axes, images: np.ndarray, captions: Sequence[str], columns: int
) -> list[Artist]:
    """Images (dark ink on white) in a grid, a caption under each; returns the artists."""
    images = np.asarray(images, np.float64)
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    gap, caption = 3, max(10, h // 2)
    cell_h, cell_w = h + caption + gap, w + w // 2
    canvas = np.zeros((rows * cell_h, columns * cell_w))
    artists: list[Artist] = []
    for k in range(n):
        top, left = (k // columns) * cell_h, (k % columns) * cell_w
        canvas[top : top + h, left : left + w] = images[k]
    artists.append(ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=images.max() or 1,
                             interpolation="nearest"))  # fmt: skip
    for k, text in enumerate(captions):
        top, left = (k // columns) * cell_h, (k % columns) * cell_w
        artists.append(ax.text(left + w / 2, top + h + 1, text, ha="center", va="top",
                               linespacing=1.1))  # fmt: skip
    ax.set_axis_off()
    return artists


def plot_optimizer_curves(
    ax: Axes, histories: Mapping[str, Mapping[str, list]], key: str
) -> list[Artist]:
    """``history[key]`` against the epoch for every optimizer, in its fixed colour."""
    artists: list[Artist] = []
    for name, history in histories.items():
        artists += ax.plot(history["epoch"], history[key], color=optimizer_color(name),
                           marker="o", markersize=4, label=name)  # fmt: skip
    ax.set(xlabel="epoch", ylabel=key.replace("_", " "))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True)
    return artists


# ------------------------------------------------------------------------------- whole figures


def _figure(height: float, dpi: float, title: str | None = None) -> Figure:
    """A column-wide figure with constrained layout (inside ``style(text=SIZE)``)."""
    figure = new_figure((COLUMN_INCHES, height), dpi)
    figure.set_layout_engine("constrained", w_pad=0.04)
    if title:
        figure.suptitle(textwrap.fill(title, 52))
    return figure


def _save(figure: Figure, path: str | os.PathLike) -> Path:
    tick_text(figure, SIZE)
    return save_figure(figure, _png(path))


def draw_curves(path: str | os.PathLike, run: SavedRun, *, dpi: float = DPI) -> Path:
    """Loss and accuracy per epoch, training and test, side by side."""
    c = run.config
    with style(text=SIZE):
        figure = _figure(3.6, dpi, f"MLP {c.model} ({c.activation}, {c.optimizer} lr={c.lr:g}, "
                         f"batch {c.batch_size}) on {run.info['dataset']}")  # fmt: skip
        left, right = figure.subplots(1, 2)
        plot_curves(left, run.info["history"], "loss")
        plot_curves(right, run.info["history"], "accuracy")
        return _save(figure, path)


def draw_confusion(
    path: str | os.PathLike, run: SavedRun, classes: Sequence[str], *, dpi: float = DPI
) -> Path:
    """The confusion matrix of the saved run's final model on the test set."""
    final = run.info["final"]
    with style(text=SIZE):
        figure = _figure(5.6, dpi)
        ax = figure.add_subplot()
        image = plot_confusion(ax, np.asarray(final["confusion_matrix"]), classes)[0]
        bar = figure.colorbar(image, ax=ax, shrink=0.85)
        bar.set_label("fraction of the true class (row)")
        ax.set_title(f"Confusion matrix: test accuracy {final['test_accuracy']:.2%}")
        return _save(figure, path)


def draw_class_report(
    path: str | os.PathLike, run: SavedRun, classes: Sequence[str], *, dpi: float = DPI
) -> Path:
    """Per-class precision, recall and F1 of the saved run, with macro averages."""
    with style(text=SIZE):
        figure = _figure(4.0, dpi, "Precision, recall and F1 per class on the test set "
                         "(dashed: macro averages)")  # fmt: skip
        plot_class_report(figure.add_subplot(), run.info["final"]["class_report"], classes)
        return _save(figure, path)


def draw_extremes(
    path: str | os.PathLike,
    rows: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    classes: Sequence[str],
    *,
    columns: int = 8,
    dpi: float = DPI,
) -> Path:
    r"""The easiest (correct, highest :math:`p(\hat y|x)`) and hardest (wrong, highest
    :math:`p(\hat y|x)`) test images: ``rows["easiest"]`` and ``rows["hardest"]`` are
    ``(images, true classes, predicted classes, probabilities of the prediction)``, at most
    ``columns`` each, drawn :data:`PER_ROW` to a row (so their captions, the true class, the
    prediction and its probability, are readable on a phone)."""
    lines = {kind: max(1, -(-min(len(rows[kind][0]), columns) // PER_ROW)) for kind in rows}
    with style(text=SIZE):
        figure = _figure(0.6 + 1.75 * sum(lines.values()), dpi)
        axes = figure.subplots(2, 1, height_ratios=[lines["easiest"], lines["hardest"]])
        for ax, kind in zip(axes, ("easiest", "hardest"), strict=True):
            images, y_true, y_hat, p_hat = (part[:columns] for part in rows[kind])
            ax.set_title("Easiest: correct and most confident" if kind == "easiest"
                         else "Hardest: wrong and most confident (true → predicted)")  # fmt: skip
            if len(images) == 0:
                ax.set_axis_off()
                ax.text(0.5, 0.5, "none", ha="center", transform=ax.transAxes)
                continue
            captions = [
                (f"{classes[t]}" if t == p else f"{classes[t]} → {classes[p]}")
                + "\n" + _probability(float(probability))
                for t, p, probability in zip(y_true, y_hat, p_hat, strict=True)
            ]
            plot_image_grid(ax, np.asarray(images), captions, PER_ROW)
        return _save(figure, path)


def draw_optimizers(
    path: str | os.PathLike, runs: Mapping[str, SavedRun], *, dpi: float = DPI
) -> Path:
    """Test accuracy and test loss per epoch of one run per optimizer (same budget); the
    legend gives each learning rate in brackets."""
    histories = {name: run.info["history"] for name, run in runs.items()}
    labels = {name: f"{name} ({run.config.lr:g})" for name, run in runs.items()}
    with style(text=SIZE):
        figure = _figure(4.2, dpi)
        left, right = figure.subplots(1, 2)
        plot_optimizer_curves(left, histories, "test_accuracy")
        plot_optimizer_curves(right, histories, "test_loss")
        handles = [line for line in left.get_lines()]
        figure.legend(handles, [labels[h.get_label()] for h in handles], loc="outside upper center",
                      ncols=3, frameon=False, columnspacing=1.0, handlelength=1.5)  # fmt: skip
        return _save(figure, path)
