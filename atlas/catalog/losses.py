"""Every loss's figure, ``loss/<name>``: the loss and its gradient (per target for
classification)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry


def loss(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], loss: str,
         dpi: int) -> None:  # fmt: skip
    """``loss/<name>``: the loss and its gradient."""
    from atlas import losses
    from atlas.viz.function_plots import figure_png, loss_figure
    from atlas.viz.style import style

    with style():
        figure_png(loss_figure(losses.get(loss, reduction="none"), dpi=dpi),
                   path.with_name(path.name + ".png"))


def entries(quick: bool = False) -> list[Entry]:
    """One figure per registered loss."""
    from atlas import losses

    dpi = 40 if quick else 100
    return [Entry(f"loss/{name}", f"{losses.registry.get(name).title} and its gradient",
                  loss, "image", {"loss": name, "dpi": dpi}) for name in losses.names()]
