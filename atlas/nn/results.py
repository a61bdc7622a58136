"""Save a training run to files, and read it back, so figures never need to retrain.

A run directory holds

* ``results.json`` — configuration, per-epoch curves, final metrics, status,
  and the versions of atlas, numpy and Python that produced it;
* ``weights.npz`` — every parameter array by key (``"0.W"``, ``"0.b"``, ...),
  absent when the run diverged;
* ``trajectory.npz`` — optional snapshots of the flattened parameters
  (``steps`` and ``params``, one row per snapshot) for loss-landscape figures.

The files of a run are written as one unit (:mod:`atlas.nn.rundir`): into a
temporary sibling directory that is renamed into place, so a reader sees the
old run or the new one, never a mix of two runs or half a file. An earlier
run is replaced only with ``force``, and a directory holding files atlas did
not write is never touched. :class:`RunWriter` checks the directory *before*
training, so a run is never lost to an unusable output directory after it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atlas.cache import TEMP_NAME
from atlas.nn.model import Sequential, mlp
from atlas.nn.rundir import StagedDirectory
from atlas.nn.train import TrainConfig, TrainResult
from atlas.npz import npz_bytes

FORMAT = "atlas.nn.run/1"
RESULTS, WEIGHTS, TRAJECTORY = "results.json", "weights.npz", "trajectory.npz"


def versions() -> dict[str, str]:
    """Versions of the software that produced a result."""
    from atlas.version import __version__

    return {
        "atlas": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _write_files(result: TrainResult, out: Path) -> None:
    """The run's files, written into the (fresh, empty) directory ``out``."""
    files: dict[str, str | None] = {"weights": None, "trajectory": None}
    if result.status == "ok":
        (out / WEIGHTS).write_bytes(npz_bytes(result.model.params()))
        files["weights"] = WEIGHTS
    if result.trajectory is not None:
        arrays = {"steps": result.trajectory_steps, "params": result.trajectory}
        (out / TRAJECTORY).write_bytes(npz_bytes(arrays))
        files["trajectory"] = TRAJECTORY
    info = {
        "format": FORMAT,
        "dataset": result.dataset,
        "status": result.status,
        "message": result.message,
        "config": result.config.to_dict(),
        "n_params": result.model.n_params(),
        "seconds": result.seconds,
        "history": result.history,
        "final": result.final,
        "files": files,
        "versions": versions(),
    }
    # allow_nan=False: a NaN or infinity in the curves is a bug, never written silently
    text = json.dumps(info, indent=2, allow_nan=False) + "\n"
    (out / RESULTS).write_text(text)


# what a run directory may hold: its files, and write_atomic's temporary names for them
_FILES = re.compile(r"(results|weights|trajectory)\.(json|npz)")


def _owned(name: str) -> bool:
    temp = TEMP_NAME.fullmatch(name)  # e.g. .results.json.atlas-tmp-<pid>-<hex>.json
    return bool(_FILES.fullmatch(temp["name"] if temp else name))


def not_a_run(directory: Path) -> str | None:
    """``None`` if ``directory`` holds an atlas run and nothing else, else what it holds."""
    entries = sorted(directory.iterdir())
    foreign = [p.name for p in entries
               if p.is_symlink() or not (p.is_file() and _owned(p.name))]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        return f"holds files atlas did not write ({shown})"
    try:
        info = json.loads((directory / RESULTS).read_text())
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        return f"holds no {RESULTS} of an atlas training run"
    return None


class RunWriter(StagedDirectory):
    """Write one run into ``out_dir``, checked on entry (before training), as one unit::

        with RunWriter(out, force=False) as writer:  # raises OSError if out is unusable
            result = train(config, data)
            writer.save(result)

    Leaving the block without :meth:`save` (an error, Ctrl-C) leaves nothing behind.
    """

    def __init__(self, out_dir: str | os.PathLike, *, force: bool = False) -> None:
        super().__init__(out_dir, force=force, owned=not_a_run, last=RESULTS)

    def save(self, result: TrainResult) -> Path:
        """Write ``result``'s files and move them into place; returns the JSON's path."""
        _write_files(result, self.temp)
        return self.commit() / RESULTS


def save_run(result: TrainResult, out_dir: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``result`` into ``out_dir`` as one unit; returns the JSON's path.

    ``out_dir`` may be absent or empty; an earlier run in it is replaced only
    if ``force``. Raises an ``OSError`` naming the problem otherwise.
    """
    with RunWriter(out_dir, force=force) as writer:
        return writer.save(result)


def run_name(config: TrainConfig, dataset: str, limit: int | None = None) -> str:
    """A directory name for a run: readable settings and a hash of every setting.

    ``dataset`` identifies the data (a registered name, or a directory's path)
    and ``limit`` how many training images were used. Two runs whose results
    may differ get different names; the same settings get the same name.
    """
    key = json.dumps({"config": config.to_dict(), "dataset": dataset, "limit": limit},
                     sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    readable = Path(dataset).name or "data"
    return (f"{readable}_{config.model}_{config.activation}_{config.optimizer}_"
            f"lr{config.lr:g}_seed{config.seed}_{digest}")


@dataclass(frozen=True)
class SavedRun:
    """A run read back from its directory."""

    info: dict[str, Any]  # the contents of results.json
    weights: dict[str, np.ndarray] | None
    trajectory_steps: np.ndarray | None
    trajectory: np.ndarray | None

    @property
    def config(self) -> TrainConfig:
        return TrainConfig(**self.info["config"])

    def model(self) -> Sequential:
        """The trained network, rebuilt from the configuration and the saved weights."""
        if self.weights is None:
            raise ValueError(f"run has no weights (status {self.info['status']!r})")
        c = self.config
        net = mlp(c.model, c.activation, rng=np.random.default_rng(0), dropout=c.dropout,
                  init=c.init, dtype=c.dtype)
        net.set_params(self.weights)
        return net


def load_run(out_dir: str | os.PathLike) -> SavedRun:
    """Read a run written by :func:`save_run`."""
    out = Path(out_dir)
    path = out / RESULTS
    if not path.is_file():
        raise FileNotFoundError(f"no {RESULTS} in {out} (not a finished training run)")
    info = json.loads(path.read_text())
    if info.get("format") != FORMAT:
        raise ValueError(f"{path} is not an atlas training run (format {info.get('format')!r})")
    weights = steps = trajectory = None
    if info["files"]["weights"]:
        with np.load(out / info["files"]["weights"]) as z:
            weights = {k: z[k] for k in z.files}
    if info["files"]["trajectory"]:
        with np.load(out / info["files"]["trajectory"]) as z:
            steps, trajectory = z["steps"], z["params"]
    return SavedRun(info=info, weights=weights, trajectory_steps=steps, trajectory=trajectory)


def write_history(run: SavedRun, csv_path: str | os.PathLike,
                  md_path: str | os.PathLike) -> None:  # fmt: skip
    """The run's per-epoch curves as CSV and as a Markdown table headed by its configuration
    (each file written atomically)."""
    import csv

    from atlas.cache import write_atomic

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
