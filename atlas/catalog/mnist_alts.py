"""What the MNIST figures of :mod:`atlas.catalog.mnist` show, in words: their alt text.

Each entry of :func:`atlas.catalog.mnist.entries` declares its ``alt`` from
here; the figures whose words state numbers (``mnist/curves``, ``confusion``,
``class_report``; ``mnist/optimizers``) add them from the run they draw
(:func:`panel_outcome`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: By figure name under ``mnist/``.
ALT = {
    "curves": (
        "Two panels over the training epochs: left, the training and test loss; right, the "
        "training and test accuracy."),
    "confusion": (
        "A ten by ten grid of counts of test images, true class by row and predicted class "
        "by column, coloured by the fraction of each row."),
    "class_report": (
        "Grouped bars of precision, recall and F1 for each class, with dashed lines at "
        "their macro averages."),
    "extremes": (
        "Two rows of digit images. Top, clean and typical digits, each correctly classified "
        "with probability close to 1. Bottom, misclassified digits, many oddly written or "
        "ambiguous, each labelled with its true class, the predicted class and the "
        "probability given to the prediction."),
    "landscape/3d": (
        "Two views of the training loss over a plane through the trained weights. "
        "Left, a 3-D surface shaped like a smooth bowl; right, its contour map. The "
        "lowest point, marked with a star, lies at the centre, where the trained "
        "weights are, and the loss rises towards the edges."),
    "landscape/contour": (
        "Contour lines of the training loss on the plane of the first two principal "
        "components of the SGD and Adam training paths, with both paths drawn on it from "
        "their common start."),
}  # fmt: skip


def _curves(info: Mapping[str, Any], classes: Sequence[str]) -> str:
    h = info["history"]
    return (f"After {h['epoch'][-1]} epochs the training loss is {h['train_loss'][-1]:.3f} and "
            f"the test loss {h['test_loss'][-1]:.3f}; the training accuracy "
            f"{100 * h['train_accuracy'][-1]:.1f} % and the test accuracy "
            f"{100 * h['test_accuracy'][-1]:.1f} %.")


def _confusion(info: Mapping[str, Any], classes: Sequence[str]) -> str:
    counts = np.asarray(info["final"]["confusion_matrix"])
    off = counts - np.diag(np.diag(counts))
    top = np.argsort(off, axis=None)[::-1][:2]
    worst = [f"{off.flat[k]} images of class {classes[k // len(classes)]} predicted as "
             f"{classes[k % len(classes)]}" for k in top if off.flat[k] > 0]  # fmt: skip
    text = (f"The diagonal holds {100 * np.trace(counts) / counts.sum():.1f} % of the "
            f"{counts.sum():,} test images.")
    return text + (f" The largest confusions: {' and '.join(worst)}." if worst else "")


def _class_report(info: Mapping[str, Any], classes: Sequence[str]) -> str:
    report = info["final"]["class_report"]
    f1 = np.asarray(report["f1"])
    low, high = int(np.argmin(f1)), int(np.argmax(f1))
    return (f"Macro F1 {report['macro_f1']:.3f}; the lowest F1, {f1[low]:.3f}, for class "
            f"{classes[low]}; the highest, {f1[high]:.3f}, for class {classes[high]}.")


#: The panels whose alt text states the run's numbers.
OUTCOMES = {"curves": _curves, "confusion": _confusion, "class_report": _class_report}


def panel_outcome(panel: str, info: Mapping[str, Any], classes: Sequence[str]) -> str:
    """The numbers of one panel of a saved run (``info``: its results), in words."""
    return OUTCOMES[panel](info, classes)


def paths_outcome(paths: Sequence[tuple[Any, str, str]], explained: Sequence[float]) -> str:
    """How much of the paths the plane holds, and how long each path is on it."""
    from atlas import optimizers

    length = {optimizers.registry.get(name).title:
              float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum()) for xy, name, _ in paths}
    (a, la), (b, lb) = sorted(length.items(), key=lambda item: -item[1])[:2]
    return (f"The plane holds {100 * explained[0]:.0f} % and {100 * explained[1]:.0f} % of "
            f"the paths' variance; on it {a}'s path is {la / lb:.1f} times as long as {b}'s.")
