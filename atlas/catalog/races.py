"""The races' data: every surface's learning-rate sweeps, the basin maps, the chosen rates.

Nothing here draws, so a figure's look (:mod:`atlas.viz`) is not in these artifacts'
keys: restyling a figure never reruns a sweep or a basin map.

* ``learning_rates/<surface>`` (an artifact, JSON): every registered optimizer's
  sweep of the protocol's grid on the surface and the rate chosen
  (:func:`atlas.learning_rates.write_sweeps`); the costly part of the races,
  computed once and read by every figure that races on the surface;
* ``basin_maps/<surface>/<group>`` (an artifact, ``maps.npz``): :func:`basin_maps`,
  declared with the figures drawn from it in :mod:`atlas.catalog.race_figures`;
* ``table/learning_rates``: the chosen rate of every (surface, optimizer) pair; the book
  shows them as a heatmap (:mod:`atlas.catalog.rate_heatmap`) and links this CSV.
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


def sweeps(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
           surface: str) -> None:  # fmt: skip
    """``learning_rates/<surface>``: every optimizer's sweep on ``surface``, as JSON."""
    from atlas import learning_rates

    learning_rates.write_sweeps(surface, path.with_name(path.name + ".json"))


def learning_rate_table(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                        surfaces: list[str], optimizers: list[str]) -> None:  # fmt: skip
    """``table/learning_rates``: the chosen rate per surface and optimizer (CSV + Markdown)."""
    from atlas import learning_rates

    read = {s: learning_rates.read_sweeps(inputs[rates_name(s)]) for s in surfaces}
    rows = [read[s][o] for s in surfaces for o in optimizers]
    learning_rates.write_table(rows, path.with_name(path.name + ".csv"),
                               path.with_name(path.name + ".md"))


def basin_maps(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], surface: str,
               optimizers: list[str], size: int) -> None:  # fmt: skip
    """``basin_maps/<surface>/<group>``: each optimizer's basin map, one ``maps.npz``."""
    from atlas.races import basins

    sweeps = surface_sweeps(inputs, surface)
    maps = [basins.basin_map(surface, name, sweeps[name].lr, size) for name in optimizers]
    basins.write_basin_maps(maps, path / "maps.npz")


def entries(quick: bool = False) -> list[Entry]:
    """The sweeps of every surface; the table last."""
    from atlas import optimizers, surfaces

    names = optimizers.names()
    found = []
    for surface in surfaces.names():
        title = surfaces.get(surface).title
        found.append(Entry(rates_name(surface), f"Every optimizer's learning-rate sweep on {title}",
                           sweeps, "data", {"surface": surface}))
    every = surfaces.names()
    found.append(Entry("table/learning_rates",
                       "The learning rate chosen for every optimizer on every surface",
                       learning_rate_table, "table", {"surfaces": every, "optimizers": names},
                       tuple(rates_name(s) for s in every)))
    return found
