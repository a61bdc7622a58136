"""The MNIST figures of the catalog, all drawn from saved training runs.

Training happens in **run entries** ``mnist/runs/<run>``: table-like entries
that train one configuration of :data:`registry` on ``mnist_small`` and save
it (``results.json``, ``weights.npz``, ``trajectory.npz``) into the
directory ``mnist/runs/<run>/`` of the output directory, plus its per-epoch
curves as ``mnist/runs/<run>.csv`` and ``.md``. ``atlas render`` has no notion
of dependencies and may draw figures in parallel processes, so every figure
calls :func:`ensure_run` itself: it trains only if the run's files are missing
or stale, under a file lock (two processes never train the same run), and a
run is fresh when the ``content_hash`` stamped into its ``results.json``
matches the hash of its configuration, its data's SHA-256s, the source of the
training code and the numpy version. Training is deterministic (fixed seeds).

The figures (one line each in :func:`figures`) read the runs:
``mnist/curves``, ``mnist/confusion``, ``mnist/class_report`` and
``mnist/extremes`` from ``main``; ``mnist/optimizers`` from the five optimizer
runs; ``mnist/landscape/3d`` slices the loss through ``main``'s weights along
two filter-normalised random directions; ``mnist/landscape/contour`` shows the
``sgd`` and ``adam`` paths (same initialisation, same batches) on the plane of
their first two principal components.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atlas.cache import source_digest, write_atomic
from atlas.catalog import Figure
from atlas.nn import SavedRun, TrainConfig, load_run, save_run, train
from atlas.nn.results import RESULTS
from atlas.registry import Registry

DATASET = "mnist_small"
#: The atlas modules whose source determines a trained run.
TRAINING_MODULES = ("atlas.nn.train", "atlas.nn.model", "atlas.nn.layers", "atlas.nn.schedules",
                    "atlas.nn.metrics", "atlas.nn.results", "atlas.optimizers",
                    "atlas.activations", "atlas.losses")  # fmt: skip


@dataclass(frozen=True)
class RunSpec:
    """A named training run of the book: its configuration and what it is for."""

    name: str
    description: str
    config: TrainConfig


registry: Registry[RunSpec] = Registry("mnist run")
get = registry.get


def names() -> list[str]:
    """The names of the book's MNIST runs, in registration order."""
    return registry.names()


def _register(name: str, description: str, **config: Any) -> None:
    registry.register(name, RunSpec(name, description, TrainConfig(**config)))


# 784-200-200-10 ReLU, batch 100, seed 0 throughout: the same initial weights and batches.
_register("main", "784-200-200-10 ReLU MLP, Adam lr 1e-3, 10 epochs: the book's MNIST model",
          optimizer="adam", lr=1e-3, epochs=10)
# One run per optimizer, 5 epochs each. Learning rates: the usual defaults for the adaptive
# methods (RMSprop, Adam 1e-3; Adagrad 1e-2), 0.1 for plain SGD, and 0.01 for heavy-ball
# momentum 0.9, whose steady-state step lr / (1 - 0.9) equals SGD's.
for _name, _lr in (("sgd", 0.1), ("momentum", 0.01), ("adagrad", 0.01), ("rmsprop", 1e-3),
                   ("adam", 1e-3)):  # fmt: skip
    _register(_name, f"{_name} lr={_lr:g}, 5 epochs (optimizer comparison)", optimizer=_name,
              lr=_lr, epochs=5, snapshot_every=10 if _name in ("sgd", "adam") else 0)
OPTIMIZER_RUNS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
PATH_RUNS = ("sgd", "adam")


# ------------------------------------------------------------------------------- saved runs


def saved_run(out: str | os.PathLike, name: str) -> SavedRun:
    """The book's run ``name`` as ``atlas render`` saved it into the output directory ``out``."""
    get(name)  # an unknown run: UnknownNameError naming the valid ones
    return load_run(Path(out) / "mnist" / "runs" / name)


