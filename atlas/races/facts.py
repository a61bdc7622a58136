"""What the races' tables say, as numbers a page can quote: wins, reaches, rates, windows.

The book's pages state race outcomes only as numbers glued from the tables the
catalog writes (``table/races``, :mod:`atlas.races.results`; ``table/lr_windows``,
:mod:`atlas.races.sensitivity`), so a page can never claim what the tables do
not show. This module reads those CSV files back (every digit, as written) and
answers the questions the pages ask: who won where (winners are the
optimizers of rank 1 that reached the target, ties shared: a race won by
several counts for each), on how many surfaces an optimizer reaches the
target, how far its chosen rates spread across surfaces, and how wide its
good learning-rate window is on the median surface.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Sequence
from pathlib import Path

from atlas import optimizers
from atlas.protocol import as_surface, bounded
from atlas.races.results import COLUMNS, RaceRow
from atlas.races.sensitivity import COLUMNS as WINDOW_COLUMNS
from atlas.races.sensitivity import Window


def listed(items: Sequence[str]) -> str:
    """Names as a page writes them: ``a``, ``a and b``, ``a, b and c`` (empty: ``none``)."""
    items = list(items)
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _open_rows(path: str | Path, columns: Sequence[str]) -> list[dict[str, str]]:
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        if tuple(reader.fieldnames or ()) != tuple(columns):
            raise ValueError(f"{path}: expected the columns {', '.join(columns)}, "
                             f"got {', '.join(reader.fieldnames or ())}")  # fmt: skip
        return list(reader)


def _int(text: str) -> int | None:
    return None if text == "" else int(text)


def _float(text: str) -> float | None:
    return None if text == "" else float(text)


def read_rows(path: str | Path) -> list[RaceRow]:
    """The rows of ``table/races.csv`` (:func:`atlas.races.results.csv_text`), in order.

    A file with other columns is a ``ValueError`` naming it and the columns expected.
    """
    rows = _open_rows(path, COLUMNS)
    return [RaceRow(r["surface"], r["optimizer"], r["group"], float(r["lr"]), int(r["steps"]),
                    _int(r["steps_to_target"]), float(r["final_gap"]),
                    _int(r["left_plot_at"]), r["fallback"] == "true", int(r["rank"]),
                    r["winner"] == "true")
            for r in rows]


def read_windows(path: str | Path) -> list[Window]:
    """The rows of ``table/lr_windows.csv`` (:func:`atlas.races.sensitivity.windows_csv`)."""
    return [Window(r["surface"], r["optimizer"], float(r["lr"]), float(r["reach_decades"]),
                   float(r["good_decades"]), _float(r["low"]), _float(r["high"]))
            for r in _open_rows(path, WINDOW_COLUMNS)]


def surface_names(rows: Sequence[RaceRow]) -> list[str]:
    """The surfaces of the table, in its order."""
    return list(dict.fromkeys(r.surface for r in rows))


def _names(rows: Sequence[RaceRow]) -> list[str]:
    found = set(r.optimizer for r in rows)
    return [n for n in optimizers.names() if n in found] + sorted(found - set(optimizers.names()))


def _mine(rows: Sequence[RaceRow], optimizer: str) -> list[RaceRow]:
    mine = [r for r in rows if r.optimizer == optimizer]
    if not mine:
        raise ValueError(f"{optimizer!r} is not in the races' table; it has {_names(rows)}")
    return mine


def winners(rows: Sequence[RaceRow]) -> dict[str, list[str]]:
    """``{surface: [its winners]}`` for every surface (an empty list: no run reached)."""
    return {s: [r.optimizer for r in rows if r.surface == s and r.winner]
            for s in surface_names(rows)}  # fmt: skip


def won_surfaces(rows: Sequence[RaceRow]) -> list[str]:
    """The surfaces that have a winner (some chosen run reaches the target)."""
    return [s for s, names in winners(rows).items() if names]


def wins(rows: Sequence[RaceRow]) -> dict[str, list[str]]:
    """``{optimizer: [surfaces it wins]}`` for every optimizer (registry order), ties shared."""
    return {name: [r.surface for r in rows if r.optimizer == name and r.winner]
            for name in _names(rows)}  # fmt: skip


def most_wins(rows: Sequence[RaceRow]) -> tuple[list[str], int]:
    """The optimizers that win the most races (all of them on a tie) and how many they win."""
    counts = {name: len(won) for name, won in wins(rows).items()}
    top = max(counts.values(), default=0)
    return [name for name, n in counts.items() if n == top and top > 0], top


def winning_optimizers(rows: Sequence[RaceRow]) -> list[str]:
    """The optimizers that win (or share the win of) at least one race, registry order."""
    return [name for name, won in wins(rows).items() if won]


def quick_wins(rows: Sequence[RaceRow], steps: int = 1) -> dict[str, list[str]]:
    """``{surface: winners}`` where the winners reach the target in at most ``steps`` steps,
    on surfaces with a minimum (an escape from a saddle in one step is no surprise)."""
    return {s: names for s, names in winners(rows).items()
            if names and bounded(as_surface(s))
            and row(rows, s, names[0]).steps_to_target <= steps}  # fmt: skip


def quick_winners(rows: Sequence[RaceRow], steps: int = 1) -> list[str]:
    """The optimizers of :func:`quick_wins`, each once, registry order."""
    found = {name for names in quick_wins(rows, steps).values() for name in names}
    return [name for name in _names(rows) if name in found]


def sole_wins(rows: Sequence[RaceRow]) -> dict[str, list[str]]:
    """``{optimizer: [surfaces it wins alone]}``: races with one winner only."""
    alone = {s: names[0] for s, names in winners(rows).items() if len(names) == 1}
    return {name: [s for s, w in alone.items() if w == name] for name in _names(rows)}


def reached(rows: Sequence[RaceRow], optimizer: str) -> list[str]:
    """The surfaces on which ``optimizer``'s chosen run reaches the target."""
    return [r.surface for r in _mine(rows, optimizer) if r.steps_to_target is not None]


