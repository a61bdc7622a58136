"""The races: every surface's learning-rate sweeps, its three race figures, and the table.

* ``learning_rates/<surface>`` (an artifact, JSON): every registered optimizer's
  sweep of the protocol's grid on the surface and the rate chosen
  (:func:`atlas.learning_rates.write_sweeps`); the costly part of the races,
  computed once and read by every figure that races on the surface;
* ``race/<surface>/3d`` and ``race/<surface>/contour`` (animations) and
  ``race/<surface>/gap`` (an image): every optimizer from the surface's start, at
  its chosen rate;
* ``table/learning_rates``: the chosen rate of every (surface, optimizer) pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry


def rates_name(surface: str) -> str:
    """The artifact holding the learning-rate sweeps on ``surface``."""
    return f"learning_rates/{surface}"


def surface_sweeps(inputs: Mapping[str, Path], surface: str) -> dict[str, Any]:
    """``{optimizer: LearningRateChoice}`` on ``surface``, from the sweeps handed in."""
    from atlas import learning_rates

    return learning_rates.read_sweeps(inputs[rates_name(surface)])


def chosen_rates(inputs: Mapping[str, Path], surface: str) -> dict[str, float]:
    """``{optimizer: chosen learning rate}`` on ``surface``, from the sweeps handed in."""
    return {name: choice.lr for name, choice in surface_sweeps(inputs, surface).items()}


def _race(inputs: Mapping[str, Path], surface: str, optimizers: list[str]) -> Any:
    """The race of ``optimizers`` on ``surface`` at the rates of its sweeps."""
    from atlas.races.race import run_race

    return run_race(surface, optimizers, sweeps=surface_sweeps(inputs, surface))


def sweeps(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
           surface: str) -> None:  # fmt: skip
    """``learning_rates/<surface>``: every optimizer's sweep on ``surface``, as JSON."""
    from atlas import learning_rates

    learning_rates.write_sweeps(surface, path.with_name(path.name + ".json"))


def race_3d(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], surface: str,
            optimizers: list[str], max_frames: int, dpi: int) -> None:  # fmt: skip
    """``race/<surface>/3d``: every optimizer from the surface's start, in 3D."""
    from atlas.viz import race

    race.animate_race_3d(_race(inputs, surface, optimizers), path, formats,
                         max_frames=max_frames, dpi=dpi)


def race_contour(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                 surface: str, optimizers: list[str], max_frames: int,
                 dpi: int) -> None:  # fmt: skip
    """``race/<surface>/contour``: the same race on the surface's contours."""
    from atlas.viz import race

    race.animate_race_contour(_race(inputs, surface, optimizers), path, formats,
                              max_frames=max_frames, dpi=dpi)


def race_gap(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], surface: str,
             optimizers: list[str], dpi: int) -> None:  # fmt: skip
    """``race/<surface>/gap``: f − f* against step, log scale."""
    from atlas.viz import gap_plot

    gap_plot.draw_gap(_race(inputs, surface, optimizers), path, dpi=dpi)


def learning_rate_table(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                        surfaces: list[str], optimizers: list[str]) -> None:  # fmt: skip
    """``table/learning_rates``: the chosen rate per surface and optimizer (CSV + Markdown)."""
    from atlas import learning_rates

    read = {s: learning_rates.read_sweeps(inputs[rates_name(s)]) for s in surfaces}
    rows = [read[s][o] for s in surfaces for o in optimizers]
    learning_rates.write_table(rows, path.with_name(path.name + ".csv"),
                               path.with_name(path.name + ".md"))


def entries(quick: bool = False) -> list[Entry]:
    """The sweeps of every surface, then its races; the table last."""
    from atlas import optimizers, surfaces

    names = optimizers.names()
    scale = {"max_frames": 12, "dpi": 40} if quick else {"max_frames": 144, "dpi": 100}
    found = []
    for surface in surfaces.names():
        title = surfaces.get(surface).title
        params = {"surface": surface, "optimizers": names, **scale}
        needs = (rates_name(surface),)
        found += [
            Entry(rates_name(surface), f"Every optimizer's learning-rate sweep on {title}",
                  sweeps, "data", {"surface": surface}),
            Entry(f"race/{surface}/3d", f"Optimizer race on {title}, in 3D",
                  race_3d, "animation", params, needs),
            Entry(f"race/{surface}/contour", f"Optimizer race on {title}, on its contours",
                  race_contour, "animation", params, needs),
            Entry(f"race/{surface}/gap", f"f - f* against step for every optimizer on {title}",
                  race_gap, "image", {"surface": surface, "optimizers": names,
                                      "dpi": scale["dpi"]}, needs),
        ]
    every = surfaces.names()
    found.append(Entry("table/learning_rates",
                       "The learning rate chosen for every optimizer on every surface",
                       learning_rate_table, "table", {"surfaces": every, "optimizers": names},
                       tuple(rates_name(s) for s in every)))
    return found
