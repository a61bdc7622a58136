"""Every activation's figure: ``activation/<name>`` (f and f′ on one plot) for the
elementwise ones, ``activation/<name>_2class`` (a 2-class input and its Jacobian) for the
others, and ``activation/gallery``, every elementwise activation in one grid."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry


def png(path: Path) -> Path:
    """``path`` with ``.png`` appended (an image entry's file)."""
    return path.with_name(path.name + ".png")


def activation(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
               activation: str, dpi: int) -> None:  # fmt: skip
    """``activation/<name>``: f and f′ on one plot."""
    from atlas import activations
    from atlas.viz.function_plots import activation_figure, figure_png
    from atlas.viz.style import style

    with style():
        figure_png(activation_figure(activations.get(activation), dpi=dpi), png(path))


def activation_2class(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                      activation: str, dpi: int) -> None:  # fmt: skip
    """``activation/<name>_2class``: a softmax-like activation of a 2-class input."""
    from atlas import activations
    from atlas.viz.function_plots import figure_png, two_class_figure
    from atlas.viz.style import style

    with style():
        figure_png(two_class_figure(activations.get(activation), dpi=dpi), png(path))


def activation_gallery(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                       dpi: int) -> None:  # fmt: skip
    """``activation/gallery``: every elementwise activation in one grid."""
    from atlas import activations
    from atlas.viz.function_plots import figure_png, gallery_figure
    from atlas.viz.style import style

    every = [activations.get(name) for name in activations.names()]
    with style():
        figure_png(gallery_figure([a for a in every if a.elementwise], dpi=dpi), png(path))


def entries(quick: bool = False) -> list[Entry]:
    """One figure per registered activation, then the gallery."""
    from atlas import activations

    dpi = 40 if quick else 100
    found = []
    for name in activations.names():
        act = activations.get(name)
        if act.elementwise:
            found.append(Entry(f"activation/{name}", f"{act.title} and its derivative",
                               activation, "image", {"activation": name, "dpi": dpi}))
        else:
            found.append(Entry(f"activation/{name}_2class",
                               f"{act.title} of a 2-class input and its Jacobian",
                               activation_2class, "image", {"activation": name, "dpi": dpi}))
    found.append(Entry("activation/gallery", "Every elementwise activation and its derivative",
                       activation_gallery, "image", {"dpi": dpi}))
    return found