def arrivals(rows: Sequence[RaceRow], surface: str) -> list[str]:
    """The optimizers whose chosen run on ``surface`` reaches the target, fastest first."""
    return [r.optimizer for r in rows if r.surface == surface and r.steps_to_target is not None]


def missed(rows: Sequence[RaceRow], surface: str) -> list[str]:
    """The optimizers whose chosen run on ``surface`` never reaches the target."""
    return [r.optimizer for r in rows if r.surface == surface and r.steps_to_target is None]


def row(rows: Sequence[RaceRow], surface: str, optimizer: str) -> RaceRow:
    """``optimizer``'s row on ``surface``."""
    for r in _mine(rows, optimizer):
        if r.surface == surface:
            return r
    raise ValueError(f"no race of {optimizer!r} on {surface!r}; surfaces: {surface_names(rows)}")


def reach_words(race: RaceRow) -> str:
    """What a chosen run does, in words: ``reaches the target in 7 steps`` or ``never
    reaches the target`` (``..., and leaves the plot at step 12``)."""
    n = race.steps_to_target
    if n is not None:
        return f"reaches the target in {n} step{'s' * (n != 1)}"
    left = race.left_plot_at
    return "never reaches the target" + ("" if left is None else
                                         f" and leaves the plot at step {left}")


def steps_needed(race: RaceRow) -> str:
    """How many steps a chosen run needs to reach the target: ``7 steps``, ``1 step``, or
    ``more than its 256`` (the budget) where it never does."""
    n = race.steps_to_target
    return f"{n} step{'s' * (n != 1)}" if n is not None else f"more than its {race.steps}"


def median_rank(rows: Sequence[RaceRow], optimizer: str) -> float:
    """``optimizer``'s median rank over the surfaces (1 is first)."""
    return float(statistics.median(r.rank for r in _mine(rows, optimizer)))


def rate_spread(rows: Sequence[RaceRow], optimizer: str) -> float:
    """How many decades ``optimizer``'s chosen rates span across the surfaces: log10 of the
    largest over the smallest (fallback rates, which no run survives, left out)."""
    lrs = [r.lr for r in _mine(rows, optimizer) if not r.fallback]
    return math.log10(max(lrs) / min(lrs)) if lrs else 0.0


def rate_count(rows: Sequence[RaceRow], optimizer: str, lr: float) -> int:
    """On how many surfaces the protocol chose ``lr`` for ``optimizer``."""
    return sum(1 for r in _mine(rows, optimizer) if r.lr == lr)


def median_window(windows: Sequence[Window], optimizer: str, reach: bool = False) -> float:
    """The width, in decades, of ``optimizer``'s good learning-rate window on the median
    surface (``reach``: of the rates that reach the target at all)."""
    mine = [w.reach_decades if reach else w.good_decades for w in windows
            if w.optimizer == optimizer]  # fmt: skip
    if not mine:
        raise ValueError(f"{optimizer!r} is not in the windows' table")
    return float(statistics.median(mine))


def widest_windows(windows: Sequence[Window], reach: bool = False) -> tuple[list[str], float]:
    """The optimizers with the widest median window (all on a tie), and its width."""
    names = list(dict.fromkeys(w.optimizer for w in windows))
    width = {n: median_window(windows, n, reach) for n in names}
    top = max(width.values())
    return [n for n in names if width[n] == top], top
