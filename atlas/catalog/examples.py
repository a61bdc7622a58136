"""Figures of the book's worked examples (:mod:`atlas.examples`), computed there and drawn
by :mod:`atlas.viz`: the vanishing gradients of deep stacks (*Activation functions*) and the
nonlinear regression of *Backpropagation*, ``regression/h<H>``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry
from atlas.column import DPI


def vanishing_gradients(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                        activations: list[str], depth: int, seed: int,
                        dpi: int) -> None:  # fmt: skip
    """``activation/vanishing_gradients``: the gradient norm of every layer of a deep stack
    of each activation (:func:`atlas.examples.activations.gradient_profile`)."""
    import numpy as np

    from atlas.examples.activations import gradient_profile
    from atlas.viz.function_plots import figure_png, gradient_profile_figure
    from atlas.viz.style import style

    profiles = [gradient_profile(name, rng=np.random.default_rng(seed), depth=depth)
                for name in activations]
    with style():
        figure_png(gradient_profile_figure(profiles, dpi=dpi), path.with_name(path.name + ".png"))


def regression(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], hidden: int,
               lr: float, iterations: int, frames: int, seed: int, dpi: int) -> None:  # fmt: skip
    """``regression/h<H>``: the notes' nonlinear regression
    (:func:`atlas.examples.backprop_regression.train`), animated."""
    from atlas.examples.backprop_regression import train
    from atlas.viz.regression import draw_regression

    run = train(hidden, lr, iterations, frames, seed)
    draw_regression(path, formats, run, hidden, lr, dpi=dpi)


def entries(quick: bool = False) -> list[Entry]:
    """The vanishing gradients, then the regression with 10 and with 100 hidden units."""
    dpi = 40 if quick else DPI
    found = [Entry("activation/vanishing_gradients",
                   "The gradient norm of every layer of 15-layer sigmoid, tanh and ReLU stacks",
                   vanishing_gradients, "image",
                   {"activations": ["sigmoid", "tanh", "relu"], "depth": 15, "seed": 0,
                    "dpi": dpi},
                   alt="A log-scale plot of the weight-gradient norm against the layer for "
                       "15-layer sigmoid, tanh and ReLU networks; the sigmoid line falls "
                       "steeply, by many orders of magnitude, towards the input, while the "
                       "tanh and ReLU lines stay flat.")]  # fmt: skip
    scale = ({"iterations": 40, "frames": 6, "dpi": 40} if quick
             else {"iterations": 2000, "frames": 100, "dpi": DPI})  # fmt: skip
    for hidden in (10, 100):
        found.append(Entry(f"regression/h{hidden}",
                           f"Fitting sin x at 8 points with {hidden} sigmoid hidden units",
                           regression, "animation",
                           {"hidden": hidden, "lr": 0.01, "seed": 0, **scale},
                           alt=f"Left, a network with {hidden} sigmoid hidden units gradually "
                               f"bends its output curve through eight points on a sine wave; "
                               f"right, its mean squared error falling on a log scale over the "
                               f"training iterations."))
    return found
