r"""The races' results table (``table/races``): steps to target, ranks and winners.

One row per surface and optimizer, from the protocol's sweeps
(:mod:`atlas.protocol`): the chosen rate, the steps its run needs to reach the
surface's target, its final gap, where it left the plot (None: never), and
its rank on the surface. Ranking follows the protocol: runs that reach the
target by their (integer) steps, then the others by their final gap as
printed (three significant digits), runs the protocol had to take from a
failing rate last; equal keys share a rank (1, 1, 3, ...). The winners of a
surface are every optimizer of rank 1 that reached the target: none where no
run did.

Written as CSV (every digit) and as Markdown for the book: one section per
surface, its formula in MathJax, its target, and a six-column table.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas import latex_rows, learning_rates, optimizers, surfaces
from atlas.cache import write_atomic
from atlas.protocol import LearningRateChoice, as_surface, bounded, merit
from atlas.races.groups import group_of

COLUMNS = ("surface", "optimizer", "group", "lr", "steps", "steps_to_target", "final_gap",
           "left_plot_at", "fallback", "rank", "winner")  # fmt: skip


@dataclass(frozen=True)
class RaceRow:
    """One optimizer's chosen run on one surface, ranked."""

    surface: str
    optimizer: str
    group: str
    lr: float
    steps: int  # the budget
    steps_to_target: int | None
    final_gap: float
    left_plot_at: int | None
    fallback: bool  # every grid rate fails: this run does too
    rank: int
    winner: bool


def rank_key(choice: LearningRateChoice) -> tuple[bool, tuple[int, float]]:
    """How a chosen run ranks (smaller first): failing runs last, then the protocol's merit."""
    return (choice.fallback, merit(choice.outcome))


def surface_rows(choices: Mapping[str, LearningRateChoice]) -> list[RaceRow]:
    """The ranked rows of ONE surface from its optimizers' sweeps, best first."""
    ordered = sorted(choices.values(), key=rank_key)
    keys = [rank_key(c) for c in ordered]
    rows = []
    for choice, key in zip(ordered, keys, strict=True):
        rank = 1 + sum(other < key for other in keys)
        o = choice.outcome
        winner = rank == 1 and o.reached and not choice.fallback
        rows.append(RaceRow(choice.surface, choice.optimizer, group_of(choice.optimizer).name,
                            choice.lr, choice.steps, o.steps_to_target, o.final_gap, o.left_at,
                            choice.fallback, rank, winner))  # fmt: skip
    return rows


def all_sweeps(surface_names: Iterable[str] | None = None
               ) -> dict[str, dict[str, LearningRateChoice]]:  # fmt: skip
    """Every registered optimizer's sweep on each surface (all by default), computed.

    The figures and tables take sweeps as ``{surface: {optimizer: sweep}}``; in
    ``atlas render`` they are read from the ``learning_rates/<surface>`` files
    (:func:`atlas.learning_rates.read_sweeps`) instead.
    """
    names = surfaces.names() if surface_names is None else list(surface_names)
    return {s: learning_rates.surface_choices(s) for s in names}


def race_rows(sweeps: Mapping[str, Mapping[str, LearningRateChoice]] | None = None
              ) -> list[RaceRow]:  # fmt: skip
    """Every surface's ranked rows, from ``{surface: {optimizer: sweep}}`` (default: all)."""
    sweeps = all_sweeps() if sweeps is None else sweeps
    return [row for surface in sweeps for row in surface_rows(sweeps[surface])]


def winners(rows: Sequence[RaceRow], surface: str) -> list[str]:
    """The winners on ``surface``: every optimizer of rank 1 that reached the target."""
    return [r.optimizer for r in rows if r.surface == surface and r.winner]


def _number(value: object) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value).lower()


def csv_text(rows: Sequence[RaceRow]) -> str:
    """The rows as CSV, every float with all its digits (empty cell: None)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_number(getattr(row, column)) for column in COLUMNS])
    return buffer.getvalue()


def _gap(gap: float) -> str:
    if not math.isfinite(gap):
        return "–"
    return f"{gap:.2e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def target_text(surface_name: str) -> str:
    """The surface's target in words and MathJax, e.g. ``$f - f^* \\le 10^{-3}$``."""
    surface = as_surface(surface_name)
    if bounded(surface):
        exponent = math.log10(surface.tau)
        tau = f"10^{{{round(exponent)}}}" if exponent == round(exponent) else f"{surface.tau:g}"
        text = rf"$f - f^* \le {tau}$"
    else:
        text = rf"escape: $f \le f(\text{{start}}) - {surface.delta:g}$"
    return text + (f" ({surface.target_note})" if surface.target_note else "")


def surface_markdown(rows: Sequence[RaceRow], surface_name: str) -> str:
    """One surface's section: title, formula, target, winners and the ranked table."""
    surface = as_surface(surface_name)
    mine = [r for r in rows if r.surface == surface_name]
    won = [r for r in mine if r.winner]
    titles = {name: optimizers.registry.get(name).title for name in (r.optimizer for r in mine)}
    if won:
        names = ", ".join(titles[r.optimizer] for r in won)
        verdict = f"Winner{'s' * (len(won) > 1)}: **{names}**, {won[0].steps_to_target} steps."
    else:
        verdict = "No winner: no run reaches the target within the budget."
    gap = "final gap" if bounded(surface) else "final $f$ above the escape level"
    lines = [f"### {surface.title}", "", f"$${latex_rows.display(surface.latex)}$$", "",
             f"Target: {target_text(surface_name)}. Budget: {mine[0].steps if mine else 0} "
             f"steps. {verdict}", "",
             f"| rank | optimizer | lr | steps to target | {gap} | left the plot |",
             "|---:|---|---:|---:|---:|---:|"]  # fmt: skip
    for r in mine:
        steps = "–" if r.steps_to_target is None else str(r.steps_to_target)
        left = "–" if r.left_plot_at is None else f"step {r.left_plot_at}"
        lr = learning_rates.format_lr(r.lr) + (" (fails)" if r.fallback else "")
        name = f"**{titles[r.optimizer]}**" if r.winner else titles[r.optimizer]
        lines.append(f"| {r.rank} | {name} | {lr} | {steps} | {_gap(r.final_gap)} | {left} |")
    return "\n".join(lines) + "\n"


def markdown_text(rows: Sequence[RaceRow]) -> str:
    """Every surface's section, in the order of ``rows``."""
    return "\n".join(surface_markdown(rows, s) for s in dict.fromkeys(r.surface for r in rows))


def write_races_table(rows: Sequence[RaceRow], csv_path: str | Path,
                      md_path: str | Path) -> tuple[Path, Path]:  # fmt: skip
    """Write the table as CSV and Markdown, each atomically."""
    return (write_atomic(csv_path, csv_text(rows).encode("utf-8")),
            write_atomic(md_path, markdown_text(rows).encode("utf-8")))  # fmt: skip


def build(out: str | Path, sweeps: Mapping[str, Mapping[str, LearningRateChoice]] | None = None
          ) -> tuple[Path, Path]:  # fmt: skip
    """``table/races``: ``<out>.csv`` and ``<out>.md`` from ``sweeps`` (see :func:`race_rows`)."""
    out = Path(out)
    return write_races_table(race_rows(sweeps), out.with_name(out.name + ".csv"),
                             out.with_name(out.name + ".md"))  # fmt: skip
