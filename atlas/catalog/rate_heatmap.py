"""``race/learning_rates``: the rate the race protocol chose for every optimizer on every
surface, as a heatmap (the exact numbers are ``table/learning_rates``'s CSV)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry, write_alt
from atlas.catalog.races import rates_name, surface_sweeps
from atlas.column import DPI


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
    from atlas.viz.lr_heatmap import draw_lr_heatmap

    rates = rate_map(inputs, surfaces, optimizers)
    draw_lr_heatmap(path, rates, dpi=dpi)
    fallbacks = int(rates.fallback.sum())
    write_alt(path, f"The rates run from {rates.lr.min():g} to {rates.lr.max():g}; "
                    f"{fallbacks} of the {rates.lr.size} cells are fallbacks.")


def entries(quick: bool = False) -> list[Entry]:
    """The heatmap, which needs every surface's sweeps."""
    from atlas import optimizers, surfaces

    names, every = optimizers.names(), surfaces.names()
    return [Entry(
        "race/learning_rates", "The learning rate chosen for every optimizer on every surface, "
        "as a heatmap", learning_rate_heatmap, "image",
        {"surfaces": every, "optimizers": names, "dpi": 40 if quick else DPI},
        tuple(rates_name(s) for s in every), alt_from_data=True,
        alt=f"A heatmap of the learning rate the race protocol chose for each of the "
            f"{len(names)} optimizers (rows) on each of the {len(every)} surfaces (columns), "
            "coloured from dark purple (the smallest rate of the grid) to yellow (the "
            "largest); a cross marks a cell where every rate of the grid fails.")]
