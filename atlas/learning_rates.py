"""The learning-rate protocol: how every race in the atlas picks its learning rates.

Comparing optimizers at one shared learning rate mostly measures which one
that rate happens to suit. So every optimizer gets its own rate on every
surface, chosen by a declared, reproducible grid search:

1. **Grid.** 21 learning rates, log-spaced from 10^-4 to 10^1, four per
   decade: ``lr = 10 ** (k / 4)`` for ``k = -16, ..., 4``.
2. **Run.** From the surface's start point, for a fixed step budget
   (:func:`step_budget`), every other hyperparameter at its PyTorch default.
   The course surfaces keep the budgets of the course notes (saddle 128,
   tanh bowl 128, sinc well 1024, narrow valley 256); every other surface
   gets 256 steps.
3. **Score.** The final gap ``f(theta_T) - f*`` to the global minimum; on a
   surface without a minimum (unbounded below, e.g. the saddle) the final
   value ``f(theta_T)`` itself. Lower is better. A run that diverges (a
   non-finite position or value) scores worst (``+inf``).
4. **Choice.** The lowest score; ties go to the smaller learning rate (the
   more cautious choice). No clipping, no restarts, no tuning by hand.

Everything is deterministic (no randomness at all), so the table is the same
on every machine. :func:`learning_rate_table` gives the whole table and
:func:`write_table` writes it as CSV + Markdown.

Caching. The search costs 13 optimizers x 21 rates x a few hundred steps per
surface (seconds), and every race, optimizer figure and the table read it.
Results are kept in memory, and, inside ``with disk_cache(directory):``, on
disk: one JSON file per surface holding every registered optimizer's choice
(:func:`surface_choices` computes and writes it). A file is used only if its
*key* matches: the SHA-256 of the grid, the step budget, every optimizer's
default hyperparameters, numpy's version and the source code of the modules
that determine the numbers (:data:`SOURCES`). Floats are stored with every
digit (JSON writes ``repr``), so a cached choice equals a computed one.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import hashlib
import io
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from atlas import optimizers, surfaces
from atlas.cache import source_digest, write_atomic
from atlas.surfaces import Surface
from atlas.trajectory import trajectory

#: The declared grid: 10^-4 ... 10^1, four points per decade (21 rates).
GRID: tuple[float, ...] = tuple(float(10.0 ** (k / 4)) for k in range(-16, 5))

#: Step budgets of the course notes' surfaces; every other surface gets DEFAULT_STEPS.
COURSE_STEPS: dict[str, int] = {
    "saddle": 128,
    "tanh_squared": 128,
    "sinc_well": 1024,
    "narrow_valley": 256,
}
DEFAULT_STEPS = 256

PROTOCOL = """\
Learning-rate protocol. Each optimizer gets its own learning rate on each surface, chosen by
a grid search: 21 rates log-spaced from 1e-4 to 1e1 (four per decade, lr = 10^(k/4),
k = -16..4); each run starts at the surface's start point, runs a fixed step budget (the
course surfaces keep the notes' budgets: saddle 128, tanh bowl 128, sinc well 1024, narrow
valley 256; all others 256) with every other hyperparameter at its PyTorch default, and is
scored by its final gap f - f* to the global minimum (the final value f itself on a surface
unbounded below, such as the saddle). A diverged run scores worst. The lowest score wins;
ties go to the smaller learning rate. No clipping, no restarts, no hand tuning."""


@dataclass(frozen=True)
class LearningRateChoice:
    """The protocol's outcome for one (optimizer, surface) pair."""

    optimizer: str
    surface: str
    lr: float  # the chosen learning rate
    score: float  # final f - f* (or final f where there is no minimum); inf if diverged
    diverged: bool  # True only if every rate of the grid diverged
    steps: int  # the step budget used

    def row(self) -> dict[str, object]:
        """The choice as a table row (strings and numbers only)."""
        return {
            "surface": self.surface,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "score": self.score,
            "diverged": self.diverged,
            "steps": self.steps,
        }


