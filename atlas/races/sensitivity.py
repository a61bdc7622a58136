r"""Learning-rate sensitivity: how each optimizer's race depends on its learning rate.

The protocol runs every optimizer at every rate of its grid (:mod:`atlas.protocol`);
this module reads those sweeps as curves, steps to target against the rate,
and measures how forgiving each optimizer is:

* **reach window**: how many decades of the grid reach the target without
  failing (each grid rate stands for the quarter decade around it, so a rate
  counts 0.25), wherever they lie;
* **good window**: the unbroken run of grid rates around the chosen one whose
  runs never fail and reach the target within :data:`GOOD_FACTOR` times the
  chosen run's steps, in decades likewise; its ends ``low`` and ``high``. It is
  the book's measure of robustness: a wide window forgives a rate guessed
  wrong, a narrow one does not. 0 where the chosen run misses its target.

Curves and windows are computed from a surface's sweeps
(``{optimizer: LearningRateChoice}``, :func:`atlas.learning_rates.read_sweeps`);
:func:`windows_csv` and :func:`windows_markdown` write the table;
:func:`surface_sensitivity` gathers what the figure
(:mod:`atlas.viz.sensitivity_plot`) shows of one surface.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas import learning_rates, optimizers, protocol
from atlas.cache import write_atomic
from atlas.protocol import LearningRateChoice, as_surface
from atlas.surfaces import Surface

#: A grid rate is in the good window if its steps are at most this factor times the chosen's.
GOOD_FACTOR = 2.0
#: Each grid rate stands for this many decades (the grid has four per decade).
DECADES_PER_RATE = 0.25


@dataclass(frozen=True)
class Curve:
    """One optimizer's sweep on one surface, as arrays over the grid (in grid order)."""

    optimizer: str
    lrs: tuple[float, ...]
    steps_to_target: tuple[int | None, ...]
    final_gap: tuple[float, ...]
    failed: tuple[bool, ...]
    chosen: int  # index of the chosen rate
    fallback: bool
    title: str = ""  # "Adam" (the registry's title; the name if unregistered)


@dataclass(frozen=True)
class Window:
    """How forgiving one optimizer is on one surface (see the module docstring)."""

    surface: str
    optimizer: str
    lr: float  # the chosen rate
    reach_decades: float
    good_decades: float
    low: float | None  # the good window's smallest and largest rate (None: empty)
    high: float | None


def curve(choice: LearningRateChoice) -> Curve:
    """The sweep ``choice`` as a :class:`Curve`."""
    o = choice.outcomes
    name = choice.optimizer
    title = optimizers.registry.get(name).title if name in optimizers.names() else name
    return Curve(name, tuple(r.lr for r in o), tuple(r.steps_to_target for r in o),
                 tuple(r.final_gap for r in o), tuple(r.failed for r in o), choice.chosen,
                 choice.fallback, title)  # fmt: skip


def curves(sweeps: Mapping[str, LearningRateChoice]) -> list[Curve]:
    """Every optimizer's curve on one surface, in registry order."""
    order = [n for n in optimizers.names() if n in sweeps] + [n for n in sweeps
                                                              if n not in optimizers.names()]
    return [curve(sweeps[name]) for name in order]


def good(c: Curve, i: int) -> bool:
    """Whether grid rate ``i`` never fails and reaches the target within ``GOOD_FACTOR``
    times the chosen run's steps (the chosen run itself must reach it)."""
    best = c.steps_to_target[c.chosen]
    steps = c.steps_to_target[i]
    return (not c.fallback and best is not None and steps is not None and not c.failed[i]
            and steps <= GOOD_FACTOR * best)  # fmt: skip


def window(surface: str, c: Curve) -> Window:
    """The reach and good windows of curve ``c`` on ``surface``."""
    reach = sum(1 for s, f in zip(c.steps_to_target, c.failed, strict=True)
                if s is not None and not f)  # fmt: skip
    if not good(c, c.chosen):
        return Window(surface, c.optimizer, c.lrs[c.chosen], reach * DECADES_PER_RATE, 0.0,
                      None, None)  # fmt: skip
    low = high = c.chosen
    while low > 0 and good(c, low - 1):
        low -= 1
    while high < len(c.lrs) - 1 and good(c, high + 1):
        high += 1
    return Window(surface, c.optimizer, c.lrs[c.chosen], reach * DECADES_PER_RATE,
                  (high - low + 1) * DECADES_PER_RATE, c.lrs[low], c.lrs[high])  # fmt: skip


def windows(sweeps: Mapping[str, Mapping[str, LearningRateChoice]]) -> list[Window]:
    """Every optimizer's windows on every surface of ``{surface: {optimizer: sweep}}``."""
    return [window(surface, c) for surface in sweeps for c in curves(sweeps[surface])]


@dataclass(frozen=True)
class SurfaceSensitivity:
    """What the sensitivity figure of one surface shows: its curves, their windows, the target.

    ``target`` is the protocol's gap :math:`\tau` (0 for an escape, where
    ``bounded`` is False and the final gap is measured from the escape level).
    """

    surface: Surface
    steps: int  # the step budget
    target: float
    bounded: bool
    curves: tuple[Curve, ...]
    windows: tuple[Window, ...]  # one per curve, in the same order


def surface_sensitivity(surface: Surface | str, sweeps: Mapping[str, LearningRateChoice]
                        ) -> SurfaceSensitivity:  # fmt: skip
    """The curves and windows of ``sweeps`` (one surface's), with the surface's target."""
    surface = as_surface(surface)
    found = tuple(curves(sweeps))
    return SurfaceSensitivity(surface, protocol.step_budget(surface), protocol.threshold(surface),
                              protocol.bounded(surface), found,
                              tuple(window(surface.name, c) for c in found))  # fmt: skip


COLUMNS = ("surface", "optimizer", "lr", "reach_decades", "good_decades", "low", "high")


def windows_csv(rows: Sequence[Window]) -> str:
    """The windows as CSV (every digit; an empty cell for an empty window's ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in COLUMNS])
    return buffer.getvalue()


def windows_markdown(rows: Sequence[Window]) -> str:
    """The good windows as one narrow table per surface, widest first."""
    fmt = learning_rates.format_lr
    parts = []
    for surface in dict.fromkeys(r.surface for r in rows):
        mine = sorted((r for r in rows if r.surface == surface),
                      key=lambda r: (-r.good_decades, -r.reach_decades, r.optimizer))  # fmt: skip
        lines = [f"### {as_surface(surface).title}", "",
                 "| optimizer | chosen lr | good window | decades | reaching decades |",
                 "|---|---:|---|---:|---:|"]  # fmt: skip
        for r in mine:
            span = "–" if r.low is None else f"{fmt(r.low)} to {fmt(r.high)}"
            title = optimizers.registry.get(r.optimizer).title
            lines.append(f"| {title} | {fmt(r.lr)} | {span} | {r.good_decades:g} | "
                         f"{r.reach_decades:g} |")  # fmt: skip
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def build(out: str | Path, sweeps: Mapping[str, Mapping[str, LearningRateChoice]]
          ) -> tuple[Path, Path]:  # fmt: skip
    """``table/lr_windows``: write ``<out>.csv`` and ``<out>.md`` from ``sweeps``, atomically."""
    out = Path(out)
    rows = windows(sweeps)
    return (write_atomic(out.with_name(out.name + ".csv"), windows_csv(rows).encode("utf-8")),
            write_atomic(out.with_name(out.name + ".md"),
                         windows_markdown(rows).encode("utf-8")))  # fmt: skip
