r"""Worked example of the chapter *Training on MNIST*: the course notes' error table, rerun.

The notes report the test error of three ReLU networks (hidden layers of 200 units,
softmax and cross-entropy) trained on 5,000 MNIST images and scored on the first
1,000 test images (:data:`NOTES`). :func:`table` trains the same three models with
atlas on ``mnist_small`` (the same sizes, a different sample of training images) for
``seeds`` seeds each, and scores every run on the first 1,000 test images, as the notes
did, and on all 10,000. :func:`build` writes the result as JSON, atomically (the
catalog entry ``mnist/tables``); :func:`read` gives it back to the page.

**The settings (legitimate means only).** Each row trains with Adam and a cosine
schedule (:data:`SMALL_SETTINGS`). The hidden-layer rows add dropout. The
logistic-regression row reads *deskewed* images (LeCun et al. 1998,
:func:`atlas.data.transforms.deskew`: each image sheared upright by its moments, the
training and the test images alike, a fixed step of the model's pipeline that learns
nothing from the data) and adds each training image again moved by one pixel up, down,
left and right (:data:`AUGMENT`). That setting won among 14 candidates on a validation
split of the training images; nothing was tuned on the test images
(``benchmarks/mnist_tables.py --tune``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atlas import data, nn
from atlas.cache import write_atomic
from atlas.data.transforms import deskew, shifted

#: The notes' test errors in percent: (5,000 training / first 1,000 test images, full MNIST).
NOTES = {"784-10": (9.52, 7.55), "784-200-10": (6.78, 1.97), "784-200-200-10": (5.88, 1.85)}
TITLES = {"784-10": "logistic regression", "784-200-10": "1 hidden layer (200)",
          "784-200-200-10": "2 hidden layers (200, 200)"}
#: One-pixel shifts (rows, columns) added to the training set; (0, 0) is the image itself.
AUGMENT = {
    "none": ((0, 0),),
    "shift1": ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)),
    "shift1_diagonal": tuple((r, c) for r in (-1, 0, 1) for c in (-1, 0, 1)),
}
#: Preprocessing of the training and the test images alike, before any augmentation.
PREPROCESS = {"none": None, "deskew": deskew}
#: Each row's settings on mnist_small (Adam, ReLU, a cosine schedule).
SMALL_SETTINGS: dict[str, dict[str, Any]] = {
    "784-10": dict(lr=1e-3, epochs=30, batch_size=100, schedule="cosine", preprocess="deskew",
                   augment="shift1"),
    "784-200-10": dict(lr=1e-3, epochs=30, batch_size=50, dropout=0.3, schedule="cosine"),
    "784-200-200-10": dict(lr=1e-3, epochs=30, batch_size=50, dropout=0.3, schedule="cosine"),
}
#: The first test images, as in the notes.
FIRST = 1000


def preprocessed(dataset: data.Dataset, preprocess: str) -> data.Dataset:
    """``dataset`` with ``PREPROCESS[preprocess]`` applied to its training AND test images."""
    if preprocess == "none":
        return dataset
    transform = PREPROCESS[preprocess]
    return data.Dataset(name=f"{dataset.name}-{preprocess}", x_train=transform(dataset.x_train),
                        y_train=dataset.y_train, x_test=transform(dataset.x_test),
                        y_test=dataset.y_test, classes=dataset.classes)


def augmented(dataset: data.Dataset, augment: str) -> data.Dataset:
    """``dataset`` with its training set replaced by the shifted copies of
    ``AUGMENT[augment]`` (the test set is untouched)."""
    offsets = AUGMENT[augment]
    return data.Dataset(
        name=dataset.name,
        x_train=np.concatenate([shifted(dataset.x_train, r, c) for r, c in offsets]),
        y_train=np.tile(dataset.y_train, len(offsets)),
        x_test=dataset.x_test, y_test=dataset.y_test, classes=dataset.classes)


def error_on(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> float:
    """The test error of ``model`` on ``(x, y)``, in percent."""
    predictions = model.predict_proba(nn.as_features(x, model.params()["0.W"].dtype))
    return 100.0 * float(np.mean(predictions.argmax(axis=1) != y))


@dataclass(frozen=True)
class Row:
    """One model of the table: the notes' errors and ours, one entry per seed (percent)."""

    model: str
    title: str
    notes_first: float  # the notes: 5,000 training images, first 1,000 test images
    notes_full: float  # the notes: full MNIST
    first: list[float]  # atlas: first 1,000 test images, per seed
    all: list[float]  # atlas: all test images, per seed
    settings: dict[str, Any]

    def mean_std(self, which: str) -> tuple[float, float]:
        """Mean and standard deviation over the seeds of ``first`` or ``all``."""
        values = np.array(getattr(self, which))
        return float(values.mean()), float(values.std())


def row(dataset: data.Dataset, model: str, seeds: int, epochs: int | None = None,
        settings: dict[str, Any] | None = None) -> Row:
    """Train ``model`` with its settings (:data:`SMALL_SETTINGS`) for ``seeds`` seeds; the
    errors of every run on the first :data:`FIRST` test images and on all of them.
    ``epochs`` overrides the settings' (a shorter run, for tests)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer, got {seeds!r}")
    extra = dict(SMALL_SETTINGS[model] if settings is None else settings)
    row_set = preprocessed(dataset, extra.pop("preprocess", "none"))
    train_set = augmented(row_set, extra.pop("augment", "none"))
    if epochs is not None:
        extra["epochs"] = epochs
    extra.setdefault("optimizer", "adam")
    first, every = [], []
    for seed in range(seeds):
        config = nn.TrainConfig(model=model, activation="relu", seed=seed,
                                eval_every=extra["epochs"], **extra)
        result = nn.train(config, train_set, progress=False)
        if result.status != "ok":
            raise RuntimeError(f"{model} seed {seed}: {result.message}")
        every.append(100.0 * float(result.final["test_error"]))
        first.append(error_on(result.model, row_set.x_test[:FIRST], row_set.y_test[:FIRST]))
    return Row(model=model, title=TITLES[model], notes_first=NOTES[model][0],
               notes_full=NOTES[model][1], first=first, all=every,
               settings=dict(SMALL_SETTINGS[model] if settings is None else settings))


def table(dataset: data.Dataset, seeds: int, epochs: int | None = None) -> list[Row]:
    """Every row of :data:`SMALL_SETTINGS`, ``seeds`` seeds each."""
    return [row(dataset, model, seeds, epochs) for model in SMALL_SETTINGS]


def build(out: str | os.PathLike, dataset: data.Dataset, seeds: int,
          epochs: int | None = None) -> Path:
    """Compute :func:`table` and write it to ``out`` (JSON, written to a temporary name and
    renamed): the seeds, the test images counted, and every row."""
    rows = table(dataset, seeds, epochs)
    record = {"dataset": dataset.name, "train_images": len(dataset.x_train),
              "test_images": len(dataset.x_test), "first": FIRST, "seeds": seeds,
              "rows": [asdict(r) for r in rows]}
    return write_atomic(Path(out), (json.dumps(record, indent=1) + "\n").encode())


@dataclass(frozen=True)
class Table:
    """The table as :func:`build` wrote it."""

    dataset: str
    train_images: int
    test_images: int
    first: int
    seeds: int
    rows: list[Row]


def read(path: str | os.PathLike) -> Table:
    """The table :func:`build` wrote to ``path``."""
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    return Table(**{**record, "rows": [Row(**r) for r in record["rows"]]})