def step_budget(surface: Surface | str) -> int:
    """The fixed number of steps of every run on ``surface`` (see :data:`COURSE_STEPS`)."""
    name = surface if isinstance(surface, str) else surface.name
    return COURSE_STEPS.get(name, DEFAULT_STEPS)


def score(final_value: float, f_star: float | None, diverged: bool) -> float:
    """The protocol's score of one run: final ``f - f*`` (or ``f``); ``+inf`` if diverged."""
    if diverged or not math.isfinite(final_value):
        return math.inf
    return final_value if f_star is None else final_value - f_star


def score_run(optimizer_name: str, surface: Surface, lr: float, steps: int) -> float:
    """Run ``optimizer_name`` at ``lr`` from ``surface.start`` and score the run."""
    run = trajectory(optimizers.get(optimizer_name, lr=lr), surface, surface.start, steps)
    return score(float(run.z[-1]), surface.f_min, run.diverged_at is not None)


def _check_grid(grid: Sequence[float] | None) -> tuple[float, ...]:
    grid = tuple(float(lr) for lr in (GRID if grid is None else grid))
    if not grid or any(not (math.isfinite(lr) and lr > 0) for lr in grid):
        raise ValueError(f"grid must be a non-empty list of positive learning rates, got {grid}")
    return grid


def best_learning_rate(
    optimizer_name: str,
    surface: Surface | str,
    grid: Sequence[float] | None = None,
    steps: int | None = None,
) -> LearningRateChoice:
    """The protocol's learning rate for ``optimizer_name`` on ``surface``.

    ``grid`` defaults to :data:`GRID` and ``steps`` to :func:`step_budget`.
    Inside :func:`disk_cache`, a valid cached result (same grid, budget and
    sources) is read instead of searching again.
    """
    surface = surfaces.get(surface) if isinstance(surface, str) else surface
    grid = _check_grid(grid)
    steps = int(step_budget(surface) if steps is None else steps)
    optimizers.registry.get(optimizer_name)  # unknown name -> UnknownNameError, before caching
    directory = _directory.get()
    if directory is not None:
        cached = read_cached(surface, directory, grid, steps) or {}
        if optimizer_name in cached:
            return cached[optimizer_name]
    return _best(optimizer_name, surface, grid, steps)


@cache
def _best(name: str, surface: Surface, grid: tuple[float, ...], steps: int) -> LearningRateChoice:
    scores = [score_run(name, surface, lr, steps) for lr in grid]
    # min over (score, lr): lowest score first, then the smaller rate.
    best_score, best_lr = min(zip(scores, grid, strict=True))
    return LearningRateChoice(name, surface.name, best_lr, best_score,
                              math.isinf(best_score), steps)  # fmt: skip


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
                         str(r.diverged).lower(), r.steps])  # fmt: skip
    return buffer.getvalue()


def _markdown_text(rows: Sequence[LearningRateChoice]) -> str:
    """Surfaces as rows, optimizers as columns, each cell the chosen rate."""
    optimizer_names = list(dict.fromkeys(r.optimizer for r in rows))
    surface_names = list(dict.fromkeys(r.surface for r in rows))
    cell = {(r.surface, r.optimizer): r for r in rows}
    lines = [
        "| surface | steps | " + " | ".join(optimizer_names) + " |",
        "|---|---:|" + "---:|" * len(optimizer_names),
    ]
    for s in surface_names:
        cells = []
        for o in optimizer_names:
            r = cell.get((s, o))
            cells.append("" if r is None else "diverged" if r.diverged else format_lr(r.lr))
        steps = next(r.steps for r in rows if r.surface == s)
        lines.append(f"| {s} | {steps} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_table(
    rows: Sequence[LearningRateChoice], csv_path: str | Path, md_path: str | Path
) -> tuple[Path, Path]:
    """Write the table as CSV (every number in full) and Markdown, each atomically."""
    return (write_atomic(csv_path, _csv_text(rows).encode("utf-8")),
            write_atomic(md_path, _markdown_text(rows).encode("utf-8")))  # fmt: skip


