"""The race protocol's learning rates: every optimizer's sweep of the grid, read and written.

The protocol itself (what a race scores, how a rate is chosen) is
:mod:`atlas.protocol`; this module is how the rest of the atlas reads it.
:func:`best_learning_rate` gives one optimizer's sweep of the grid on one
surface (a :class:`~atlas.protocol.LearningRateChoice`: every grid rate's
outcome and the choice), :func:`surface_choices` every registered optimizer's
on one surface, :func:`learning_rate_table` all of them.

A sweep costs 21 runs of a few hundred steps, and every race, table and
optimizer figure reads it; so ``atlas render`` computes each surface's sweeps
once, as the catalog artifact ``learning_rates/<surface>``
(:func:`write_sweeps`: one JSON file), and hands that file to every figure
that needs it (:func:`read_sweeps`). Floats are stored with every digit (JSON
writes ``repr``), so a sweep read back equals a computed one. Whether the file
is up to date is the renderer's business (its content key covers the source of
this module and of everything it imports).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

from atlas import optimizers, surfaces
from atlas.cache import write_atomic
from atlas.protocol import (
    COURSE_STEPS,
    DEFAULT_STEPS,
    GRID,
    PROTOCOL,
    LearningRateChoice,
    RunOutcome,
    as_surface,
    step_budget,
    sweep,
)
from atlas.surfaces import Surface

__all__ = [
    "COURSE_STEPS", "DEFAULT_STEPS", "GRID", "PROTOCOL", "LearningRateChoice", "RunOutcome",
    "best_learning_rate", "format_lr", "learning_rate_table", "read_sweeps", "step_budget",
    "surface_choices", "write_sweeps", "write_table",
]  # fmt: skip


def best_learning_rate(
    optimizer_name: str,
    surface: Surface | str,
    grid: Sequence[float] | None = None,
    steps: int | None = None,
) -> LearningRateChoice:
    """The protocol's sweep and choice for ``optimizer_name`` on ``surface``.

    ``grid`` defaults to :data:`~atlas.protocol.GRID` and ``steps`` to
    :func:`~atlas.protocol.step_budget`; the result is kept in memory.
    """
    return sweep(optimizer_name, as_surface(surface), grid, steps)


def learning_rate_table(
    optimizer_names: Iterable[str] | None = None,
    surface_names: Iterable[str] | None = None,
) -> list[LearningRateChoice]:
    """The choice for every (surface, optimizer) pair; all registered ones by default."""
    optimizer_names = list(optimizers.names() if optimizer_names is None else optimizer_names)
    surface_names = list(surfaces.names() if surface_names is None else surface_names)
    return [best_learning_rate(o, s) for s in surface_names for o in optimizer_names]


def format_lr(lr: float) -> str:
    """A grid learning rate for people: ``0.0316``, ``1``, ``5.62``."""
    return f"{lr:.3g}"


def _csv_text(rows: Sequence[LearningRateChoice]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["surface", "optimizer", "lr", "score", "diverged", "steps"])
    for r in rows:
        writer.writerow([r.surface, r.optimizer, repr(r.lr), repr(r.score),
                         str(r.fallback).lower(), r.steps])  # fmt: skip
    return buffer.getvalue()


def _markdown_text(rows: Sequence[LearningRateChoice]) -> str:
    """One line per surface: its budget and each optimizer's chosen rate."""
    lines = ["| surface | steps | learning rates |", "|---|---:|---|"]
    for s in dict.fromkeys(r.surface for r in rows):
        mine = [r for r in rows if r.surface == s]
        rates = ", ".join(f"{r.optimizer} {format_lr(r.lr)}" + (" (fails)" * r.fallback)
                          for r in mine)  # fmt: skip
        lines.append(f"| {s} | {mine[0].steps} | {rates} |")
    return "\n".join(lines) + "\n"


def write_table(
    rows: Sequence[LearningRateChoice], csv_path: str | Path, md_path: str | Path
) -> tuple[Path, Path]:
    """The chosen rates as CSV (every digit; ``diverged`` = no rate stayed in the plot)
    and Markdown, each written atomically."""
    return (write_atomic(csv_path, _csv_text(rows).encode("utf-8")),
            write_atomic(md_path, _markdown_text(rows).encode("utf-8")))  # fmt: skip


# ------------------------------------------------------------- a surface's sweeps as a file


def choice_from_json(row: dict) -> LearningRateChoice:
    """A :class:`LearningRateChoice` from its JSON form (``dataclasses.asdict``)."""
    outcomes = tuple(RunOutcome(**o) for o in row["outcomes"])
    return LearningRateChoice(**{**row, "outcomes": outcomes})


def surface_choices(surface: Surface | str) -> dict[str, LearningRateChoice]:
    """Every registered optimizer's sweep on ``surface`` (the declared grid and budget)."""
    return {name: sweep(name, as_surface(surface)) for name in optimizers.names()}


def write_sweeps(surface: Surface | str, path: str | os.PathLike) -> Path:
    """Compute every registered optimizer's sweep on ``surface``; write them to ``path`` (JSON).

    The build step of the catalog artifact ``learning_rates/<surface>``; the
    file is written atomically.
    """
    surface = as_surface(surface)
    choices = surface_choices(surface).values()
    record = {"surface": surface.name, "choices": [asdict(c) for c in choices]}
    return write_atomic(path, (json.dumps(record, indent=1) + "\n").encode("utf-8"))


def read_sweeps(path: str | os.PathLike) -> dict[str, LearningRateChoice]:
    """The sweeps that :func:`write_sweeps` wrote to ``path``, by optimizer name.

    A file that is not such a record is a ``ValueError`` naming it.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {row["optimizer"]: choice_from_json(row) for row in data["choices"]}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} does not hold learning-rate sweeps ({error})") from None
