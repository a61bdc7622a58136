"""The races' data: every surface's learning-rate sweeps, and the table of chosen rates.

* ``learning_rates/<surface>`` (an artifact, JSON): every registered optimizer's
  sweep of the protocol's grid on the surface and the rate chosen
  (:func:`atlas.learning_rates.write_sweeps`); the costly part of the races,
  computed once and read by every figure that races on the surface;
* the races drawn from them are in :mod:`atlas.catalog.race_figures`;
* ``table/learning_rates``: the chosen rate of every (surface, optimizer) pair, and
  ``race/learning_rates``, the same rates as a heatmap (:mod:`atlas.viz.lr_heatmap`):
  the book shows the picture and links the table's CSV for the exact numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry
from atlas.column import DPI


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


def rate_map(inputs: Mapping[str, Path], surfaces: list[str], optimizers: list[str]) -> Any:
    """The chosen rates as :class:`atlas.viz.lr_heatmap.RateMap`: optimizers by surfaces."""
    import numpy as np

    from atlas import optimizers as optimizer_registry
    from atlas import protocol
    from atlas import surfaces as surface_registry
    from atlas.viz.lr_heatmap import RateMap

    read = {s: surface_sweeps(inputs, s) for s in surfaces}
    return RateMap(tuple(optimizer_registry.registry.get(o).title for o in optimizers),
                   tuple(surface_registry.get(s).title for s in surfaces),
                   np.array([[read[s][o].lr for s in surfaces] for o in optimizers]),
                   np.array([[read[s][o].fallback for s in surfaces] for o in optimizers]),
                   protocol.GRID)  # fmt: skip


def learning_rate_heatmap(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                          surfaces: list[str], optimizers: list[str],
                          dpi: float) -> None:  # fmt: skip
    """``race/learning_rates``: the chosen rates as a heatmap, and in words how many fall
    back and how far apart the rates lie."""
    from atlas.catalog.entry import write_alt
    from atlas.viz.lr_heatmap import draw_lr_heatmap

    rates = rate_map(inputs, surfaces, optimizers)
    draw_lr_heatmap(path, rates, dpi=dpi)
    fallbacks = int(rates.fallback.sum())
    write_alt(path, f"The rates run from {rates.lr.min():g} to {rates.lr.max():g}; "
                    f"{fallbacks} of the {rates.lr.size} cells are fallbacks.")


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
    found.append(Entry(
        "race/learning_rates", "The learning rate chosen for every optimizer on every surface, "
        "as a heatmap", learning_rate_heatmap, "image",
        {"surfaces": every, "optimizers": names, "dpi": 40 if quick else DPI},
        tuple(rates_name(s) for s in every), alt_from_data=True,
        alt=f"A heatmap of the learning rate the race protocol chose for each of the "
            f"{len(names)} optimizers (rows) on each of the {len(every)} surfaces (columns), "
            "coloured from dark purple (the smallest rate of the grid) to yellow (the "
            "largest); a cross marks a cell where every rate of the grid fails."))
    return found
