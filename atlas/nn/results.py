"""Save a training run to files, and read it back, so figures never need to retrain.

A run directory holds

* ``results.json`` — configuration, per-epoch curves, final metrics, status,
  and the versions of atlas, numpy and Python that produced it;
* ``weights.npz`` — every parameter array by key (``"0.W"``, ``"0.b"``, ...),
  absent when the run diverged;
* ``trajectory.npz`` — optional snapshots of the flattened parameters
  (``steps`` and ``params``, one row per snapshot) for loss-landscape figures.

Each file is written to a temporary name in the same directory and moved into
place with :func:`os.replace`, which is atomic: a reader sees the old file or
the new one, never half a file. ``results.json`` is written last, so its
presence means the run's files are complete.
"""

from __future__ import annotations

import io
import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atlas.cache import write_atomic
from atlas.nn.model import Sequential, mlp
from atlas.nn.train import TrainConfig, TrainResult

FORMAT = "atlas.nn.run/1"
RESULTS, WEIGHTS, TRAJECTORY = "results.json", "weights.npz", "trajectory.npz"


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def versions() -> dict[str, str]:
    """Versions of the software that produced a result."""
    import atlas

    return {
        "atlas": getattr(atlas, "__version__", "unknown"),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def save_run(result: TrainResult, out_dir: str | os.PathLike) -> Path:
    """Write ``result`` into ``out_dir`` (created if needed); returns the JSON's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | None] = {"weights": None, "trajectory": None}
    if result.status == "ok":
        write_atomic(out / WEIGHTS, _npz_bytes(result.model.params()))
        files["weights"] = WEIGHTS
    if result.trajectory is not None:
        arrays = {"steps": result.trajectory_steps, "params": result.trajectory}
        write_atomic(out / TRAJECTORY, _npz_bytes(arrays))
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
    write_atomic(out / RESULTS, text.encode())
    return out / RESULTS


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
