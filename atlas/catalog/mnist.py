"""The MNIST chapter's figures, all drawn from saved runs, and the entries of the runs.

Every configuration of :data:`registry` is an artifact ``mnist/runs/<run>``, built by
:func:`atlas.catalog.mnist_runs.train_run` (a module that draws nothing, so no figure's
look is in a run's key). ``atlas render`` trains a run only when its key changed (its
configuration, or the source of anything training imports, data checksums included)
and before any figure that needs it. Training is deterministic (fixed seeds).

The figures (one line each in :func:`entries`) need the runs they read:
``mnist/history/<run>``, one run's per-epoch curves as a table;
``mnist/curves``, ``mnist/confusion``, ``mnist/class_report`` and
``mnist/extremes`` from ``main``; ``mnist/optimizers`` from the five optimizer
runs; ``mnist/landscape/3d`` slices the loss through ``main``'s weights along
two filter-normalised random directions; ``mnist/landscape/contour`` shows the
``sgd`` and ``adam`` paths (same initialisation, same batches) on the plane of
their first two principal components.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry, write_alt
from atlas.catalog.mnist_runs import (  # noqa: F401  (the runs are read from here too)
    DATASET,
    OPTIMIZER_RUNS,
    PATH_RUNS,
    RunSpec,
    _dataset,
    get,
    names,
    registry,
    run_name,
    saved_run,
    train_run,
)
from atlas.column import DPI

# ----------------------------------------------------------------------------- build functions


def _load(inputs: Mapping[str, Path], run: str) -> Any:
    from atlas.nn import load_run

    return load_run(inputs[run_name(run)])


def history(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
            run: str) -> None:  # fmt: skip
    """``mnist/history/<run>``: the run's per-epoch curves as CSV + Markdown."""
    from atlas.nn.results import write_history

    write_history(_load(inputs, run), path.with_name(path.name + ".csv"),
                  path.with_name(path.name + ".md"))


def panel(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], panel: str,
          run: str, dpi: int) -> None:  # fmt: skip
    """``mnist/curves``, ``confusion``, ``class_report``, ``extremes``: one run's figures."""
    from atlas.catalog.mnist_alts import OUTCOMES, panel_outcome
    from atlas.viz import mnist_plots

    saved = _load(inputs, run)
    classes = _dataset().classes
    if panel == "curves":
        mnist_plots.draw_curves(path, saved, dpi=dpi)
    elif panel == "confusion":
        mnist_plots.draw_confusion(path, saved, classes, dpi=dpi)
    elif panel == "class_report":
        mnist_plots.draw_class_report(path, saved, classes, dpi=dpi)
    elif panel == "extremes":
        dataset = _dataset()
        rows = {kind: predicted(saved, dataset, saved.info["final"]["extremes"][kind][:COLUMNS])
                for kind in ("easiest", "hardest")}  # fmt: skip
        mnist_plots.draw_extremes(path, rows, classes, columns=COLUMNS, dpi=dpi)
    else:
        raise ValueError(f"unknown MNIST panel {panel!r}")
    if panel in OUTCOMES:
        write_alt(path, panel_outcome(panel, saved.info, classes))


#: Test images shown per row of ``mnist/extremes``.
COLUMNS = 8


def predicted(run: Any, dataset: Any, index: list[int]) -> tuple[Any, Any, Any, Any]:
    """``(images, true classes, predicted classes, their probabilities)`` of the test images
    ``index``, by the run's network."""
    import numpy as np

    from atlas.nn import as_features

    index = np.asarray(index, np.int64)
    images, labels = np.asarray(dataset.x_test)[index], np.asarray(dataset.y_test)[index]
    if len(index) == 0:  # e.g. no test image is wrong
        return images, labels, labels, np.zeros(0)
    model = run.model()
    probabilities = model.predict_proba(as_features(images, model.layers[0].dtype))
    y_hat = probabilities.argmax(axis=1)
    return images, labels, y_hat, probabilities[np.arange(len(index)), y_hat]


def optimizers(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
               dpi: int) -> None:  # fmt: skip
    """``mnist/optimizers``: test accuracy and loss per epoch of every optimizer run."""
    from atlas.races.outcome_text import names as listed
    from atlas.viz import mnist_plots

    runs = {n: _load(inputs, n) for n in OPTIMIZER_RUNS}
    mnist_plots.draw_optimizers(path, runs, dpi=dpi)
    last = {n: (run.info["history"]["test_accuracy"][-1], run.info["history"]["test_loss"][-1])
            for n, run in runs.items()}  # fmt: skip
    ranked = sorted(last, key=lambda n: -last[n][0])
    lowest = min(last, key=lambda n: last[n][1])
    write_alt(path, f"After the last epoch, test accuracy from best to worst: "
                    f"{listed([f'{_title(n)} {100 * last[n][0]:.1f} %' for n in ranked])}; the "
                    f"lowest test loss: {_title(lowest)}, {last[lowest][1]:.3f}.")


def _title(optimizer: str) -> str:
    from atlas import optimizers

    return optimizers.registry.get(optimizer).title


