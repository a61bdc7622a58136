"""The catalog's draw functions: one per kind of figure, ``draw(path, formats, **params)``.

Each is a module-level function (picklable, so a process pool can run it)
that turns the catalog's JSON parameters into calls of the drawing modules in
:mod:`atlas.viz` and writes ``path.<suffix>`` files. Imports happen inside the
functions, so reading the catalog never imports matplotlib.
"""

from __future__ import annotations

from pathlib import Path


def _png(path: Path) -> Path:
    return path.with_name(path.name + ".png")


def activation(path: Path, formats: tuple[str, ...], activation: str, dpi: int) -> None:
    """``activation/<name>``: f and f′ on one plot."""
    from atlas import activations
    from atlas.viz.function_plots import activation_figure, figure_png
    from atlas.viz.style import style

    with style():
        figure_png(activation_figure(activations.get(activation), dpi=dpi), _png(path))


def activation_2class(path: Path, formats: tuple[str, ...], activation: str, dpi: int) -> None:
    """``activation/<name>_2class``: a softmax-like activation of a 2-class input."""
    from atlas import activations
    from atlas.viz.function_plots import figure_png, two_class_figure
    from atlas.viz.style import style

    with style():
        figure_png(two_class_figure(activations.get(activation), dpi=dpi), _png(path))


def activation_gallery(path: Path, formats: tuple[str, ...], dpi: int) -> None:
    """``activation/gallery``: every elementwise activation in one grid."""
    from atlas import activations
    from atlas.viz.function_plots import figure_png, gallery_figure
    from atlas.viz.style import style

    every = [activations.get(name) for name in activations.names()]
    with style():
        figure_png(gallery_figure([a for a in every if a.elementwise], dpi=dpi), _png(path))


def vanishing_gradients(path: Path, formats: tuple[str, ...], activations: list[str],
                        depth: int, seed: int, dpi: int) -> None:
    """``activation/vanishing_gradients``: the gradient norm of every layer of a deep stack
    of each activation (:func:`atlas.examples.activations.gradient_profile`)."""
    import numpy as np

    from atlas.examples.activations import gradient_profile
    from atlas.viz.function_plots import figure_png, gradient_profile_figure
    from atlas.viz.style import style

    profiles = [gradient_profile(name, rng=np.random.default_rng(seed), depth=depth)
                for name in activations]
    with style():
        figure_png(gradient_profile_figure(profiles, dpi=dpi), _png(path))


def loss(path: Path, formats: tuple[str, ...], loss: str, dpi: int) -> None:
    """``loss/<name>``: the loss and its gradient (per target for classification)."""
    from atlas import losses
    from atlas.viz.function_plots import figure_png, loss_figure
    from atlas.viz.style import style

    with style():
        figure_png(loss_figure(losses.get(loss, reduction="none"), dpi=dpi), _png(path))


def graph(path: Path, formats: tuple[str, ...], example: str, fps: int, hold: int,
          dpi: int) -> None:
    """``graph/<example>``: a computation graph of :mod:`atlas.examples.graphs`, forward then
    backward."""
    from atlas.examples import graphs
    from atlas.viz.graph_plots import draw_graph_animation

    draw_graph_animation(path, formats, graphs.recording(example), fps=fps, hold=hold, dpi=dpi)


def regression(path: Path, formats: tuple[str, ...], **params: object) -> None:
    """``regression/h<H>``: the notes' nonlinear regression, animated."""
    from atlas.viz.regression import draw_regression

    draw_regression(path, formats, **params)  # type: ignore[arg-type]


# --------------------------------------------------------------- races, optimizers, tables
# These adapt the catalog's parameters to atlas.viz.race, atlas.viz.optimizer_plots and
# atlas.learning_rates.


def race_3d(path: Path, formats: tuple[str, ...], surface: str, optimizers: list[str],
            max_frames: int, dpi: int) -> None:
    """``race/<surface>/3d``: every optimizer from the surface's start, in 3D."""
    from atlas.viz import race

    race.draw_race_3d(path, formats, surface, optimizers, max_frames=max_frames, dpi=dpi)


def race_contour(path: Path, formats: tuple[str, ...], surface: str, optimizers: list[str],
                 max_frames: int, dpi: int) -> None:
    """``race/<surface>/contour``: the same race on the surface's contours."""
    from atlas.viz import race

    race.draw_race_contour(path, formats, surface, optimizers, max_frames=max_frames, dpi=dpi)


def race_gap(path: Path, formats: tuple[str, ...], surface: str, optimizers: list[str],
             dpi: int) -> None:
    """``race/<surface>/gap``: f − f* against step, log scale."""
    from atlas.viz import gap_plot

    gap_plot.draw_race_gap(path, surface, optimizers, dpi=dpi)


def optimizer_paths(path: Path, formats: tuple[str, ...], optimizer: str, surfaces: list[str],
                    dpi: int) -> None:
    """``optimizer/<name>``: its path on three contrasting surfaces."""
    from atlas.viz import optimizer_plots

    optimizer_plots.draw_optimizer_paths(path, optimizer, surfaces=surfaces, dpi=dpi)


def optimizer_state(path: Path, formats: tuple[str, ...], optimizer: str, surface: str,
                    dpi: int) -> None:
    """``optimizer/<name>/state``: its internal state along the path on ``surface``."""
    from atlas.viz import optimizer_plots

    optimizer_plots.draw_optimizer_state(path, optimizer, surface=surface, dpi=dpi)


def learning_rate_table(path: Path, formats: tuple[str, ...]) -> None:
    """``table/learning_rates``: the protocol's chosen lr per optimizer and surface."""
    from atlas import learning_rates, optimizers, surfaces

    rows = learning_rates.learning_rate_table(optimizers.names(), surfaces.names())
    learning_rates.write_table(rows, path.with_name(path.name + ".csv"),
                               path.with_name(path.name + ".md"))


def explorer(path: Path, formats: tuple[str, ...], size: int) -> None:
    """``explorer/``: the explorer's ``data.json`` and one background per surface."""
    from atlas import explorer as data

    data.build(path, size=size)