def run_hash(config: TrainConfig, data_id: str) -> str:
    """The content hash of a run: configuration, data, training source and numpy version."""
    record = {"config": config.to_dict(), "data": data_id, "numpy": np.__version__,
              "source": {m: source_digest(m) for m in TRAINING_MODULES}}  # fmt: skip
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def is_fresh(run_dir: Path, key: str) -> bool:
    """Whether ``run_dir`` holds a complete run stamped with the content hash ``key``."""
    try:
        info = json.loads((run_dir / RESULTS).read_text())
    except (OSError, ValueError):
        return False
    files = [f for f in info.get("files", {}).values() if f]
    return info.get("content_hash") == key and all((run_dir / f).is_file() for f in files)


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on ``lock_path`` (POSIX ``flock``; no lock where it is missing)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_run(
    run_dir: str | os.PathLike, config: TrainConfig, load_data: Callable[[], Any], data_id: str
) -> SavedRun:
    """The saved run in ``run_dir``, trained (with ``load_data()``) only if missing or stale.

    ``data_id`` identifies the data (e.g. its files' SHA-256s). Files are
    written atomically by :func:`atlas.nn.save_run`; the content hash is
    stamped into ``results.json`` last, so an interrupted run counts as stale.
    """
    run_dir = Path(run_dir)
    key = run_hash(config, data_id)
    with _locked(run_dir.with_name(f".{run_dir.name}.lock")):
        if not is_fresh(run_dir, key):
            result = train(config, load_data(), progress=False)
            if result.status != "ok":
                raise RuntimeError(f"run {run_dir.name}: {result.message}")
            save_run(result, run_dir, force=True)  # replaces a stale run as a whole
            info = json.loads((run_dir / RESULTS).read_text())
            info["content_hash"] = key
            write_atomic(run_dir / RESULTS, (json.dumps(info, indent=2) + "\n").encode())
    return load_run(run_dir)