def landscape(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], view: str,
              grid: int, subset: int, seed: int, dpi: int) -> None:  # fmt: skip
    """``mnist/landscape/3d`` (``main``'s loss on a random filter-normalised plane) and
    ``mnist/landscape/contour`` (the SGD and Adam paths on their PCA plane, over the loss)."""
    import numpy as np

    from atlas.nn import as_features
    from atlas.nn.landscape import loss_on_plane, random_plane
    from atlas.viz import landscape_plots

    dataset = _dataset()
    index = np.sort(np.random.default_rng(seed).choice(len(dataset.x_train), subset,
                                                       replace=False))  # fmt: skip
    x = as_features(dataset.x_train[index], np.float32)
    y = dataset.y_train[index].astype(np.int64)
    if view == "3d":
        model = _load(inputs, "main").model()
        plane = random_plane(model.params(), np.random.default_rng(seed))
        steps = np.linspace(-1.0, 1.0, grid)
        loss = loss_on_plane(model, plane, x, y, steps, steps)
        landscape_plots.draw_landscape_3d(path, steps, loss, len(x), dpi=dpi)
        return
    from atlas.catalog.mnist_alts import paths_outcome

    drawn = path_slice({name: _load(inputs, name) for name in PATH_RUNS}, x, y, grid)
    landscape_plots.draw_landscape_paths(path, *drawn, len(x), dpi=dpi)
    write_alt(path, paths_outcome(drawn[0], drawn[1]))


def path_slice(runs: Mapping[str, Any], x: Any, y: Any, grid: int) -> tuple[Any, ...]:
    """``(paths, explained, alphas, betas, loss)``: the runs' snapshots on the plane of their
    first two principal components, as ``(xy, optimizer, label)`` each, and the loss of the
    first run's network on a ``grid`` x ``grid`` slice of that plane around them."""
    import numpy as np

    from atlas.nn.landscape import loss_on_plane, path_pca

    if any(run.trajectory is None for run in runs.values()):
        raise ValueError("every run needs snapshots (TrainConfig.snapshot_every > 0)")
    pca = path_pca([run.trajectory for run in runs.values()])
    projected = {name: pca.project(run.trajectory) for name, run in runs.items()}
    points = np.concatenate(list(projected.values()))
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.25 * (high - low).max()  # a margin of a quarter of the paths' extent
    alphas = np.linspace(low[0] - pad, high[0] + pad, grid)
    betas = np.linspace(low[1] - pad, high[1] + pad, grid)
    loss = loss_on_plane(next(iter(runs.values())).model(), pca.plane, x, y, alphas, betas)
    paths = [(projected[name], run.config.optimizer, f"{name} (lr={run.config.lr:g})")
             for name, run in runs.items()]
    return paths, pca.explained, alphas, betas, loss


def entries(quick: bool = False) -> list[Entry]:
    """Every MNIST entry: the runs (artifacts), their tables, then the figures.

    ``quick`` trains a 784-32-10 network for one epoch and draws tiny figures (for tests).
    """
    epochs = 1 if quick else None
    dpi = 40 if quick else DPI
    land = {"grid": 5, "subset": 100} if quick else {"grid": 25, "subset": 1000}
    found = []
    for name, spec in registry.items():
        files = ("results.json", "weights.npz",
                 *(("trajectory.npz",) if spec.config.get("snapshot_every") else ()))
        found.append(Entry(run_name(name), f"Training run: {spec.description}", train_run,
                           "bundle", {"run": name, "epochs": epochs}, (), files))
    for name in registry.names():
        found.append(Entry(f"mnist/history/{name}", f"Per-epoch curves of the run {name}",
                           history, "table", {"run": name}, (run_name(name),)))
    from atlas.catalog.mnist_alts import ALT, OUTCOMES

    described = {
        "curves": "MNIST: training and test loss and accuracy per epoch",
        "confusion": "MNIST: test confusion matrix (counts, coloured by row fraction)",
        "class_report": "MNIST: per-class precision, recall and F1 with macro averages",
        "extremes": "MNIST: easiest and hardest test images with their probabilities",
    }
    for name, description in described.items():
        found.append(Entry(f"mnist/{name}", description, panel, "image",
                           {"panel": name, "run": "main", "dpi": dpi}, (run_name("main"),),
                           alt=ALT[name], alt_from_data=name in OUTCOMES))
    found += [
        Entry("mnist/optimizers", "MNIST: test accuracy and loss per epoch of SGD, Momentum, "
              "Adagrad, RMSprop and Adam", optimizers, "image", {"dpi": dpi},
              tuple(map(run_name, OPTIMIZER_RUNS)), alt_from_data=True,
              alt="Test accuracy (left) and test loss (right) per epoch of one MNIST run per "
                  "optimizer, SGD, Momentum, Adagrad, RMSprop and Adam, on the same budget."),
        Entry("mnist/landscape/3d", "MNIST loss on a plane through the trained weights along "
              "two filter-normalised random directions", landscape, "image",
              {"view": "3d", "seed": 0, "dpi": dpi, **land}, (run_name("main"),),
              alt=ALT["landscape/3d"]),
        Entry("mnist/landscape/contour", "MNIST: SGD and Adam paths on the plane of their first "
              "two principal components, over the loss there", landscape, "image",
              {"view": "contour", "seed": 0, "dpi": dpi, **land},
              tuple(map(run_name, PATH_RUNS)),
              alt=ALT["landscape/contour"], alt_from_data=True),
    ]
    return found
