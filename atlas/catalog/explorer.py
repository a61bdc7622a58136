"""``explorer``: the data and contour backgrounds of the in-browser explorer
(:mod:`atlas.explorer`), an artifact that the explorer page reads. It needs every
surface's learning-rate sweeps (the explorer's starting rates)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry
from atlas.catalog.races import rates_name


def explorer_bundle(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                    surfaces: list[str], size: int) -> None:  # fmt: skip
    """``explorer/``: ``data.json`` and one background per surface."""
    from atlas import explorer as bundle
    from atlas import learning_rates

    sweeps = [learning_rates.read_sweeps(inputs[rates_name(s)]) for s in surfaces]
    choices = [choice for by_optimizer in sweeps for choice in by_optimizer.values()]
    bundle.build(path, choices, size=size)


def entries(quick: bool = False) -> list[Entry]:
    """The one bundle."""
    from atlas import explorer, surfaces

    every = surfaces.names()
    size = 120 if quick else explorer.IMAGE_SIZE
    return [Entry("explorer", "Data and contour backgrounds of the in-browser explorer",
                  explorer_bundle, "bundle", {"surfaces": every, "size": size},
                  tuple(rates_name(s) for s in every), explorer.files())]
