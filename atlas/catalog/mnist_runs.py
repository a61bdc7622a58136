"""Every network atlas trains for the book: the computing behind the MNIST figures.

Each function here is an artifact's build; nothing here draws, so a figure's look
(:mod:`atlas.viz`) is not in these artifacts' keys and changing it never retrains.

* ``mnist/runs/<run>``: every configuration of :data:`registry` trains on
  ``mnist_small`` and saves the run (``results.json``, ``weights.npz`` and, for the
  runs whose path is drawn, ``trajectory.npz``) into ``mnist/runs/<run>/``, written
  as one unit (:func:`atlas.nn.save_run`: staged, then renamed into place);
* ``mnist/study/<optimizer>``: the optimizer study (:mod:`atlas.nn.study`) of one
  optimizer (:func:`study_run`);
* ``mnist/tables``: the notes' error table rerun (:func:`mnist_tables`).

Training is deterministic (fixed seeds); the figures that read these are in
:mod:`atlas.catalog.mnist`, :mod:`atlas.catalog.study` and :mod:`atlas.catalog.pages`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas.registry import Registry

DATASET = "mnist_small"


@dataclass(frozen=True)
class RunSpec:
    """A named training run of the book: its configuration (``TrainConfig`` fields)."""

    name: str
    description: str
    config: dict[str, Any]

    def train_config(self, epochs: int | None = None) -> Any:
        """The :class:`atlas.nn.TrainConfig`; ``epochs`` gives the catalog's quick settings."""
        from atlas.nn import TrainConfig

        if epochs is None:
            return TrainConfig(**self.config)
        return TrainConfig(**{**self.config, "epochs": epochs, "model": "784-32-10"})


registry: Registry[RunSpec] = Registry("mnist run")
get = registry.get


def names() -> list[str]:
    """The names of the book's MNIST runs, in registration order."""
    return registry.names()


def _register(name: str, description: str, **config: Any) -> None:
    registry.register(name, RunSpec(name, description, config))


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


def run_name(run: str) -> str:
    """The artifact holding the book's run ``run``."""
    return f"mnist/runs/{run}"


def saved_run(out: str | os.PathLike, name: str) -> Any:
    """The book's run ``name`` (a :class:`atlas.nn.SavedRun`) as ``atlas render`` saved it
    into the output directory ``out``."""
    from atlas.nn import load_run

    get(name)  # an unknown run: UnknownNameError naming the valid ones
    return load_run(Path(out) / run_name(name))


# ----------------------------------------------------------------------------- build functions


def _dataset() -> Any:
    from atlas import data

    return data.load(DATASET, download=False)


def train_run(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], run: str,
              epochs: int | None) -> None:  # fmt: skip
    """``mnist/runs/<run>``: train the run and save its directory as one unit."""
    from atlas.nn import save_run, train

    result = train(get(run).train_config(epochs), _dataset(), progress=False)
    if result.status != "ok":
        raise RuntimeError(f"run {run}: {result.message}")
    save_run(result, path, force=True)  # replaces an earlier run (only a run) as a whole


def study_name(optimizer: str) -> str:
    """The artifact holding ``optimizer``'s study."""
    return f"mnist/study/{optimizer}"


def settings(quick: bool = False) -> dict[str, Any]:
    """The study's settings as catalog parameters (:class:`atlas.nn.study.Settings` fields);
    ``quick``: a 784-32-10 network, one epoch, two rates (for tests)."""
    if quick:
        return {"model": "784-32-10", "epochs": 1, "grid": [1e-2, 1e-1]}
    return {}  # every default of Settings: what the book states


def study_run(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], optimizer: str,
              settings: dict[str, Any]) -> None:  # fmt: skip
    """``mnist/study/<optimizer>``: the study of one optimizer on ``mnist_small``."""
    from atlas import data
    from atlas.nn import study

    chosen = study.Settings(**{k: tuple(v) if k == "grid" else v for k, v in settings.items()})
    study.build(path, optimizer, data.load(DATASET, download=False), chosen)


def mnist_tables(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                 dataset: str, seeds: int, epochs: int | None) -> None:
    """``mnist/tables``: the notes' table rerun (``mnist/tables.json``)."""
    from atlas import data
    from atlas.examples import mnist

    mnist.build(path.with_name(path.name + ".json"), data.load(dataset, download=False),
                seeds, epochs)