def write_run_table(run: SavedRun, csv_path: Path, md_path: Path) -> None:
    """The run's per-epoch curves as CSV and as a Markdown table headed by its configuration."""
    history = run.info["history"]
    keys = ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy")
    rows = list(zip(*(history[k] for k in keys), strict=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    writer.writerows([[r[0], *(f"{v:.6f}" for v in r[1:])] for r in rows])
    write_atomic(csv_path, buffer.getvalue().encode())
    c = run.config
    lines = [f"MLP {c.model}, {c.activation}, {c.optimizer} lr={c.lr:g}, batch {c.batch_size}, "
             f"seed {c.seed} on {run.info['dataset']}: {run.info['message']}.", "",
             "| " + " | ".join(keys) + " |", "|" + "---:|" * len(keys)]  # fmt: skip
    lines += ["| " + " | ".join([str(r[0]), *(f"{v:.4f}" for v in r[1:])]) + " |" for r in rows]
    write_atomic(md_path, ("\n".join(lines) + "\n").encode())


# ------------------------------------------------------------------------------ draw functions
# ``path`` is the output directory joined with the figure's name; ``runs`` is the runs
# directory relative to ``path.parent`` (JSON, so it can be a catalog parameter).


def _dataset() -> Any:
    from atlas import data

    return data.load(DATASET, download=False)


def _run(path: Path, runs: str, name: str, epochs: int | None = None) -> SavedRun:
    from atlas import data

    config = get(name).config
    if epochs is not None:  # the catalog's quick settings
        config = TrainConfig(**{**config.to_dict(), "epochs": epochs, "model": "784-32-10"})
    data_id = ",".join(f.sha256 for f in data.get(DATASET).files)
    return ensure_run(path.parent / runs / name, config, _dataset, data_id)


def _subset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` training images picked with ``seed`` (as float features) and their labels."""
    from atlas.nn import as_features

    dataset = _dataset()
    index = np.sort(np.random.default_rng(seed).choice(len(dataset.x_train), n, replace=False))
    return as_features(dataset.x_train[index], np.float32), dataset.y_train[index].astype(np.int64)


def run(path: Path, formats: tuple[str, ...], run: str, runs: str, epochs: int | None) -> None:
    """``mnist/runs/<run>``: train (if stale) and save the run; its curves as CSV + Markdown."""
    saved = _run(path, runs, run, epochs)
    write_run_table(saved, path.with_name(path.name + ".csv"), path.with_name(path.name + ".md"))


def panel(path: Path, formats: tuple[str, ...], panel: str, run: str, runs: str,
          epochs: int | None, dpi: int) -> None:
    """``mnist/curves``, ``confusion``, ``class_report``, ``extremes``: one run's figures."""
    from atlas.viz import mnist_plots

    saved = _run(path, runs, run, epochs)
    classes = _dataset().classes
    if panel == "curves":
        mnist_plots.draw_curves(path, saved, dpi=dpi)
    elif panel == "confusion":
        mnist_plots.draw_confusion(path, saved, classes, dpi=dpi)
    elif panel == "class_report":
        mnist_plots.draw_class_report(path, saved, classes, dpi=dpi)
    elif panel == "extremes":
        dataset = _dataset()
        mnist_plots.draw_extremes(path, saved, dataset.x_test, dataset.y_test, classes, dpi=dpi)
    else:
        raise ValueError(f"unknown MNIST panel {panel!r}")


def optimizers(path: Path, formats: tuple[str, ...], runs: str, epochs: int | None,
               dpi: int) -> None:
    """``mnist/optimizers``: test accuracy and loss per epoch of every optimizer run."""
    from atlas.viz import mnist_plots

    saved = {name: _run(path, runs, name, epochs) for name in OPTIMIZER_RUNS}
    mnist_plots.draw_optimizers(path, saved, dpi=dpi)


def landscape(path: Path, formats: tuple[str, ...], view: str, runs: str, epochs: int | None,
              grid: int, subset: int, seed: int, dpi: int) -> None:
    """``mnist/landscape/3d`` (random plane) and ``mnist/landscape/contour`` (PCA plane)."""
    from atlas.viz import landscape_plots

    x, y = _subset(subset, seed)
    if view == "3d":
        saved = _run(path, runs, "main", epochs)
        landscape_plots.draw_landscape_3d(path, saved, x, y, n=grid, seed=seed, dpi=dpi)
    else:
        saved = {name: _run(path, runs, name, epochs) for name in PATH_RUNS}
        landscape_plots.draw_landscape_paths(path, saved, x, y, n=grid, dpi=dpi)


def figures(quick: bool = False) -> list[Figure]:
    """Every MNIST entry: the runs first (so a serial render trains them up front), then figures.

    ``quick`` trains a 784-32-10 network for one epoch and draws tiny figures (for tests).
    """
    modules = ("atlas.viz.style", "atlas.viz.png", "atlas.viz.animation", "atlas.viz.surface_plots",
               "atlas.viz.mnist_plots", "atlas.viz.landscape_plots", "atlas.catalog.mnist",
               "atlas.nn", "atlas.optimizers", "atlas.activations", "atlas.losses",
               "atlas.data")  # fmt: skip
    scale = {"epochs": 1} if quick else {"epochs": None}
    dpi = 40 if quick else 100
    land = {"grid": 5, "subset": 100} if quick else {"grid": 25, "subset": 1000}
    entries = [
        Figure(f"mnist/runs/{name}", f"Training run: {spec.description}", run, "table",
               {"run": name, "runs": ".", **scale}, modules)
        for name, spec in registry.items()
    ]
    described = {
        "curves": "MNIST: training and test loss and accuracy per epoch",
        "confusion": "MNIST: test confusion matrix (counts, coloured by row fraction)",
        "class_report": "MNIST: per-class precision, recall and F1 with macro averages",
        "extremes": "MNIST: easiest and hardest test images with their probabilities",
    }
    for name, description in described.items():
        entries.append(Figure(f"mnist/{name}", description, panel, "image",
                              {"panel": name, "run": "main", "runs": "runs", "dpi": dpi, **scale},
                              modules))  # fmt: skip
    entries += [
        Figure("mnist/optimizers", "MNIST: test accuracy and loss per epoch of SGD, Momentum, "
               "Adagrad, RMSprop and Adam", optimizers, "image",
               {"runs": "runs", "dpi": dpi, **scale}, modules),
        Figure("mnist/landscape/3d", "MNIST loss on a plane through the trained weights along "
               "two filter-normalised random directions", landscape, "image",
               {"view": "3d", "runs": "../runs", "seed": 0, "dpi": dpi, **land, **scale}, modules),
        Figure("mnist/landscape/contour", "MNIST: SGD and Adam paths on the plane of their first "
               "two principal components, over the loss there", landscape, "image",
               {"view": "contour", "runs": "../runs", "seed": 0, "dpi": dpi, **land, **scale},
               modules),
    ]
    return entries
