"""``race_runs/<surface>``: every optimizer's chosen run on a surface, computed once.

Every race figure of a surface (``race/<surface>/summary``, ``race/<surface>/gap``
and each group's ``3d``, ``contour`` and ``gap``, :mod:`atlas.catalog.race_figures`)
draws the same runs: each optimizer from the surface's start at its chosen rate for
the surface's step budget. They were run again for every figure (on the sinc well,
1024 steps, seconds each time); this artifact runs them once, from the sweeps
(``learning_rates/<surface>``), and the figures read them (:func:`stored_race`,
:func:`stored_group_races`), so the same numbers, computed once, are drawn.

Nothing here draws, so no figure's look is in this artifact's key; and it lives in
its own module, not :mod:`atlas.catalog.races`, so that adding it left the sweeps'
and basin maps' keys alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry
from atlas.catalog.races import rates_name, surface_sweeps

#: The one file of a ``race_runs/<surface>`` bundle.
RUNS_FILE = "runs.npz"


def runs_name(surface: str) -> str:
    """The artifact holding every optimizer's chosen run on ``surface``."""
    return f"race_runs/{surface}"


def race_runs(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
              surface: str) -> None:  # fmt: skip
    """``race_runs/<surface>``: every optimizer's run at its chosen rate, one ``runs.npz``."""
    from atlas.races.race import run_race
    from atlas.races.run_store import write_runs

    sweeps = surface_sweeps(inputs, surface)
    write_runs(run_race(surface, list(sweeps), sweeps=sweeps), path / RUNS_FILE)


def stored_race(inputs: Mapping[str, Path], surface: str,
                optimizer_names: Iterable[str] | None = None) -> Any:  # fmt: skip
    """The race of ``optimizer_names`` (all, in the registry's order, by default) on
    ``surface``, from the runs handed in: what :func:`atlas.races.race.run_race` computes."""
    from atlas.races.run_store import read_runs, select

    race = read_runs(inputs[runs_name(surface)] / RUNS_FILE)
    return race if optimizer_names is None else select(race, optimizer_names)


def stored_group_races(inputs: Mapping[str, Path], surface: str) -> list[tuple[Any, Any]]:
    """Every group's race on ``surface`` from the runs handed in: what
    :func:`atlas.races.race.group_races` computes."""
    from atlas.races.groups import groups
    from atlas.races.run_store import select

    race = stored_race(inputs, surface)
    return [(group, select(race, group.members)) for group in groups()]


def entries(quick: bool = False) -> list[Entry]:
    """One ``race_runs/<surface>`` per registered surface."""
    from atlas import surfaces

    return [Entry(runs_name(s), f"Every optimizer's run at its chosen rate on "
                  f"{surfaces.get(s).title}", race_runs, "bundle", {"surface": s},
                  (rates_name(s),), (RUNS_FILE,)) for s in surfaces.names()]  # fmt: skip
