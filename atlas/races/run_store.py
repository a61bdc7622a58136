"""A surface's race runs on disk: every optimizer's chosen run, computed once, read by figures.

Every race figure of a surface (its summary, its gap plot, each group's 3D, contour
and gap figures) draws the same runs: each optimizer from the surface's start at
its chosen rate for the surface's step budget (:func:`atlas.races.race.run_race`).
On the sinc well (1024 steps) the 26 runs cost seconds, so the catalog computes
them once (the artifact ``race_runs/<surface>``, :mod:`atlas.catalog.race_runs`)
and every figure rebuilds its :class:`~atlas.races.race.Race` from the file
(:func:`select`) instead of running them again.

The file is one ``.npz``: each run's ``xy`` and ``z`` as the arrays the trajectory
gave (float64, every bit), and the rest (optimizer, title, rate, where it diverged
or left the plot, its steps to target, whether its rate was a fallback) as JSON,
whose floats keep every digit. A race read back equals the race computed
(``tests/test_run_store.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from atlas.cache import write_atomic
from atlas.npz import npz_bytes, read_npz
from atlas.protocol import as_surface
from atlas.races.race import Race, Run

#: The fields of a :class:`Run` kept as JSON (its arrays are stored as arrays).
_FIELDS = ("optimizer", "title", "lr", "diverged_at", "left_at", "steps_to_target", "fallback")


def write_runs(race: Race, path: str | os.PathLike) -> Path:
    """Write every run of ``race`` to ``path`` as one ``.npz`` file, atomically."""
    arrays: dict[str, np.ndarray] = {}
    for i, run in enumerate(race.runs):
        arrays[f"xy_{i}"], arrays[f"z_{i}"] = run.xy, run.z
    meta = {"surface": race.surface.name, "steps": race.steps,
            "runs": [{field: getattr(run, field) for field in _FIELDS} for run in race.runs]}
    return write_atomic(path, npz_bytes(arrays, meta))


def read_runs(path: str | os.PathLike) -> Race:
    """The race :func:`write_runs` wrote; a ``ValueError`` naming a file that is not one."""
    try:
        data, meta = read_npz(path)
        runs = tuple(Run(**{field: m[field] for field in _FIELDS}, xy=data[f"xy_{i}"],
                         z=data[f"z_{i}"]) for i, m in enumerate(meta["runs"]))  # fmt: skip
        return Race(as_surface(meta["surface"]), int(meta["steps"]), runs)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} does not hold a surface's race runs ({error})") from None


def select(race: Race, optimizer_names: Iterable[str]) -> Race:
    """The race of ``optimizer_names`` only, in that order (a ``ValueError`` if one is missing)."""
    by_name = {run.optimizer: run for run in race.runs}
    names = list(optimizer_names)
    missing = [name for name in names if name not in by_name]
    if missing:
        raise ValueError(f"the race runs on {race.surface.name} hold no run of "
                         f"{', '.join(missing)}")  # fmt: skip
    return Race(race.surface, race.steps, tuple(by_name[name] for name in names))
