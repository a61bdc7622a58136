r"""Which optimizer for an MLP: every optimizer on MNIST, at a learning rate chosen on validation.

The study behind the book's answer, one optimizer at a time (:func:`study`):

1. **Split.** The training images of the data set are split into a training
   split (all but the last :attr:`Settings.validation`) and a validation split
   (the last ones); the test images are used only at the end.
2. **Choose the learning rate.** For every rate of the declared grid
   (:data:`GRID`: :math:`10^{-4}, 10^{-3}, \ldots, 1`), the network is trained
   on the training split (:func:`atlas.nn.train`, same seed, so the same
   initial weights and batches for every optimizer and rate) and scored by its
   error on the validation split. The rate with the lowest validation error
   wins; ties go to the smaller rate; a run that diverged never wins. Every other
   hyperparameter is the optimizer's PyTorch default, except those
   :attr:`Settings.options` names (stated with the results).
3. **Test.** The winning run *is* the training run on the training split (training
   is deterministic, so training again would give the same weights): its
   parameter snapshots, every :attr:`Settings.eval_every` steps at the point
   where the optimizer's users evaluate (schedule-free's averaged :math:`x`,
   :mod:`atlas.nn.optimizing`), are scored on the test images.

Wall time per epoch is measured too, but it depends on the machine and its
load, so it is kept apart (:class:`Timing`, its own file): the results
(:class:`Result`) are the same bytes on every run with the same BLAS thread
count, the timing is not. (``atlas render``'s workers use one BLAS thread each;
more threads sum the matrix products in another order, which moves the last
digits, and a chaotic run such as L-BFGS's on minibatches further.)
:func:`build` writes both atomically, one optimizer per call, so a render
can train the optimizers in parallel.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from atlas import optimizers
from atlas.cache import write_atomic
from atlas.nn.landscape import unflatten
from atlas.nn.model import mlp
from atlas.nn.train import TrainConfig, as_features, train

#: The declared learning-rate grid: one rate per decade, from 1e-4 to 1.
GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
RESULTS, TIMING = "results.json", "timing.json"


@dataclass(frozen=True)
class Settings:
    """Every setting of the study (the same for every optimizer)."""

    model: str = "784-200-200-10"
    activation: str = "relu"
    batch_size: int = 100
    seed: int = 0
    epochs: int = 2
    grid: tuple[float, ...] = GRID
    validation: int = 1000  # the last this many training images
    eval_every: int = 10  # steps between test evaluations
    # hyperparameters other than the default, per optimizer: L-BFGS keeps 10 pairs, not
    # PyTorch's 100, which would cost 30 s per epoch here (its two-loop over 100 matrices)
    options: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: {"lbfgs": {"history_size": 10}})

    def __post_init__(self) -> None:
        if not self.grid or any(not (0 < lr < np.inf) for lr in self.grid):
            raise ValueError(f"the grid needs positive finite rates, got {self.grid!r}")
        for name in ("epochs", "validation", "eval_every", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")

    def config(self, optimizer: str, lr: float) -> TrainConfig:
        """The training configuration of one run: evaluated every epoch (on validation),
        parameters kept every ``eval_every`` steps."""
        return TrainConfig(model=self.model, activation=self.activation, optimizer=optimizer,
                           lr=lr, epochs=self.epochs, batch_size=self.batch_size,
                           seed=self.seed, snapshot_every=self.eval_every)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "grid": list(self.grid),
                "options": {k: dict(v) for k, v in self.options.items()}}


@dataclass(frozen=True)
class Split:
    """Images and labels handed to :func:`atlas.nn.train` (``x_test``: what it scores)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    name: str


def split(dataset: Any, validation: int) -> tuple[Split, Split]:
    """``(search, final)``: train on all but the last ``validation`` training images, and
    score on those (search) or on the test images (final)."""
    n = len(dataset.x_train) - validation
    if n < 1:
        raise ValueError(f"{len(dataset.x_train)} training images leave none for training "
                         f"after a validation split of {validation}")  # fmt: skip
    x, y, classes = dataset.x_train, dataset.y_train, tuple(dataset.classes)
    name = str(getattr(dataset, "name", "custom"))
    return (Split(x[:n], y[:n], x[n:], y[n:], classes, name),
            Split(x[:n], y[:n], dataset.x_test, dataset.y_test, classes, name))


@dataclass(frozen=True)
class Trial:
    """One rate of the grid: its validation error (None if the run diverged), snapshots and
    the wall time of each epoch."""

    lr: float
    validation_error: float | None
    steps: np.ndarray
    snapshots: np.ndarray | None
    seconds: tuple[float, ...]


