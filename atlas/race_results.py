"""The races' results: the learning-rate table read back, and the winner of every race.

``atlas render`` writes the learning-rate protocol's choices (:mod:`atlas.learning_rates`)
as the catalog entry ``table/learning_rates``: a CSV with every number in full. The
book reads that table rather than searching again; this module reads it and names the
winners.

The winner of a race is the optimizer with the lowest final score (the protocol's
score: the gap :math:`f - f^*` after the step budget, or :math:`f` itself where the
surface has no minimum); a tie goes to the optimizer listed first in the table, which
is the registry's order.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The catalog entry that writes the table, relative to the rendered catalog's directory.
TABLE = "table/learning_rates"
COLUMNS = ("surface", "optimizer", "lr", "score", "diverged", "steps")


@dataclass(frozen=True)
class Choice:
    """One row of the table: the rate the protocol chose for an optimizer on a surface."""

    surface: str
    optimizer: str
    lr: float
    score: float  # the chosen run's final score; lower is better
    diverged: bool  # True if every rate of the grid failed
    steps: int  # the step budget


def read_table(out: str | os.PathLike) -> list[Choice]:
    """The rows of ``<out>/table/learning_rates.csv``, in the table's order.

    ``out`` is the directory ``atlas render`` wrote into. Floats were written with
    every digit, so each number equals the one the protocol computed.
    """
    path = Path(out) / f"{TABLE}.csv"
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: expected the columns {', '.join(COLUMNS)}, "
                             f"got {', '.join(reader.fieldnames or ())}")
        return [Choice(surface=row["surface"], optimizer=row["optimizer"], lr=float(row["lr"]),
                       score=float(row["score"]), diverged=row["diverged"] == "true",
                       steps=int(row["steps"]))
                for row in reader]


def by_surface(choices: Sequence[Choice]) -> dict[str, dict[str, Choice]]:
    """``{surface: {optimizer: choice}}``, both in the order of ``choices``."""
    grid: dict[str, dict[str, Choice]] = {}
    for choice in choices:
        grid.setdefault(choice.surface, {})[choice.optimizer] = choice
    return grid


def optimizer_names(choices: Sequence[Choice]) -> list[str]:
    """The optimizers of the table, in its order."""
    return list(dict.fromkeys(choice.optimizer for choice in choices))


@dataclass(frozen=True)
class RaceSummary:
    """Who won what: one winner per surface, and the wins of every optimizer."""

    winners: tuple[Choice, ...]  # one per surface, in the table's order
    wins: dict[str, int]  # every optimizer of the table -> races won (0 included)

    @property
    def top(self) -> str:
        """The most frequent winner (the first in the table's order on a tie)."""
        return max(self.wins, key=self.wins.__getitem__)

    @property
    def n_winners(self) -> int:
        """How many different optimizers win at least one race."""
        return sum(1 for count in self.wins.values() if count)


def summary(choices: Sequence[Choice]) -> RaceSummary:
    """The winner of every surface's race (lowest score, ties to the first listed)."""
    if not choices:
        raise ValueError("the learning-rate table is empty: there is no race to win")
    winners = tuple(min(cells.values(), key=_score) for cells in by_surface(choices).values())
    wins = dict.fromkeys(optimizer_names(choices), 0)
    for winner in winners:
        wins[winner.optimizer] += 1
    return RaceSummary(winners=winners, wins=wins)


def _score(choice: Choice) -> float:
    return choice.score
