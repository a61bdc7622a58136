"""Every activation's figure: ``activation/<name>`` (f and f′ on one plot) for the
elementwise ones, ``activation/<name>_2class`` (a 2-class input and its Jacobian) for the
others, and ``activation/gallery``, every elementwise activation in one grid."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry
from atlas.column import DPI

#: How wide an elementwise activation's figure is shown (CSS px): beside its text, not
#: the whole column.
ACTIVATION_PX = 400

#: What each activation's figure shows, by activation (others: from the registry's words).
ALT = {
    "identity":
        "Plot of the identity function, a straight line through the origin, and its "
        "constant derivative 1.",
    "sigmoid":
        "Plot of the S-shaped sigmoid rising from 0 to 1, with its bell-shaped derivative "
        "peaking at one quarter at x = 0.",
    "tanh":
        "Plot of tanh rising from -1 to 1 through the origin, with its bell-shaped "
        "derivative peaking at 1.",
    "softsign":
        "Plot of softsign, an S-shaped curve from -1 to 1 that flattens slowly, with its "
        "derivative.",
    "logsigmoid":
        "Plot of the log-sigmoid, rising from a straight line of slope 1 on the left to 0 "
        "on the right, with its derivative.",
    "relu":
        "Plot of ReLU, zero for negative x and the line y = x for positive x, with its "
        "step-shaped derivative.",
    "leaky_relu":
        "Plot of leaky ReLU, a line of small slope for negative x and y = x for positive x, "
        "with its derivative.",
    "relu6":
        "Plot of ReLU6, zero for negative x, y = x up to 6 and constant 6 beyond, with its "
        "derivative.",
    "elu":
        "Plot of ELU, an exponential curve saturating at -1 for negative x and y = x for "
        "positive x, with its derivative.",
    "celu":
        "Plot of CELU, which for alpha = 1 coincides with ELU, with its derivative.",
    "selu":
        "Plot of SELU, a scaled ELU with slope about 1.05 for positive x, with its "
        "derivative.",
    "softplus":
        "Plot of softplus, a smooth curve close to 0 on the left and to y = x on the right, "
        "with its sigmoid-shaped derivative.",
    "gelu":
        "Plot of GELU, a smooth ReLU-like curve with a small dip below zero near x = -0.75, "
        "with its derivative.",
    "gelu_tanh":
        "Plot of the tanh approximation of GELU, indistinguishable by eye from exact GELU, "
        "with its derivative.",
    "silu":
        "Plot of SiLU, x times sigmoid of x, with a dip below zero near x = -1.28, and its "
        "derivative.",
    "mish":
        "Plot of Mish, a smooth ReLU-like curve with a small dip below zero, with its "
        "derivative.",
    "hardtanh":
        "Plot of hardtanh, y = x clipped to the interval from -1 to 1, with its box-shaped "
        "derivative.",
    "hardsigmoid":
        "Plot of hardsigmoid, a ramp from 0 at x = -3 to 1 at x = 3, with its box-shaped "
        "derivative of height one sixth.",
    "hardswish":
        "Plot of hardswish, x times hardsigmoid of x, a piecewise quadratic curve with a "
        "small dip below zero, and its derivative.",
    "softmax":
        "Left, the two softmax outputs of a 2-class input against the score difference, two "
        "mirrored sigmoids; right, the four Jacobian entries, the diagonal ones positive "
        "and the off-diagonal ones negative.",
    "log_softmax":
        "Left, the two log-softmax outputs of a 2-class input against the score difference; "
        "right, their Jacobian entries.",
}  # fmt: skip


def png(path: Path) -> Path:
    """``path`` with ``.png`` appended (an image entry's file)."""
    return path.with_name(path.name + ".png")


def activation(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
               activation: str, dpi: float, width: int) -> None:  # fmt: skip
    """``activation/<name>``: f and f′ on one plot, drawn to be shown ``width`` CSS px wide."""
    from atlas import activations
    from atlas.viz.function_plots import activation_figure, figure_png
    from atlas.viz.style import style

    with style():
        figure_png(activation_figure(activations.get(activation), dpi=dpi, width_px=width),
                   png(path))


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

    dpi = 40 if quick else DPI
    found = []
    for name in activations.names():
        act = activations.get(name)
        if act.elementwise:
            found.append(Entry(f"activation/{name}", f"{act.title} and its derivative",
                               activation, "image",
                               {"activation": name, "dpi": dpi, "width": ACTIVATION_PX},
                               alt=ALT.get(name, f"Plot of {act.title} ({act.description}) and "
                                                 f"its derivative on the same axes."),
                               width=ACTIVATION_PX))
        else:
            found.append(Entry(f"activation/{name}_2class",
                               f"{act.title} of a 2-class input and its Jacobian",
                               activation_2class, "image", {"activation": name, "dpi": dpi},
                               alt=ALT.get(name, f"Left, the outputs of {act.title} for a "
                                                 f"2-class input against the score difference; "
                                                 f"right, its Jacobian entries.")))
    found.append(Entry("activation/gallery", "Every elementwise activation and its derivative",
                       activation_gallery, "image", {"dpi": dpi},
                       alt="A grid of small plots, one per elementwise activation function, each "
                           "showing the function and its derivative on the same axes."))
    return found