def trial(optimizer: str, lr: float, settings: Settings, search: Split) -> Trial:
    """Train at ``lr`` on the training split, score on the validation split."""
    options = settings.options.get(optimizer)
    result = train(settings.config(optimizer, lr), search, progress=False,
                   options=dict(options) if options else None)  # fmt: skip
    if result.status != "ok":
        return Trial(lr, None, np.zeros(0, np.int64), None, ())
    ends = np.array(result.history["seconds"])
    return Trial(lr, float(result.final["test_error"]), result.trajectory_steps,
                 result.trajectory, tuple(np.diff(ends, prepend=0.0).tolist()))  # fmt: skip


def choose(trials: Sequence[Trial]) -> int | None:
    """The index of the trial with the lowest validation error (ties: the smaller rate);
    None if every run diverged."""
    ok = [i for i, t in enumerate(trials) if t.validation_error is not None]
    if not ok:
        return None
    return min(ok, key=lambda i: (trials[i].validation_error, trials[i].lr))


def test_errors(settings: Settings, snapshots: np.ndarray, x: np.ndarray, y: np.ndarray,
                ) -> list[float]:  # fmt: skip
    """The test error of every snapshot (flat parameters, in ``model.params()`` order)."""
    model = mlp(settings.model, settings.activation, rng=np.random.default_rng(0))
    like = model.params()
    features = as_features(x, np.float32)
    errors = []
    for flat in snapshots:
        model.set_params({k: v.astype(like[k].dtype) for k, v in unflatten(flat, like).items()})
        predicted = model.predict_logits(features).argmax(axis=1)
        errors.append(float(np.mean(predicted != y)))
    return errors


@dataclass(frozen=True)
class Result:
    """One optimizer's study: the grid's validation errors, the rate chosen, the test curve.

    ``lr`` is None (and the curve empty) if every rate of the grid diverged.
    """

    optimizer: str
    settings: dict[str, Any]
    data: str
    images: dict[str, int]  # how many: "train", "validation", "test"
    grid: list[float]
    validation_error: list[float | None]
    lr: float | None
    steps: list[int]
    test_error: list[float]


@dataclass(frozen=True)
class Timing:
    """Wall time of every epoch of every trial (seconds, rate by rate), and their median."""

    optimizer: str
    seconds: list[list[float]]
    median: float | None


def study(optimizer: str, dataset: Any, settings: Settings | None = None) -> tuple[Result, Timing]:
    """The whole study of ``optimizer`` on ``dataset`` (e.g. ``atlas.data.load("mnist_small")``)."""
    settings = settings or Settings()
    optimizers.registry.get(optimizer)  # an unknown name: the registry's clear error
    search, final = split(dataset, settings.validation)
    trials = [trial(optimizer, lr, settings, search) for lr in settings.grid]
    best = choose(trials)
    steps: list[int] = []
    errors: list[float] = []
    if best is not None:
        chosen = trials[best]
        steps = chosen.steps.tolist()
        errors = test_errors(settings, chosen.snapshots, final.x_test,
                             np.asarray(final.y_test, np.int64))  # fmt: skip
    epochs = [s for t in trials for s in t.seconds]
    images = {"train": len(search.x_train), "validation": len(search.x_test),
              "test": len(final.x_test)}
    result = Result(optimizer, settings.to_dict(), search.name, images, list(settings.grid),
                    [t.validation_error for t in trials],
                    None if best is None else trials[best].lr, steps, errors)  # fmt: skip
    timing = Timing(optimizer, [list(t.seconds) for t in trials],
                    float(np.median(epochs)) if epochs else None)  # fmt: skip
    return result, timing


def rate_cost(result: Result) -> float | None:
    """How much validation error the second-best rate of the grid adds to the best's (None
    with fewer than two runs that did not diverge): what a factor of one grid step costs."""
    errors = sorted(e for e in result.validation_error if e is not None)
    return errors[1] - errors[0] if len(errors) > 1 else None


def best(results: Sequence[Result]) -> Result | None:
    """The result with the lowest final test error (ties: the first); None if none has one."""
    finished = [r for r in results if r.test_error]
    return min(finished, key=lambda r: r.test_error[-1]) if finished else None


def build(out: str | os.PathLike, optimizer: str, dataset: Any,
          settings: Settings | None = None) -> Path:  # fmt: skip
    """Study ``optimizer`` and write ``out/results.json`` (deterministic) and
    ``out/timing.json`` (wall times), each atomically; returns ``out``."""
    result, timing = study(optimizer, dataset, settings)
    out = Path(out)
    write_atomic(out / RESULTS, (json.dumps(asdict(result), indent=1) + "\n").encode())
    write_atomic(out / TIMING, (json.dumps(asdict(timing), indent=1) + "\n").encode())
    return out


def load(directory: str | os.PathLike) -> tuple[Result, Timing]:
    """An optimizer's study as :func:`build` wrote it into ``directory``."""
    directory = Path(directory)
    result = Result(**json.loads((directory / RESULTS).read_text()))
    return result, Timing(**json.loads((directory / TIMING).read_text()))