def grid_scores(
    optimizer_name: str,
    surface: Surface,
    grid: Sequence[float] | None = None,
    steps: int | None = None,
) -> np.ndarray:
    """The score of every rate of ``grid`` (to plot the search itself)."""
    steps = step_budget(surface) if steps is None else steps
    return np.array([score_run(optimizer_name, surface, lr, steps) for lr in _check_grid(grid)])


# --------------------------------------------------------------------- the disk cache

#: The atlas modules whose source code determines the protocol's numbers.
SOURCES = ("atlas.surfaces", "atlas.optimizers", "atlas.trajectory", "atlas.learning_rates")
CACHE_VERSION = 1

_directory: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "learning_rate_cache", default=None
)


@contextlib.contextmanager
def disk_cache(directory: str | Path) -> Iterator[Path]:
    """Inside the block, :func:`best_learning_rate` reads valid results from ``directory``."""
    token = _directory.set(Path(directory))
    try:
        yield Path(directory)
    finally:
        _directory.reset(token)


def cache_path(directory: str | Path, surface: Surface | str) -> Path:
    """Where the cached results of ``surface`` live: ``directory/learning_rates/<name>.json``."""
    name = surface if isinstance(surface, str) else surface.name
    return Path(directory) / "learning_rates" / f"{name}.json"


def cache_key(surface: Surface | str, grid: Sequence[float] | None = None,
              steps: int | None = None) -> str:  # fmt: skip
    """SHA-256 of everything that determines ``surface``'s results (see the module doc)."""
    name = surface if isinstance(surface, str) else surface.name
    record = {
        "version": CACHE_VERSION,
        "surface": name,
        "grid": list(_check_grid(grid)),
        "steps": int(step_budget(name) if steps is None else steps),
        "optimizers": {o: repr(optimizers.get(o).hyperparameters()) for o in optimizers.names()},
        "numpy": np.__version__,
        "sources": {module: source_digest(module) for module in SOURCES},
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def read_cached(surface: Surface | str, directory: str | Path,
                grid: Sequence[float] | None = None,
                steps: int | None = None) -> dict[str, LearningRateChoice] | None:  # fmt: skip
    """The cached choices on ``surface`` by optimizer name; None if absent or stale."""
    path = cache_path(directory, surface)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != cache_key(surface, grid, steps):
        return None
    return {row["optimizer"]: LearningRateChoice(**row) for row in data["choices"]}


def write_cached(choices: Sequence[LearningRateChoice], directory: str | Path,
                 grid: Sequence[float] | None = None) -> Path:  # fmt: skip
    """Write the choices of ONE surface (every registered optimizer's) to its cache file."""
    names = {c.surface for c in choices}
    steps = {c.steps for c in choices}
    if len(names) != 1 or len(steps) != 1:
        raise ValueError(f"cache one surface and budget per file, got {names} / {steps}")
    surface, budget = names.pop(), steps.pop()
    record = {"key": cache_key(surface, grid, budget), "surface": surface,
              "choices": [asdict(c) for c in choices]}  # fmt: skip
    text = json.dumps(record, indent=1) + "\n"
    return write_atomic(cache_path(directory, surface), text.encode("utf-8"))


def surface_choices(surface: Surface | str,
                    directory: str | Path | None = None) -> dict[str, LearningRateChoice]:
    """Every registered optimizer's choice on ``surface`` (the declared grid and budget).

    With a ``directory``, valid cached results are read from it, and computed
    ones are written to it.
    """
    if directory is not None and (cached := read_cached(surface, directory)) is not None:
        return cached
    surface = surfaces.get(surface) if isinstance(surface, str) else surface
    grid, steps = _check_grid(None), step_budget(surface)
    choices = [_best(name, surface, grid, steps) for name in optimizers.names()]
    if directory is not None:
        write_cached(choices, directory)
    return {c.optimizer: c for c in choices}
